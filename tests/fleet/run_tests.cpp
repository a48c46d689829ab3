// ratchet::run_fleet: every target exactly once, failures isolated with their P-codes, bounded
// parallelism per server, fail-fast, stop requests, and the targets-file and shard helpers.
#include "support.hpp"

#include <ratchet/fleet.hpp>
#include <ratchet/ratchet.hpp>

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <set>

using namespace fleet_test;
namespace utf = boost::unit_test;
using namespace std::chrono_literals;

namespace {

std::vector<ratchet::fleet_target> schemas(const scratch_db& db, int n,
                                           const std::string& prefix = "tenant_") {
    std::vector<ratchet::fleet_target> out;
    for (int i = 0; i < n; ++i) out.push_back({"", db.url(), prefix + std::to_string(i)});
    return out;
}

ratchet::fleet_options with(const migrations_dir& dir, unsigned parallel) {
    ratchet::fleet_options o;
    o.base.migrations = dir.load();
    o.base.lock_timeout = 20s;
    o.parallel = parallel;
    return o;
}

// Every schema holds exactly `n` finished rows, one per migration, and tables t1..tn.
void check_consistent(const scratch_db& db, const std::string& schema, int n) {
    BOOST_TEST(
        db.scalar("SELECT count(*) FROM " + schema +
                  "._prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL")
                .value_or("") == std::to_string(n),
        schema);
    BOOST_TEST(db.scalar("SELECT count(DISTINCT migration_name) FROM " + schema +
                         "._prisma_migrations "
                         "WHERE finished_at IS NOT NULL")
                   .value_or("") == std::to_string(n));
    BOOST_TEST(db.scalar("SELECT count(*) FROM pg_tables WHERE schemaname = '" + schema + "'")
                   .value_or("") == std::to_string(n + 1));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fleet_run, *utf::label("db") * utf::precondition(server_available))

BOOST_AUTO_TEST_CASE(fifty_schemas_are_migrated_once_then_status_is_up_to_date) {
    scratch_db db;
    migrations_dir dir;
    add_tables(dir, 5);
    const auto targets = schemas(db, 50);
    auto o = with(dir, 4);
    std::size_t max_in_flight = 0;
    std::size_t results = 0;
    o.on_start = [&](const ratchet::target_result&, const ratchet::fleet_progress& p) {
        max_in_flight = std::max(max_in_flight, p.in_flight);
    };
    o.on_result = [&](const ratchet::target_result&, const ratchet::fleet_progress& p) {
        ++results;
        BOOST_TEST(p.done == results);
    };
    const auto r = ratchet::run_fleet(ratchet::fleet_command::deploy, targets, o);
    BOOST_TEST(r.ok());
    BOOST_TEST(r.succeeded == 50U);
    BOOST_TEST(results == 50U);
    BOOST_TEST(max_in_flight <= 4U);
    for (const auto& t : r.results) BOOST_TEST(t.deploy->applied.size() == 5U, t.label);
    for (int i = 0; i < 50; ++i) check_consistent(db, "tenant_" + std::to_string(i), 5);

    const auto again = ratchet::run_fleet(ratchet::fleet_command::deploy, targets, with(dir, 4));
    BOOST_TEST(again.ok());
    for (const auto& t : again.results) BOOST_TEST(t.deploy->applied.empty());
    const auto status = ratchet::run_fleet(ratchet::fleet_command::status, targets, with(dir, 4));
    BOOST_TEST(status.ok());

    dir.add("0006_m0006", "CREATE TABLE t6 (id int);");
    const auto behind = ratchet::run_fleet(ratchet::fleet_command::status, targets, with(dir, 4));
    BOOST_TEST(behind.failed == 50U);
    BOOST_TEST((behind.results[7].status->summary == ratchet::status_summary::database_is_behind));
    const auto plan = ratchet::run_fleet(ratchet::fleet_command::plan, targets, with(dir, 4));
    BOOST_TEST(plan.ok());  // deploy would succeed everywhere
    BOOST_TEST(plan.results[3].plan->to_apply.size() == 1U);
}

BOOST_AUTO_TEST_CASE(down_locked_and_failing_targets_are_isolated_with_their_codes) {
    std::vector<std::unique_ptr<scratch_db>> dbs;
    for (int i = 0; i < 5; ++i) dbs.push_back(std::make_unique<scratch_db>());
    migrations_dir dir;
    add_tables(dir, 5);
    std::vector<ratchet::fleet_target> targets;
    for (const auto& db : dbs) targets.push_back({"", db->url(), std::nullopt});
    // down: nothing listens there
    targets.push_back(
        {"down", "postgresql://postgres@127.0.0.1:" + std::to_string(closed_port()) + "/x", {}});
    // locked: Prisma holds database 1's lock
    session prisma{dbs[1]->url()};
    prisma.exec("SELECT pg_advisory_lock(72707369)");
    // failing: database 2 already has t3 in public, so migration 3 fails there
    dbs[2]->exec("CREATE TABLE public.t3 (x int)");
    auto o = with(dir, 3);
    o.base.lock_timeout = 300ms;
    o.base.connect_timeout_seconds = 2;
    // database 2 is not empty (t3): baseline it as Prisma would have, by creating the history
    // table first with migration 1 marked applied (resolve --applied), so deploy proceeds.
    {
        ratchet::options ro = o.base;
        ro.url = dbs[2]->url();
        (void)ratchet::engine{std::move(ro)}.resolve_applied("0001_m0001");
        dbs[2]->exec("CREATE TABLE public.t1 (id int)");
    }
    const auto r = ratchet::run_fleet(ratchet::fleet_command::deploy, targets, o);
    BOOST_TEST(!r.ok());
    BOOST_TEST(r.succeeded == 3U);
    BOOST_TEST(r.failed == 3U);
    BOOST_TEST(r.results[1].failure->code_name() == "P1002");
    BOOST_TEST(r.results[2].failure->code_name() == "P3018");
    BOOST_TEST(r.results[5].failure->code_name() == "P1001");
    BOOST_TEST(r.results[5].label == "down");
    for (int i : {0, 3, 4}) BOOST_TEST(r.results[static_cast<std::size_t>(i)].ok);
    // nothing half-applied: database 2 kept migration 2 and recorded 3 as rolled back
    BOOST_TEST(dbs[2]
                   ->scalar("SELECT count(*) FROM _prisma_migrations WHERE finished_at IS NOT NULL "
                            "AND rolled_back_at IS NULL")
                   .value_or("") == "2");
    BOOST_TEST(
        dbs[1]->scalar("SELECT to_regclass('public._prisma_migrations') IS NULL").value_or("") ==
        "t");

    prisma.exec("SELECT pg_advisory_unlock(72707369)");
    dbs[2]->exec("DROP TABLE public.t3");
    targets.pop_back();
    const auto rerun = ratchet::run_fleet(ratchet::fleet_command::deploy, targets, o);
    BOOST_TEST(rerun.ok());
    BOOST_TEST(rerun.results[0].deploy->applied.empty());
    BOOST_TEST(rerun.results[1].deploy->applied.size() == 5U);
    BOOST_TEST(rerun.results[2].deploy->applied.size() == 3U);
}

BOOST_AUTO_TEST_CASE(the_per_server_bound_caps_concurrent_targets_of_one_server) {
    scratch_db db;
    migrations_dir dir;
    dir.add("0001_a", "SELECT pg_sleep(0.05); CREATE TABLE a (id int);");
    auto o = with(dir, 8);
    o.max_per_server = 2;
    std::size_t max_in_flight = 0;
    o.on_start = [&](const ratchet::target_result&, const ratchet::fleet_progress& p) {
        max_in_flight = std::max(max_in_flight, p.in_flight);
    };
    const auto r = ratchet::run_fleet(ratchet::fleet_command::deploy, schemas(db, 12), o);
    BOOST_TEST(r.ok());
    BOOST_TEST(max_in_flight == 2U);
}

BOOST_AUTO_TEST_CASE(fail_fast_and_stop_start_nothing_new_and_a_rerun_finishes) {
    scratch_db db;
    migrations_dir dir;
    add_tables(dir, 2);
    auto targets = schemas(db, 6);
    targets.insert(
        targets.begin() + 1,
        {"broken", "postgresql://postgres@127.0.0.1:" + std::to_string(closed_port()) + "/x", {}});
    auto o = with(dir, 1);
    o.fail_fast = true;
    const auto r = ratchet::run_fleet(ratchet::fleet_command::deploy, targets, o);
    BOOST_TEST(r.succeeded == 1U);
    BOOST_TEST(r.failed == 1U);
    BOOST_TEST(r.not_started == 5U);
    BOOST_TEST(r.stopped);
    BOOST_TEST(!r.results[2].started);

    targets.erase(targets.begin() + 1);
    std::atomic<bool> stop{false};
    auto s = with(dir, 1);
    s.stop = &stop;
    s.on_result = [&](const ratchet::target_result&, const ratchet::fleet_progress& p) {
        if (p.done == 2) stop = true;
    };
    const auto stopped = ratchet::run_fleet(ratchet::fleet_command::deploy, targets, s);
    BOOST_TEST(stopped.succeeded == 2U);  // tenant_0 (no-op) and tenant_1
    BOOST_TEST(stopped.not_started == 4U);
    const auto rest = ratchet::run_fleet(ratchet::fleet_command::deploy, targets, with(dir, 3));
    BOOST_TEST(rest.ok());
    for (int i = 0; i < 6; ++i) check_consistent(db, "tenant_" + std::to_string(i), 2);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(fleet_targets)

BOOST_AUTO_TEST_CASE(targets_file_names_comments_and_keyword_strings) {
    const auto t = ratchet::parse_targets(
        "# tenants\n\npostgresql://app:s3cret@db1:5432/a?schema=x\n  eu-1  postgres://app@db2/b\r\n"
        "host=db3 dbname=c user=app\nus-2 host=db4 dbname=d\n",
        "targets.txt");
    BOOST_TEST_REQUIRE(t.size() == 4U);
    BOOST_TEST(t[0].name.empty());
    BOOST_TEST(ratchet::target_label(t[0]) == "app@db1:5432/a/x");
    BOOST_TEST(t[1].name == "eu-1");
    BOOST_TEST(t[1].url == "postgres://app@db2/b");
    BOOST_TEST(t[2].url == "host=db3 dbname=c user=app");
    BOOST_TEST(t[3].name == "us-2");
    try {
        (void)ratchet::parse_targets("postgresql://a@h/d\npostgresql://u:pw_secret@h:notaport/d\n",
                                     "t.txt");
        BOOST_FAIL("expected an error");
    } catch (const ratchet::error& e) {
        const std::string text = e.what();
        BOOST_TEST(text.find("t.txt:2:") == 0U, text);
        BOOST_TEST(text.find("pw_secret") == std::string::npos, text);
    }
}

BOOST_AUTO_TEST_CASE(every_target_is_in_exactly_one_stable_shard) {
    std::vector<ratchet::fleet_target> targets;
    for (int i = 0; i < 300; ++i)
        targets.push_back({"", "postgresql://u:pw@h/db", "tenant_" + std::to_string(i)});
    std::map<std::size_t, int> sizes;
    for (const auto& t : targets) {
        const auto s = ratchet::shard_of(t, 4);
        BOOST_TEST(s < 4U);
        ++sizes[s];
    }
    BOOST_TEST(sizes.size() == 4U);
    for (const auto& [s, n] : sizes) BOOST_TEST(n > 40, s);  // roughly balanced
    // The password is not part of the identity: changing it keeps the shard.
    BOOST_TEST(ratchet::shard_of({"", "postgresql://u:other@h/db", "tenant_7"}, 4) ==
               ratchet::shard_of(targets[7], 4));
    // Stable across builds and machines: FNV-1a 64 of "u@h:5432/db/tenant_7".
    BOOST_TEST(ratchet::target_label(targets[7]) == "u@h:5432/db/tenant_7");
}

BOOST_AUTO_TEST_SUITE_END()
