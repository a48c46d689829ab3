// Deploying through a connection pooler (PgBouncer in transaction and session mode, started by
// scripts/pgbouncer.sh next to the throwaway cluster): nothing session-scoped, every migration
// applied exactly once, no advisory lock left behind, Prisma's session lock still respected.
#include "db_test.hpp"

#include <cstdlib>
#include <future>
#include <thread>

using namespace ratchet_test;
namespace utf = boost::unit_test;
using namespace std::chrono_literals;

namespace {

// The PgBouncer port for `mode`; a failure under CI=true (the pooler proofs must run there).
std::optional<int> pgbouncer_port(const char* mode) {
    const std::string var = std::string{"RATCHET_TEST_PGBOUNCER_"} + mode + "_PORT";
    if (const char* v = std::getenv(var.c_str()); v != nullptr && *v != '\0') return std::stoi(v);
    if (in_ci())
        BOOST_FAIL(var +
                   " is not set: scripts/pg-cluster.sh starts PgBouncer when it is installed");
    BOOST_TEST_MESSAGE("skipped: " << var << " is not set");
    return std::nullopt;
}

void add_numbered(const migrations_dir& dir, int count) {
    for (int i = 1; i <= count; ++i) {
        const std::string n = std::to_string(100 + i);
        dir.add(n + "_m" + n, "CREATE TABLE t" + n + " (id int); SELECT pg_sleep(0.01);");
    }
}

std::string advisory_locks_in(const scratch_db& db) {
    return *db.scalar(
        "SELECT count(*) FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_database d ON d.oid = "
        "l.database WHERE l.locktype = 'advisory' AND d.datname = '" +
        db.name() + "'");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(pooler, *utf::label("db") * utf::precondition(server_available))

BOOST_AUTO_TEST_CASE(eight_deployers_through_a_transaction_pooler_and_one_direct_apply_each_once) {
    const auto port = pgbouncer_port("TRANSACTION");
    if (!port) return;
    scratch_db db;
    migrations_dir dir;
    add_numbered(dir, 12);
    std::vector<std::future<ratchet::deploy_report>> deployers;
    for (int i = 0; i < 8; ++i) {  // PgBouncer's pool for the database has 2 server connections
        deployers.push_back(std::async(std::launch::async, [&] {
            return make_engine(db, dir, {.url = db.url_via(*port, "schema=tenant")}).deploy();
        }));
    }
    // Prisma's way (a session advisory lock on a direct connection) runs at the same time.
    auto direct = std::async(std::launch::async, [&] {
        return make_engine(db, dir,
                           {.url = db.url("schema=tenant"), .pooler = ratchet::pooler_mode::direct})
            .deploy();
    });
    std::size_t applied = direct.get().applied.size();
    for (auto& d : deployers) {
        const auto r = d.get();
        applied += r.applied.size();
        // A deployer that found nothing to do read the history without the lock and decided
        // nothing.
        BOOST_TEST((!r.pooler.empty() || r.applied.empty()),
                   "deploys through PgBouncer run pooler-safe");
    }
    BOOST_TEST(applied == 12U);
    BOOST_TEST(*db.scalar("SELECT count(*) FROM tenant._prisma_migrations") == "12");
    BOOST_TEST(*db.scalar("SELECT count(DISTINCT migration_name) FROM tenant._prisma_migrations "
                          "WHERE finished_at IS NOT NULL") == "12");
    BOOST_TEST(db.table_exists("tenant.t112"));
    BOOST_TEST(!db.table_exists("public.t101"), "search_path was set per transaction");
    BOOST_TEST(advisory_locks_in(db) == "0");
}

BOOST_AUTO_TEST_CASE(a_non_transactional_migration_stops_the_deploy_before_anything_is_applied) {
    const auto port = pgbouncer_port("TRANSACTION");
    if (!port) return;
    scratch_db db;
    migrations_dir dir;
    dir.add("1_a", "CREATE TABLE a (id int);");
    dir.add("2_b", "CREATE INDEX CONCURRENTLY a_id ON a (id);");
    try {
        make_engine(db, dir, {.url = db.url_via(*port)}).deploy();
        BOOST_FAIL("expected pooler_unsafe");
    } catch (const ratchet::error& e) {
        BOOST_TEST(e.code_name() == "pooler_unsafe");
        BOOST_TEST(e.migration() == "2_b");
        BOOST_TEST(std::string{e.what()}.find("directUrl") != std::string::npos, e.what());
    }
    BOOST_TEST(!db.table_exists("a"));
    BOOST_TEST(!db.table_exists("_prisma_migrations"));
    // The same directory deploys on a direct connection.
    BOOST_TEST(make_engine(db, dir).deploy().applied.size() == 2U);
}

BOOST_AUTO_TEST_CASE(prismas_session_lock_on_a_direct_connection_excludes_pooler_deployers) {
    const auto port = pgbouncer_port("TRANSACTION");
    if (!port) return;
    scratch_db db;
    migrations_dir dir;
    dir.add("1_a", "CREATE TABLE a (id int);");
    session prisma{db.url()};
    prisma.exec("SELECT pg_advisory_lock(72707369)");
    BOOST_TEST(error_code_of([&] {
                   make_engine(db, dir, {.url = db.url_via(*port), .lock_timeout = 300ms}).deploy();
               }) == "P1002");
    BOOST_TEST(!db.table_exists("a"));
    prisma.exec("SELECT pg_advisory_unlock(72707369)");
    BOOST_TEST(make_engine(db, dir, {.url = db.url_via(*port)}).deploy().applied.size() == 1U);
}

BOOST_AUTO_TEST_CASE(detection_by_url_flag_by_probe_and_by_option) {
    const auto session_port = pgbouncer_port("SESSION");
    if (!session_port) return;
    scratch_db db;
    migrations_dir dir;
    dir.add("1_a", "CREATE TABLE a (id int);");
    // A session-mode PgBouncer is found by the probe (the server pid is not libpq's).
    const auto probed =
        make_engine(db, dir, {.url = db.url_via(*session_port, "schema=s1")}).deploy();
    BOOST_TEST(probed.pooler.find("pooler or proxy") != std::string::npos, probed.pooler);
    // Told it is direct (a session pooler keeps sessions), it uses the session lock.
    const auto told = make_engine(db, dir,
                                  {.url = db.url_via(*session_port, "schema=s2"),
                                   .pooler = ratchet::pooler_mode::direct})
                          .deploy();
    BOOST_TEST(told.pooler.empty());
    BOOST_TEST(told.applied.size() == 1U);
    // pgbouncer=true needs no probe; a direct connection is direct.
    const auto flagged = make_engine(db, dir, {.url = db.url("schema=s3&pgbouncer=true")}).deploy();
    BOOST_TEST(flagged.pooler == "the URL sets pgbouncer=true");
    BOOST_TEST(make_engine(db, dir, {.url = db.url("schema=s4")}).deploy().pooler.empty());
    BOOST_TEST(advisory_locks_in(db) == "0");
}

BOOST_AUTO_TEST_CASE(a_deployer_killed_mid_migration_through_the_pooler_leaves_nothing_held) {
    const auto port = pgbouncer_port("TRANSACTION");
    if (!port || std::string{RATCHET_CLI_PATH}.empty()) return;
    scratch_db db;
    migrations_dir dir;
    dir.add("1_slow", "CREATE TABLE slow (id int); SELECT pg_sleep(2);");
    child_process deployer{
        {RATCHET_CLI_PATH, "deploy", "--dir", dir.path().string(), "--url", db.url_via(*port)}};
    for (int i = 0;
         i < 200 && db.scalar("SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE query LIKE "
                              "'%pg_sleep(2)%' AND pid <> pg_backend_pid()") != "1";
         ++i) {
        std::this_thread::sleep_for(50ms);
    }
    BOOST_TEST_REQUIRE(advisory_locks_in(db) == "1",
                       "the deployer holds the lock inside its transaction");
    deployer.kill9();
    // The server finishes the running statement (it does not watch the socket), then PgBouncer
    // drops the server connection of the vanished client: the transaction and its lock end.
    for (int i = 0; i < 400 && advisory_locks_in(db) != "0"; ++i) std::this_thread::sleep_for(50ms);
    BOOST_TEST(advisory_locks_in(db) == "0");
    BOOST_TEST(!db.table_exists("slow"));
    dir.add("1_slow", "CREATE TABLE slow (id int);");
    BOOST_TEST(make_engine(db, dir, {.url = db.url_via(*port)}).deploy().applied.size() == 1U);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(connect_wait, *utf::label("db") * utf::precondition(server_available))

BOOST_AUTO_TEST_CASE(waits_while_the_server_refuses_and_never_for_what_cannot_pass) {
    scratch_db db;
    migrations_dir dir;
    dir.add("1_a", "CREATE TABLE a (id int);");
    captured_log refused;
    BOOST_TEST(error_code_of([&] {
                   make_engine(db, dir,
                               {.url = "postgresql://postgres@127.0.0.1:1/x",
                                .connect_wait = 700ms,
                                .on_log = refused.sink()})
                       .deploy();
               }) == "P1001");
    BOOST_TEST(refused.contains(
        "waiting for the database at 127.0.0.1:1/x (attempt 1: Connection refused)"));
    captured_log missing;
    BOOST_TEST(error_code_of([&] {
                   make_engine(db, dir,
                               {.url = with_database(db.url(), "no_such_db"),
                                .connect_wait = 5s,
                                .on_log = missing.sink()})
                       .deploy();
               }) == "P1001");
    BOOST_TEST(!missing.contains("waiting for the database"),
               "a missing database is not waited for");
}

BOOST_AUTO_TEST_SUITE_END()
