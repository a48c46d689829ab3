// Torture tests: concurrent deployers, kill -9, lost connections, server crashes and dying
// lock holders. Each scenario ends with the same consistency check (support.hpp) and a
// deploy that must converge. Counts come from RATCHET_TORTURE_* (small CI defaults; see
// README.md for the soak run). Figures are printed as "torture: ..." lines.
#define BOOST_TEST_MODULE ratchet_torture_tests
#include <boost/test/unit_test.hpp>

#include "support.hpp"
#include "support/printing.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

using namespace torture;
using namespace std::chrono_literals;
using clk = std::chrono::steady_clock;
namespace utf = boost::unit_test;

namespace {

template <typename... A>
void figure(const char* fmt, A... args) {
    std::printf("torture: ");
    std::printf(fmt, args...);
    std::printf("\n");
    std::fflush(stdout);
}

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += "\n  " + s;
    return out;
}

unsigned seed_of() {
    const int s = knob("SEED", 0);
    return s != 0 ? static_cast<unsigned>(s) : std::random_device{}();
}

std::vector<std::string> deploy_args(const std::string& url, const migrations_dir& dir) {
    return {"deploy", "--url", url, "--dir", dir.dir(), "--lock-timeout", "300s"};
}

// Runs the CLI to completion (bounded); returns exit code and output.
std::pair<int, std::string> run_cli(const std::vector<std::string>& args,
                                    std::chrono::milliseconds limit = 120s) {
    child_process c = spawn_cli(args);
    const auto code = c.wait_for(limit);
    if (!code) c.kill9();
    return {code.value_or(-1), c.output()};
}

ratchet::engine make_engine(const std::string& url, const migrations_dir& dir,
                            std::chrono::milliseconds lock_timeout = 300s) {
    ratchet::options o;
    o.url = url;
    o.migrations = ratchet::load_directory(dir.path());
    o.lock_timeout = lock_timeout;
    return ratchet::engine{std::move(o)};
}

// Runs f in a thread; the result is the ratchet::error code name, "no error", or "other: what".
struct async_deploy {
    std::string code = "running";
    std::string message;
    std::thread t;
    clk::time_point finished;
    template <typename F>
    explicit async_deploy(F f) {
        t = std::thread{[this, f] {
            try {
                f();
                code = "no error";
            } catch (const ratchet::error& e) {
                code = std::string{e.code_name()};
                message = e.what();
            } catch (const std::exception& e) {
                code = "other";
                message = e.what();
            }
            finished = clk::now();
        }};
    }
    void join() { t.join(); }
};

// Polls the admin server until the SQL returns a row, or the limit passes.
bool wait_until(session& watcher, const std::string& sql, std::chrono::milliseconds limit,
                std::chrono::milliseconds step = 2ms) {
    const auto until = clk::now() + limit;
    while (clk::now() < until) {
        if (!watcher.exec(sql).empty()) return true;
        std::this_thread::sleep_for(step);
    }
    return false;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(torture, *utf::label("torture") * utf::label("db") *
                                   utf::precondition(ratchet_test::server_available))

// 1. N CLI processes and N engine threads deploy the same migrations at once, R rounds.
BOOST_AUTO_TEST_CASE(concurrent_deployers_apply_each_migration_once_in_order) {
    const int n = knob("DEPLOYERS", 8);
    const int rounds = knob("ROUNDS", 3);
    const int count = knob("MIGRATIONS", 200);
    const migrations_dir dir{{count}};
    const auto set = ratchet::load_directory(dir.path());
    int failures = 0;
    const auto all = clk::now();
    for (int round = 1; round <= rounds; ++round) {
        const scratch_db db;
        const auto start = clk::now();
        std::vector<child_process> procs;
        for (int i = 0; i < n; ++i) procs.push_back(spawn_cli(deploy_args(db.url(), dir)));
        std::mutex mu;
        std::vector<std::string> errors;
        std::vector<std::thread> threads;
        for (int i = 0; i < n; ++i) {
            threads.emplace_back([&] {
                try {
                    ratchet::options o;
                    o.url = db.url();
                    o.migrations = set;
                    o.lock_timeout = 300s;
                    ratchet::engine{std::move(o)}.deploy();
                } catch (const std::exception& e) {
                    std::lock_guard l{mu};
                    errors.push_back(std::string{"thread: "} + e.what());
                }
            });
        }
        for (auto& t : threads) t.join();
        for (auto& p : procs) {
            const auto code = p.wait_for(300s);
            if (code != 0)
                errors.push_back("process exit " + std::to_string(code.value_or(-1)) + ": " +
                                 p.output());
        }
        const auto c = check_consistency(db.url(), count);
        const auto rows = scalar(db.url(), "SELECT count(*) FROM _prisma_migrations");
        BOOST_TEST(errors.empty(), "round " << round << ":" << join(errors));
        BOOST_TEST(c.violations.empty(), "round " << round << ":" << join(c.violations));
        BOOST_TEST(c.applied == count);
        BOOST_TEST(rows == std::to_string(count), "history rows: " << rows.value_or("?"));
        if (!errors.empty() || !c.violations.empty() || c.applied != count) ++failures;
        figure("concurrency round %d: %d processes + %d threads, %d migrations, %.2f s, %s", round,
               n, n, count, seconds_since(start),
               errors.empty() && c.violations.empty() ? "ok" : "FAILED");
    }
    figure("concurrency: %d rounds x %d deployers, %d failures, %.1f s", rounds, 2 * n, failures,
           seconds_since(all));
}

// 2a. kill -9 of the CLI at random moments of a deploy (script, COMMIT, bookkeeping).
BOOST_AUTO_TEST_CASE(kill_9_never_leaves_a_half_applied_migration) {
    const int trials = knob("KILL_TRIALS", 20);
    const unsigned seed = seed_of();
    std::mt19937 rng{seed};
    const int count = 8;
    const migrations_dir dir{{count, 0.02, 0.03}};
    double full = 0;
    {
        const scratch_db db;
        const auto start = clk::now();
        BOOST_REQUIRE(run_cli(deploy_args(db.url(), dir)).first == 0);
        full = seconds_since(start);
    }
    session watcher{admin_url()};
    int failures = 0;
    int in_commit = 0;
    int finished_before_kill = 0;
    std::map<int, int> applied_at_kill;
    const auto all = clk::now();
    for (int trial = 1; trial <= trials; ++trial) {
        const scratch_db db;
        child_process c = spawn_cli(deploy_args(db.url(), dir));
        const auto delay = std::uniform_real_distribution<double>{0.0, full * 1.05}(rng);
        std::this_thread::sleep_for(std::chrono::duration<double>{delay});
        const auto during_commit =
            watcher.exec("SELECT 1 FROM pg_stat_activity WHERE datname = '" + db.name() +
                         "' AND wait_event = 'PgSleep' AND query LIKE '%COMMIT%'");
        c.kill9();
        if (!during_commit.empty()) ++in_commit;
        db.wait_idle(15s);
        const auto after_kill = check_consistency(db.url(), count);
        applied_at_kill[after_kill.applied]++;
        if (after_kill.applied == count) ++finished_before_kill;
        BOOST_TEST(after_kill.violations.empty(),
                   "trial " << trial << " (seed " << seed << ", kill at " << delay
                            << " s):" << join(after_kill.violations));
        const auto [code, out] = run_cli(deploy_args(db.url(), dir));
        const auto after = check_consistency(db.url(), count);
        BOOST_TEST(code == 0, "trial " << trial << ": next deploy exit " << code << ":\n" << out);
        BOOST_TEST(after.violations.empty(),
                   "trial " << trial << " after the next deploy:" << join(after.violations));
        BOOST_TEST(after.applied == count);
        if (!after_kill.violations.empty() || code != 0 || !after.violations.empty() ||
            after.applied != count)
            ++failures;
    }
    std::string dist;
    for (const auto& [k, v] : applied_at_kill)
        dist += " " + std::to_string(k) + ":" + std::to_string(v);
    figure(
        "kill -9: %d trials (seed %u, deploy %.2f s), %d killed during COMMIT, %d after the last "
        "migration, "
        "applied-at-kill histogram {%s }, %d failures, %.1f s",
        trials, seed, full, in_commit, finished_before_kill, dist.c_str(), failures,
        seconds_since(all));
}

// 2b. kill -9 midway through a no-transaction migration (two CREATE INDEX CONCURRENTLY):
// a failed row blocks with P3009 until resolved, and both resolve paths recover.
BOOST_AUTO_TEST_CASE(kill_9_in_a_non_transactional_migration_blocks_until_resolved) {
    const int trials = knob("NONTX_TRIALS", 1);
    const std::string m2 = "0002_indexes";
    int failures = 0;
    const auto all = clk::now();
    for (int trial = 1; trial <= trials; ++trial) {
        for (const std::string path : {"rolled-back", "applied"}) {
            migrations_dir dir{{0}};
            dir.add_raw(
                "0001_big",
                "CREATE TABLE big (x int, y int);\n"
                "INSERT INTO big SELECT g, g FROM generate_series(1, 300) g;\n"
                "CREATE FUNCTION slow_id(int) RETURNS int IMMUTABLE LANGUAGE plpgsql AS $$\n"
                "BEGIN PERFORM pg_sleep(0.002); RETURN $1; END $$;\n");
            dir.add_raw(m2,
                        "-- ratchet:no-transaction\n"
                        "CREATE INDEX CONCURRENTLY a_idx ON big (x);\n"
                        "CREATE INDEX CONCURRENTLY b_idx ON big (slow_id(y));\n");
            dir.add_raw("0003_after", "CREATE TABLE after_ok (x int);\n");
            const scratch_db db;
            session watcher{admin_url()};
            child_process c = spawn_cli(deploy_args(db.url(), dir));
            const bool midway =
                wait_until(watcher,
                           "SELECT 1 FROM pg_stat_activity WHERE datname = '" + db.name() +
                               "' AND query LIKE '%b_idx%' AND state = 'active'",
                           30s);
            std::this_thread::sleep_for(100ms);
            c.kill9();
            BOOST_TEST(midway, "the deployer never reached the second CREATE INDEX CONCURRENTLY");
            db.wait_idle(30s);
            const auto a_idx = scalar(db.url(), "SELECT to_regclass('a_idx') IS NOT NULL");
            const auto b_state = scalar(db.url(),
                                        "SELECT coalesce((SELECT indisvalid::text FROM pg_index "
                                        "WHERE indexrelid = to_regclass('b_idx')), 'absent')");
            const auto failed_rows = scalar(
                db.url(), "SELECT count(*) FROM _prisma_migrations WHERE migration_name = '" + m2 +
                              "' AND finished_at IS NULL AND rolled_back_at IS NULL");
            BOOST_TEST(failed_rows == "1",
                       "failed rows for " << m2 << ": " << failed_rows.value_or("?"));
            const auto [blocked, blocked_out] = run_cli(deploy_args(db.url(), dir));
            BOOST_TEST(blocked == 1);
            BOOST_TEST(blocked_out.find("P3009") != std::string::npos, blocked_out);
            std::pair<int, std::string> resolved;
            if (path == "rolled-back") {
                // The operator undoes what ran, then lets deploy run the migration again.
                query(db.url(), "DROP INDEX IF EXISTS a_idx; DROP INDEX IF EXISTS b_idx;");
                resolved = run_cli(
                    {"resolve", "--url", db.url(), "--dir", dir.dir(), "--rolled-back", m2});
            } else {
                // The operator finishes it by hand, then records it as applied.
                query(db.url(),
                      "DROP INDEX IF EXISTS b_idx; CREATE INDEX IF NOT EXISTS a_idx ON big (x); "
                      "CREATE INDEX b_idx ON big (slow_id(y));");
                resolved =
                    run_cli({"resolve", "--url", db.url(), "--dir", dir.dir(), "--applied", m2});
            }
            BOOST_TEST(resolved.first == 0, path << ": " << resolved.second);
            const auto [code, out] = run_cli(deploy_args(db.url(), dir));
            BOOST_TEST(code == 0, path << ": deploy after resolve: " << out);
            const auto valid =
                scalar(db.url(),
                       "SELECT count(*) FROM pg_index WHERE indexrelid IN (to_regclass('a_idx'), "
                       "to_regclass('b_idx')) AND indisvalid");
            const auto after = scalar(db.url(), "SELECT to_regclass('after_ok') IS NOT NULL");
            const auto open = scalar(db.url(),
                                     "SELECT count(*) FROM _prisma_migrations WHERE finished_at IS "
                                     "NULL AND rolled_back_at IS NULL");
            BOOST_TEST(valid == "2");
            BOOST_TEST(after == "t");
            BOOST_TEST(open == "0");
            const bool ok = midway && failed_rows == "1" && blocked == 1 && resolved.first == 0 &&
                            code == 0 && valid == "2" && after == "t" && open == "0";
            if (!ok) ++failures;
            figure(
                "no-transaction kill (resolve --%s): a_idx %s, b_idx %s at kill; P3009 %s; "
                "recovered %s",
                path.c_str(), a_idx == "t" ? "built" : "absent", b_state.value_or("?").c_str(),
                blocked == 1 ? "yes" : "NO", ok ? "yes" : "NO");
        }
    }
    figure("no-transaction kill: %d trials x 2 resolve paths, %d failures, %.1f s", trials,
           failures, seconds_since(all));
}

// 3. A proxy cuts the connection mid-script, mid-COMMIT and while waiting for the lock.
BOOST_AUTO_TEST_CASE(lost_connections_are_reported_and_never_apply_twice) {
    const int trials = knob("CUT_TRIALS", 1);
    tcp_proxy proxy{std::stoi(ratchet_test::host_port(admin_url()).second)};
    session watcher{admin_url()};
    int failures = 0;
    int in_doubt_committed = 0;
    int in_doubt_total = 0;
    std::map<std::string, int> codes;
    const auto all = clk::now();
    for (int trial = 1; trial <= trials; ++trial) {
        for (const std::string where : {"mid-script", "mid-commit", "lock-wait"}) {
            const int count = 3;
            plan_options p{count, 0, 0, 2};
            if (where == "mid-script") p.script_sleep = 2;
            if (where == "mid-commit") p.commit_sleep = 2;
            const migrations_dir dir{p};
            const scratch_db db;
            const std::string app = "torture_cut_" + std::to_string(::getpid());
            std::unique_ptr<session> holder;
            if (where == "lock-wait") {
                // Someone else holds the migration lock; the deployer polls for it.
                query(db.url(), "SELECT 1");
                BOOST_REQUIRE(run_cli(deploy_args(db.url(), dir)).first == 0);  // history exists
                query(db.url(),
                      "DELETE FROM _prisma_migrations WHERE migration_name <> '0001_m1'; DROP "
                      "TABLE t_0002, t_0003; DELETE FROM applied_log WHERE name <> '0001_m1'");
                holder = std::make_unique<session>(db.url());
                holder->exec("SELECT pg_advisory_lock(72707369)");
            }
            auto eng = make_engine(db.url_via(proxy.port(), "application_name=" + app), dir, 60s);
            async_deploy d{[&eng] { eng.deploy(); }};
            std::string cond =
                "SELECT 1 FROM pg_stat_activity WHERE application_name = '" + app + "'";
            if (where == "mid-script")
                cond += " AND wait_event = 'PgSleep' AND query NOT LIKE '%COMMIT%'";
            if (where == "mid-commit")
                cond += " AND wait_event = 'PgSleep' AND query LIKE '%COMMIT%'";
            const bool reached = wait_until(watcher, cond, 30s);
            if (where == "lock-wait")
                std::this_thread::sleep_for(300ms);  // polling pg_try_advisory_lock
            proxy.cut();
            d.join();
            holder.reset();
            BOOST_TEST(reached, where << ": the deployer never got there");
            const bool clear = d.code == "P1001" || d.code == "commit_in_doubt";
            BOOST_TEST(clear, where << ": error code " << d.code << ": " << d.message);
            codes[where + " -> " + d.code]++;
            db.wait_idle(15s);
            const auto after_cut = check_consistency(db.url(), count);
            BOOST_TEST(after_cut.violations.empty(), where << ":" << join(after_cut.violations));
            if (where == "mid-commit") {
                ++in_doubt_total;
                const bool committed = after_cut.applied >= 2;
                if (committed) ++in_doubt_committed;
                // What ratchet tells the operator about the in-doubt COMMIT must be true.
                const bool says_not = d.message.find("not committed") != std::string::npos;
                const bool says_yes =
                    !says_not && d.message.find("was committed") != std::string::npos;
                BOOST_TEST(
                    !(committed && says_not),
                    "in-doubt COMMIT: the migration WAS committed but ratchet says: " << d.message);
                BOOST_TEST(!(!committed && says_yes),
                           "in-doubt COMMIT: the migration was NOT committed but ratchet says: "
                               << d.message);
                if ((committed && says_not) || (!committed && says_yes)) ++failures;
                figure("cut mid-COMMIT: server outcome %s; ratchet reported %s (retryable %s): %s",
                       after_cut.applied >= 2 ? "COMMITTED" : "rolled back", d.code.c_str(),
                       d.code == "P1001" ? "yes" : "n/a", d.message.substr(0, 160).c_str());
            } else {
                BOOST_TEST(after_cut.applied == 1,
                           where << ": " << after_cut.applied << " applied after the cut");
                figure("cut %s: ratchet reported %s: %s", where.c_str(), d.code.c_str(),
                       d.message.substr(0, 160).c_str());
            }
            const auto [code, out] = run_cli(deploy_args(db.url(), dir));
            const auto after = check_consistency(db.url(), count);
            BOOST_TEST(code == 0, where << ": next deploy: " << out);
            BOOST_TEST(after.violations.empty(),
                       where << " after the next deploy:" << join(after.violations));
            BOOST_TEST(after.applied == count);
            if (!reached || !clear || !after_cut.violations.empty() || code != 0 ||
                !after.violations.empty() || after.applied != count)
                ++failures;
        }
    }
    std::string summary;
    for (const auto& [k, v] : codes) summary += " [" + k + "] x" + std::to_string(v);
    figure(
        "lost connections: %d trials x 3 cut points, %d connections cut, in-doubt COMMITs %d "
        "(committed %d), codes:%s, %d failures, %.1f s",
        trials, proxy.connections_cut(), in_doubt_total, in_doubt_committed, summary.c_str(),
        failures, seconds_since(all));
}

namespace {

struct cluster {
    std::string dir;
    std::string pgbin;
    std::string pgdata;
    int port = 0;
    std::string admin;

    static std::string script() {
        return std::string{RATCHET_SOURCE_DIR} + "/scripts/pg-cluster.sh";
    }

    cluster() {
        dir = std::string{RATCHET_TORTURE_WORKDIR} + "/crash-pg-" + std::to_string(::getpid());
        const auto started = ratchet_test::run({script(), "start", dir});
        if (started.code != 0)
            throw std::runtime_error("cannot start the throwaway cluster:\n" + started.out);
        std::ifstream env{dir + "/env"};
        for (std::string line; std::getline(env, line);) {
            const auto eq = line.find('=');
            const std::string key = line.substr(7, eq - 7);  // "export "
            const std::string value = line.substr(eq + 1);
            if (key == "RATCHET_TEST_PGBIN") pgbin = value;
            if (key == "RATCHET_TEST_PGDATA") pgdata = value;
            if (key == "RATCHET_TEST_PORT") port = std::stoi(value);
            if (key == "RATCHET_TEST_ADMIN_URL") admin = value;
        }
        // pg-cluster.sh runs with synchronous_commit=off, which would let an immediate restart
        // lose acknowledged commits: restart durable (fsync stays off: a process crash keeps
        // the OS page cache).
        pg_ctl({"restart", "-m", "fast"});
    }
    ~cluster() {
        try {
            (void)ratchet_test::run({script(), "stop", dir});
        } catch (const std::exception&) {  // a destructor must not throw; the directory stays
        }
    }
    void pg_ctl(const std::vector<std::string>& action) const {
        std::vector<std::string> argv;
        if (::geteuid() == 0) argv = {"runuser", "-u", "postgres", "--"};
        argv.insert(argv.end(), {pgbin + "/pg_ctl", "-D", pgdata, "-w", "-t", "120", "-l",
                                 dir + "/server.log", "-o",
                                 "-F -p " + std::to_string(port) + " -k " + dir +
                                     " -c listen_addresses=127.0.0.1 -c max_connections=200"});
        argv.insert(argv.end(), action.begin(), action.end());
        const auto r = ratchet_test::run(argv, {}, 180s);
        if (r.code != 0) {
            std::string what;
            for (const auto& a : action) what += " " + a;
            throw std::runtime_error("pg_ctl" + what + " failed:\n" + r.out);
        }
    }
};

}  // namespace

// 4. pg_ctl restart -m immediate of a throwaway cluster during a deploy.
BOOST_AUTO_TEST_CASE(server_crash_during_deploy) {
    const int trials = knob("RESTART_TRIALS", 3);
    const unsigned seed = seed_of();
    std::mt19937 rng{seed};
    const cluster pg;
    const int count = 8;
    const migrations_dir dir{{count, 0.05, 0.05}};
    int failures = 0;
    int mid_deploy = 0;
    const auto all = clk::now();
    for (int trial = 1; trial <= trials; ++trial) {
        const scratch_db db{{.admin_url = pg.admin}};
        child_process c = spawn_cli(deploy_args(db.url(), dir));
        const auto delay = std::uniform_real_distribution<double>{0.05, 1.0}(rng);
        std::this_thread::sleep_for(std::chrono::duration<double>{delay});
        pg.pg_ctl({"restart", "-m", "immediate"});
        const auto code = c.wait_for(120s);
        if (!code) c.kill9();
        const std::string out = c.output();
        BOOST_TEST(code.has_value(), "trial " << trial << ": the deployer hung after the crash");
        if (code == 1) {
            ++mid_deploy;
            BOOST_TEST((out.find("P1001") != std::string::npos ||
                        out.find("connection") != std::string::npos ||
                        out.find("terminat") != std::string::npos),
                       "trial " << trial << ": unclear error:\n"
                                << out);
        } else {
            BOOST_TEST(code.value_or(-1) == 0, "trial " << trial << ": exit " << code.value_or(-1)
                                                        << ":\n"
                                                        << out);
        }
        const auto after_crash = check_consistency(db.url(), count);
        BOOST_TEST(after_crash.violations.empty(),
                   "trial " << trial << " (seed " << seed << "):" << join(after_crash.violations));
        const auto [next, next_out] = run_cli(deploy_args(db.url(), dir));
        const auto after = check_consistency(db.url(), count);
        BOOST_TEST(next == 0, "trial " << trial << ": next deploy: " << next_out);
        BOOST_TEST(after.violations.empty(), join(after.violations));
        BOOST_TEST(after.applied == count);
        if (!code || !after_crash.violations.empty() || next != 0 || !after.violations.empty() ||
            after.applied != count)
            ++failures;
        figure("server crash trial %d: restart at %.2f s, deployer exit %d, %d applied at crash",
               trial, delay, code.value_or(-1), after_crash.applied);
    }
    figure("server crash: %d trials (seed %u), %d interrupted a deploy, %d failures, %.1f s",
           trials, seed, mid_deploy, failures, seconds_since(all));
}

// 5. A lock holder that dies releases the lock; the lock-timeout error names the holder.
BOOST_AUTO_TEST_CASE(dead_lock_holders_release_the_lock) {
    const auto all = clk::now();
    session watcher{admin_url()};
    // a) an idle session (psql-like) holding the lock is killed -9.
    {
        const migrations_dir dir{{3}};
        const scratch_db db;
        const std::string url = db.url("application_name=torture_holder");
        child_process holder = child_process::forked([&url] {
            const session s{url};
            s.exec("SELECT pg_advisory_lock(72707369)");
            for (;;) ::pause();  // idle, holding the lock, until killed
            return 0;
        });
        const bool held = wait_until(watcher,
                                     "SELECT 1 FROM pg_locks l JOIN pg_stat_activity a USING "
                                     "(pid) WHERE l.locktype = 'advisory' AND l.granted AND "
                                     "l.objid = 72707369 AND a.datname = '" +
                                         db.name() + "' AND a.application_name = 'torture_holder'",
                                     30s);
        BOOST_REQUIRE_MESSAGE(held, "the holder did not take the lock: " << holder.output());
        auto eng = make_engine(db.url(), dir, 60s);
        async_deploy d{[&eng] { eng.deploy(); }};
        std::this_thread::sleep_for(500ms);
        BOOST_TEST(d.code == "running", "the deployer did not wait for the lock");
        const auto killed = clk::now();
        holder.kill9();
        d.join();
        const double took = std::chrono::duration<double>(d.finished - killed).count();
        BOOST_TEST(d.code == "no error", d.message);
        BOOST_TEST(took < 5.0);
        const auto c = check_consistency(db.url(), 3);
        BOOST_TEST(c.violations.empty(), join(c.violations));
        BOOST_TEST(c.applied == 3);
        figure("lock: idle holder killed -9; waiter finished %.2f s later (%s)", took,
               d.code.c_str());
    }
    // b) a deployer holding the lock is killed -9 while its migration runs pg_sleep(3): the
    // server only notices when the statement ends, so the lock goes then.
    {
        const int count = 3;
        const migrations_dir dir{{count, 3, 0, 1}};
        const scratch_db db;
        child_process a = spawn_cli(deploy_args(db.url(), dir));
        const bool holding = wait_until(watcher,
                                        "SELECT 1 FROM pg_stat_activity WHERE datname = '" +
                                            db.name() + "' AND wait_event = 'PgSleep'",
                                        30s);
        BOOST_TEST(holding);
        auto eng = make_engine(db.url(), dir, 60s);
        std::chrono::microseconds lock_wait{0};
        async_deploy d{[&eng, &lock_wait] { lock_wait = eng.deploy().lock_wait; }};
        std::this_thread::sleep_for(300ms);
        a.kill9();
        d.join();
        const double took = std::chrono::duration<double>(lock_wait).count() - 0.3;
        BOOST_TEST(d.code == "no error", d.message);
        BOOST_TEST(took < 10.0);
        const auto c = check_consistency(db.url(), count);
        BOOST_TEST(c.violations.empty(), join(c.violations));
        BOOST_TEST(c.applied == count);
        figure(
            "lock: deployer killed -9 in pg_sleep(3); waiter got the lock %.2f s later, when the "
            "statement ended (%s)",
            took, d.code.c_str());
    }
    // c) the lock-timeout error names the holder.
    {
        const migrations_dir dir{{1}};
        const scratch_db db;
        session holder{db.url("application_name=torture_holder")};
        holder.exec("SELECT pg_advisory_lock(72707369)");
        auto eng = make_engine(db.url(), dir, 1s);
        std::string code;
        std::string text;
        try {
            eng.deploy();
        } catch (const ratchet::error& e) {
            code = std::string{e.code_name()};
            text = e.what();
        }
        BOOST_TEST(code == "P1002");
        BOOST_TEST(text.find("pid " + std::to_string(holder.pid())) != std::string::npos, text);
        BOOST_TEST(text.find("torture_holder") != std::string::npos, text);
        figure("lock: timeout error %s names the holder: %s", code.c_str(),
               text.find("torture_holder") != std::string::npos ? "yes" : "NO");
    }
    figure("lock: %.1f s", seconds_since(all));
}

BOOST_AUTO_TEST_SUITE_END()
