// The `ratchet` CLI over a fleet, as a separate process: JSON lines and exit codes, shards,
// SIGINT, and kill -9 of the runner followed by a rerun.
#include "support.hpp"

#include "support/process.hpp"

#include <signal.h>

#include <fstream>
#include <set>
#include <sstream>
#include <thread>

using namespace fleet_test;
namespace utf = boost::unit_test;
using namespace std::chrono_literals;

namespace {

std::vector<std::string> cli_argv(const std::vector<std::string>& args) {
    std::vector<std::string> all{RATCHET_CLI_PATH};
    all.insert(all.end(), args.begin(), args.end());
    return all;
}

/// The CLI in the background: stdout and stderr to their own files.
ratchet_test::child_process spawn_cli(const std::vector<std::string>& args) {
    return ratchet_test::child_process{cli_argv(args), {.separate_stderr = true}};
}

ratchet_test::run_result run_cli(const std::vector<std::string>& args) {
    return ratchet_test::run(cli_argv(args), {.separate_stderr = true});
}

std::vector<std::string> lines_with(const std::string& text, const std::string& needle) {
    std::vector<std::string> out;
    std::istringstream in{text};
    for (std::string l; std::getline(in, l);) {
        if (l.find(needle) != std::string::npos) out.push_back(l);
    }
    return out;
}

std::string csv_schemas(int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += (i ? "," : "") + std::string{"tenant_"} + std::to_string(i);
    return s;
}

// Every schema: a migration's table exists if and only if its finished history row does, no
// migration recorded as finished twice, and nothing half-applied. Returns the finished count.
int consistent_count(const scratch_db& db, const std::string& schema, int migrations) {
    const auto has_history =
        db.scalar("SELECT to_regclass('" + schema + "._prisma_migrations') IS NOT NULL")
            .value_or("") == "t";
    int finished = 0;
    for (int k = 1; k <= migrations; ++k) {
        char name[32];
        std::snprintf(name, sizeof name, "%04d_m%04d", k, k);
        const std::string rows = has_history
                                     ? db.scalar("SELECT count(*) FROM " + schema +
                                                 "._prisma_migrations WHERE migration_name = '" +
                                                 name + "' AND finished_at IS NOT NULL")
                                           .value_or("")
                                     : "0";
        const bool table =
            db.scalar("SELECT to_regclass('" + schema + ".t" + std::to_string(k) + "') IS NOT NULL")
                .value_or("") == "t";
        BOOST_TEST(rows == (table ? "1" : "0"), schema << " " << name);
        finished += table ? 1 : 0;
    }
    return finished;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fleet_cli, *utf::label("db") * utf::precondition(server_available))

BOOST_AUTO_TEST_CASE(json_lines_summary_failure_table_and_exit_codes) {
    scratch_db db;
    migrations_dir dir;
    add_tables(dir, 3);
    const std::string dead =
        "postgresql://postgres:pw_do_not_print@127.0.0.1:" + std::to_string(closed_port()) + "/x";
    const auto targets =
        std::filesystem::temp_directory_path() / ("ratchet_fleet_targets_" + db.name());
    std::ofstream{targets} << "# two tenants and a dead server\n"
                           << "alpha " << db.url("schema=alpha") << "\n\n"
                           << db.url("schema=beta") << "\n"
                           << "dead " << dead << "\n";
    const auto r = run_cli({"deploy", "--dir", dir.path().string(), "--targets", targets.string(),
                            "--json", "--lock-timeout", "5s"});
    BOOST_TEST(r.code == 1);
    const auto per_target = lines_with(r.out, "\"type\":\"target\"");
    BOOST_TEST(per_target.size() == 3U);
    const auto summary = lines_with(r.out, "\"type\":\"summary\"");
    BOOST_TEST_REQUIRE(summary.size() == 1U);
    BOOST_TEST(summary[0].find("\"succeeded\":2") != std::string::npos, summary[0]);
    BOOST_TEST(summary[0].find("\"failed\":1") != std::string::npos, summary[0]);
    BOOST_TEST(summary[0].find("\"code\":\"P1001\"") != std::string::npos, summary[0]);
    BOOST_TEST(r.out.find("pw_do_not_print") == std::string::npos);
    BOOST_TEST(r.err.find("pw_do_not_print") == std::string::npos);
    BOOST_TEST(consistent_count(db, "alpha", 3) == 3);
    BOOST_TEST(consistent_count(db, "beta", 3) == 3);

    // human mode: the failure table names the target and its code
    const auto h = run_cli({"deploy", "--dir", dir.path().string(), "--targets", targets.string()});
    BOOST_TEST(h.code == 1);
    BOOST_TEST(lines_with(h.err, "dead").size() >= 1U);
    BOOST_TEST(lines_with(h.err, "P1001").size() >= 1U, h.err);
    // the live ones alone: exit 0, and status agrees
    std::ofstream{targets} << "alpha " << db.url("schema=alpha") << "\n"
                           << db.url("schema=beta") << "\n";
    BOOST_TEST(
        run_cli({"status", "--dir", dir.path().string(), "--targets", targets.string(), "-q"})
            .code == 0);
    dir.add("0004_m0004", "CREATE TABLE t4 (id int);");
    const auto behind =
        run_cli({"status", "--dir", dir.path().string(), "--targets", targets.string(), "--json"});
    BOOST_TEST(behind.code == 1);
    BOOST_TEST(lines_with(behind.out, "\"state\":\"database_is_behind\"").size() == 2U);
    std::filesystem::remove(targets);
}

BOOST_AUTO_TEST_CASE(shards_partition_the_fleet) {
    scratch_db db;
    migrations_dir dir;
    add_tables(dir, 1);
    std::multiset<std::string> seen;
    for (int i = 1; i <= 3; ++i) {
        const auto r =
            run_cli({"plan", "--dir", dir.path().string(), "--url", db.url(), "--schemas",
                     csv_schemas(12), "--shard", std::to_string(i) + "/3", "--json"});
        BOOST_TEST(r.code == 0);
        for (const auto& l : lines_with(r.out, "\"type\":\"target\"")) {
            const auto at = l.find("\"target\":\"");
            seen.insert(l.substr(at + 10, l.find('"', at + 10) - at - 10));
        }
    }
    BOOST_TEST(seen.size() == 12U);
    for (int i = 0; i < 12; ++i) BOOST_TEST(seen.count("tenant_" + std::to_string(i)) == 1U);
    BOOST_TEST(run_cli({"plan", "--dir", dir.path().string(), "--url", db.url(), "--schemas", "a",
                        "--shard", "4/3"})
                   .code == 2);
}

BOOST_AUTO_TEST_CASE(sigint_stops_new_targets_and_a_rerun_finishes) {
    scratch_db db;
    migrations_dir dir;
    add_tables(dir, 2);
    dir.add("0003_m0003", "SELECT pg_sleep(0.2); CREATE TABLE t3 (id int);");
    const int n = 12;
    auto c = spawn_cli({"deploy", "--dir", dir.path().string(), "--url", db.url(), "--schemas",
                        csv_schemas(n), "--parallel", "2", "--json"});
    // wait until some targets are done, then interrupt
    session s{db.url()};
    for (int i = 0; i < 400; ++i) {
        if (s.scalar("SELECT count(*) >= 2 FROM pg_tables WHERE tablename = 't3'").value_or("") ==
            "t")
            break;
        std::this_thread::sleep_for(25ms);
    }
    ::kill(c.pid(), SIGINT);
    const int code = c.wait_for(120s).value_or(-1);
    const std::string out = c.output();
    BOOST_TEST(code == 130);
    const auto summary = lines_with(out, "\"type\":\"summary\"");
    BOOST_TEST_REQUIRE(summary.size() == 1U);
    BOOST_TEST(summary[0].find("\"interrupted\":true") != std::string::npos, summary[0]);
    BOOST_TEST(summary[0].find("\"in_flight_abandoned\":[]") != std::string::npos, summary[0]);
    int done = 0;
    for (int i = 0; i < n; ++i)
        done += consistent_count(db, "tenant_" + std::to_string(i), 3) == 3 ? 1 : 0;
    BOOST_TEST(done >= 2);
    BOOST_TEST(done < n);  // stopped before the end
    const auto rerun = run_cli({"deploy", "--dir", dir.path().string(), "--url", db.url(),
                                "--schemas", csv_schemas(n), "--parallel", "4", "-q"});
    BOOST_TEST(rerun.code == 0, rerun.err);
    for (int i = 0; i < n; ++i)
        BOOST_TEST(consistent_count(db, "tenant_" + std::to_string(i), 3) == 3);
}

BOOST_AUTO_TEST_CASE(kill_9_of_the_runner_then_a_rerun_leaves_every_target_consistent) {
    scratch_db db;
    migrations_dir dir;
    for (int k = 1; k <= 5; ++k) {
        char name[32];
        std::snprintf(name, sizeof name, "%04d_m%04d", k, k);
        dir.add(name, "CREATE TABLE t" + std::to_string(k) + " (id int); SELECT pg_sleep(0.03);");
    }
    const int n = 16;
    auto c = spawn_cli({"deploy", "--dir", dir.path().string(), "--url", db.url(), "--schemas",
                        csv_schemas(n), "--parallel", "4", "-q"});
    session s{db.url()};
    for (int i = 0; i < 400; ++i) {
        if (s.scalar("SELECT count(*) >= 12 FROM pg_tables WHERE tablename LIKE 't_'")
                .value_or("") == "t")
            break;
        std::this_thread::sleep_for(10ms);
    }
    BOOST_TEST(c.kill9() == 128 + SIGKILL);
    // the server ends the killed runner's sessions; wait (bounded) until they are gone
    for (int i = 0; i < 400; ++i) {
        if (s.scalar("SELECT count(*) = 0 FROM pg_stat_activity WHERE application_name = 'ratchet' "
                     "AND datname = "
                     "current_database()")
                .value_or("") == "t")
            break;
        std::this_thread::sleep_for(25ms);
    }
    int total = 0;
    for (int i = 0; i < n; ++i) total += consistent_count(db, "tenant_" + std::to_string(i), 5);
    BOOST_TEST(total < n * 5);  // killed mid-way
    const auto rerun = run_cli({"deploy", "--dir", dir.path().string(), "--url", db.url(),
                                "--schemas", csv_schemas(n), "--parallel", "4", "--json"});
    BOOST_TEST(rerun.code == 0, rerun.out);
    for (int i = 0; i < n; ++i)
        BOOST_TEST(consistent_count(db, "tenant_" + std::to_string(i), 5) == 5);
}

BOOST_AUTO_TEST_SUITE_END()
