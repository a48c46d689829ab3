// The fleet lock: Prisma's key 72707369 in shared mode plus an exclusive key per schema,
// (72707369, FNV-1a-32(schema)) in the two-int key space. Tenants of one database migrate in
// parallel; Prisma (exclusive 72707369) and plain ratchet runs exclude and are excluded.
#include "support.hpp"

#include <ratchet/ratchet.hpp>

#include <future>
#include <thread>

using namespace fleet_test;
namespace utf = boost::unit_test;
using namespace std::chrono_literals;

namespace {

ratchet::options tenant(const scratch_db& db, const migrations_dir& dir, const std::string& schema,
                        bool schema_lock, std::chrono::milliseconds lock_timeout = 20s) {
    ratchet::options o;
    o.url = db.url();
    o.schema = schema;
    o.migrations = dir.load();
    o.schema_lock = schema_lock;
    o.lock_timeout = lock_timeout;
    return o;
}

// Waits (bounded) until `sql` returns "t" on a fresh look.
void wait_until(const scratch_db& db, const std::string& sql) {
    session s{db.url()};
    for (int i = 0; i < 400; ++i) {
        if (s.scalar(sql).value_or("") == "t") return;
        std::this_thread::sleep_for(25ms);
    }
    BOOST_FAIL("condition never became true: " + sql);
}

// tenant_a's documented key: FNV-1a 32 of "tenant_a" = 2152575037 (as oid in pg_locks).
const std::string tenant_a_key_held =
    "SELECT EXISTS(SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = "
    "72707369 AND objid = 2152575037 AND objsubid = 2 AND mode = 'ExclusiveLock')";

}  // namespace

BOOST_AUTO_TEST_SUITE(fleet_lock, *utf::label("db") * utf::precondition(server_available))

BOOST_AUTO_TEST_CASE(prisma_holding_its_lock_blocks_a_tenant_run_and_is_named) {
    scratch_db db;
    migrations_dir dir;
    add_tables(dir, 1);
    session prisma{db.url("application_name=prisma_like")};
    prisma.exec("SELECT pg_advisory_lock(72707369)");  // what prisma migrate deploy holds
    try {
        ratchet::engine{tenant(db, dir, "tenant_a", true, 300ms)}.deploy();
        BOOST_FAIL("expected P1002");
    } catch (const ratchet::error& e) {
        BOOST_TEST(e.code_name() == "P1002");
        const std::string text = e.what();
        BOOST_TEST(text.find("pid " + std::to_string(prisma.pid())) != std::string::npos, text);
        BOOST_TEST(text.find("prisma_like") != std::string::npos, text);
    }
    BOOST_TEST(db.scalar("SELECT to_regclass('tenant_a.t1') IS NULL").value_or("") == "t");
    prisma.exec("SELECT pg_advisory_unlock(72707369)");
    BOOST_TEST(ratchet::engine{tenant(db, dir, "tenant_a", true, 300ms)}.deploy().applied.size() ==
               1U);
}

BOOST_AUTO_TEST_CASE(a_running_tenant_excludes_prisma_plain_runs_and_its_own_tenant_only) {
    scratch_db db;
    migrations_dir slow;  // the second migration waits on a gate the test holds
    slow.add("0001_a", "CREATE TABLE t1 (id int);");
    slow.add("0002_b", "SELECT pg_advisory_xact_lock(4242); CREATE TABLE t2 (id int);");
    migrations_dir quick;
    add_tables(quick, 1);
    session gate{db.url()};
    gate.exec("SELECT pg_advisory_lock(4242)");
    auto running = std::async(std::launch::async, [&] {
        return ratchet::engine{tenant(db, slow, "tenant_a", true)}.deploy();
    });
    wait_until(db, tenant_a_key_held);

    // Prisma's pg_advisory_lock would wait: its key is held in shared mode.
    session prisma{db.url()};
    BOOST_TEST(prisma.scalar("SELECT pg_try_advisory_lock(72707369)").value_or("") == "f");
    // A plain (database-wide) ratchet run on another tenant waits too.
    BOOST_TEST(error_code_of([&] {
                   ratchet::engine{tenant(db, quick, "tenant_b", false, 300ms)}.deploy();
               }) == "P1002");
    // A second tenant run on the same tenant waits: the schema key serialises them.
    BOOST_TEST(error_code_of([&] {
                   ratchet::engine{tenant(db, slow, "tenant_a", true, 300ms)}.deploy();
               }) == "P1002");
    // Another tenant of the same database proceeds at once, while tenant_a is still running.
    BOOST_TEST(
        ratchet::engine{tenant(db, quick, "tenant_c", true, 300ms)}.deploy().applied.size() == 1U);
    BOOST_TEST((running.wait_for(0s) == std::future_status::timeout));

    gate.exec("SELECT pg_advisory_unlock(4242)");
    BOOST_TEST(running.get().applied.size() == 2U);
    BOOST_TEST(
        db.scalar("SELECT count(*) FROM tenant_a._prisma_migrations WHERE finished_at IS NOT NULL")
            .value_or("") == "2");
    // Everything released: Prisma gets its lock now.
    BOOST_TEST(prisma.scalar("SELECT pg_try_advisory_lock(72707369)").value_or("") == "t");
}

BOOST_AUTO_TEST_CASE(two_tenant_runs_on_one_tenant_serialise_and_apply_each_migration_once) {
    scratch_db db;
    migrations_dir dir;
    add_tables(dir, 5);
    std::vector<std::future<std::size_t>> runs;
    for (int i = 0; i < 6; ++i) {
        runs.push_back(std::async(std::launch::async, [&] {
            return ratchet::engine{tenant(db, dir, "tenant_a", true)}.deploy().applied.size();
        }));
    }
    std::size_t applied = 0;
    for (auto& r : runs) applied += r.get();
    BOOST_TEST(applied == 5U);
    BOOST_TEST(db.scalar("SELECT count(*) FROM tenant_a._prisma_migrations").value_or("") == "5");
}

BOOST_AUTO_TEST_CASE(a_queued_prisma_is_not_starved_by_new_tenant_runs) {
    // PostgreSQL queues new lock requests behind a waiting conflicting one, so once Prisma waits
    // for its exclusive lock, tenant runs that start later wait for Prisma instead of
    // overtaking it forever.
    scratch_db db;
    migrations_dir slow;
    slow.add("0001_a", "SELECT pg_advisory_xact_lock(4242); CREATE TABLE t1 (id int);");
    migrations_dir quick;
    add_tables(quick, 1);
    session gate{db.url()};
    gate.exec("SELECT pg_advisory_lock(4242)");
    auto running = std::async(std::launch::async, [&] {
        return ratchet::engine{tenant(db, slow, "tenant_a", true)}.deploy();
    });
    wait_until(db, tenant_a_key_held);
    session prisma{db.url("application_name=prisma_waiting")};
    auto prisma_wait =
        std::async(std::launch::async, [&] { prisma.exec("SELECT pg_advisory_lock(72707369)"); });
    wait_until(db,
               "SELECT EXISTS(SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
               "AND classid = 0 AND objid = 72707369 AND objsubid = 1)");
    BOOST_TEST(error_code_of([&] {
                   ratchet::engine{tenant(db, quick, "tenant_b", true, 300ms)}.deploy();
               }) == "P1002");
    gate.exec("SELECT pg_advisory_unlock(4242)");
    BOOST_TEST(running.get().applied.size() == 1U);
    prisma_wait.get();  // Prisma got its lock after the running tenant finished
    prisma.exec("SELECT pg_advisory_unlock(72707369)");
    BOOST_TEST(
        ratchet::engine{tenant(db, quick, "tenant_b", true, 300ms)}.deploy().applied.size() == 1U);
}

BOOST_AUTO_TEST_CASE(the_lock_is_released_after_a_tenant_run) {
    scratch_db db;
    migrations_dir dir;
    add_tables(dir, 2);
    (void)ratchet::engine{tenant(db, dir, "tenant_a", true)}.deploy();
    BOOST_TEST(
        db.scalar("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'").value_or("") == "0");
}

BOOST_AUTO_TEST_SUITE_END()
