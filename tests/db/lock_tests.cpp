// The advisory lock shared with Prisma (key 72707369).
#include "db_test.hpp"

#include <cstdlib>
#include <memory>
#include <thread>

using namespace ratchet_test;
namespace utf = boost::unit_test;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(advisory_lock, *utf::label("db") * utf::precondition(server_available))

BOOST_AUTO_TEST_CASE(timeout_is_p1002_and_names_the_holder) {
    scratch_db db;
    migrations_dir dir;
    dir.add("1_a", "CREATE TABLE a (id int);");
    session holder{db.url() + "?application_name=the_blocker"};
    holder.exec("SELECT pg_advisory_lock(72707369)");
    try {
        make_engine(db, dir, {.lock_timeout = 300ms}).deploy();
        BOOST_FAIL("expected P1002");
    } catch (const ratchet::error& e) {
        BOOST_TEST(e.code_name() == "P1002");
        BOOST_TEST(e.retryable());
        const std::string text = e.what();
        BOOST_TEST(text.find("Timed out trying to acquire a postgres advisory lock") !=
                   std::string::npos);
        BOOST_TEST(text.find("pid " + std::to_string(holder.pid())) != std::string::npos, text);
        BOOST_TEST(text.find("the_blocker") != std::string::npos, text);
    }
    BOOST_TEST(!db.table_exists("a"));
}

BOOST_AUTO_TEST_CASE(waits_for_a_holder_that_releases_and_then_proceeds) {
    scratch_db db;
    migrations_dir dir;
    dir.add("1_a", "CREATE TABLE a (id int);");
    auto holder = std::make_unique<session>(db.url());
    holder->exec("SELECT pg_advisory_lock(72707369)");
    std::thread release{[&] {
        std::this_thread::sleep_for(300ms);
        holder.reset();  // the holder's session ends (as when a deployer dies): the lock goes
    }};
    captured_log log;
    const auto r = make_engine(db, dir, {.lock_timeout = 20s, .on_log = log.sink()}).deploy();
    release.join();
    BOOST_TEST(r.applied.size() == 1U);
    BOOST_TEST(log.contains("waiting for the migration lock"));
}

BOOST_AUTO_TEST_CASE(a_no_op_deploy_does_not_wait_for_the_lock) {
    scratch_db db;
    migrations_dir dir;
    dir.add("1_a", "CREATE TABLE a (id int);");
    make_engine(db, dir).deploy();
    session holder{db.url()};
    holder.exec("SELECT pg_advisory_lock(72707369)");  // e.g. another replica deploying
    BOOST_TEST(make_engine(db, dir, {.lock_timeout = 100ms}).deploy().applied.empty());
    dir.add("2_b", "CREATE TABLE b (id int);");
    BOOST_TEST(error_code_of([&] { make_engine(db, dir, {.lock_timeout = 100ms}).deploy(); }) ==
               "P1002");
}

BOOST_AUTO_TEST_CASE(lock_is_released_when_deploy_returns) {
    scratch_db db;
    migrations_dir dir;
    make_engine(db, dir).deploy();
    session other{db.url()};
    BOOST_TEST(
        db.scalar(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 72707369") ==
        "0");
}

BOOST_AUTO_TEST_CASE(releasing_the_lock_wakes_waiters_with_notify) {
    // Waiters LISTEN on this channel so that they retry as soon as a ratchet holder releases,
    // instead of at their next poll (up to ~0.75 s later).
    scratch_db db;
    migrations_dir dir;
    dir.add("1_a", "CREATE TABLE a (id int);");
    session waiter{db.url()};
    waiter.exec("LISTEN ratchet_migration_lock_released");
    make_engine(db, dir).deploy();
    BOOST_TEST(waiter.next_notification(10s) == "ratchet_migration_lock_released");
}

BOOST_AUTO_TEST_CASE(prisma_disable_variable_skips_the_lock_with_a_warning) {
    scratch_db db;
    migrations_dir dir;
    dir.add("1_a", "CREATE TABLE a (id int);");
    session holder{db.url()};
    holder.exec("SELECT pg_advisory_lock(72707369)");
    ::setenv("PRISMA_SCHEMA_DISABLE_ADVISORY_LOCK", "1", 1);
    captured_log log;
    const auto code = error_code_of(
        [&] { make_engine(db, dir, {.lock_timeout = 200ms, .on_log = log.sink()}).deploy(); });
    dir.add("2_b", "CREATE TABLE b (id int);");  // something pending, so the lock is needed
    ::setenv("PRISMA_SCHEMA_DISABLE_ADVISORY_LOCK", "0", 1);  // "0" means enabled, as in Prisma
    const auto code_enabled =
        error_code_of([&] { make_engine(db, dir, {.lock_timeout = 200ms}).deploy(); });
    ::unsetenv("PRISMA_SCHEMA_DISABLE_ADVISORY_LOCK");
    BOOST_TEST(code == "no error");
    BOOST_TEST(log.contains("PRISMA_SCHEMA_DISABLE_ADVISORY_LOCK"));
    BOOST_TEST(code_enabled == "P1002");  // "0" keeps the lock on, as in Prisma
}

BOOST_AUTO_TEST_CASE(application_name_is_ratchet) {
    scratch_db db;
    migrations_dir dir;
    dir.add("1_a",
            "CREATE TABLE seen AS SELECT application_name FROM pg_stat_activity WHERE pid = "
            "pg_backend_pid();");
    make_engine(db, dir).deploy();
    BOOST_TEST(db.scalar("SELECT application_name FROM seen") == "ratchet");
}

BOOST_AUTO_TEST_SUITE_END()
