#include "fleet_cli.hpp"

#include <ratchet/fleet.hpp>

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

namespace ratchet_cli {
namespace {

using json = nlohmann::json;
using steady = std::chrono::steady_clock;

std::atomic<int> g_signals{0};
std::atomic<bool> g_stop{false};

extern "C" void on_stop_signal(int) {
    g_signals.fetch_add(1);
    g_stop.store(true);
}

std::chrono::milliseconds duration_or_usage(const std::string& value, const std::string& flag) {
    const auto d = ratchet::parse_duration(value);
    if (!d)
        throw usage_error("invalid " + flag + " '" + value + "': write e.g. 500ms, 10s or 2min");
    return *d;
}

// The first line of an error text, plus the lock holder when P1002 names one.
std::string first_line(std::string_view text) {
    const auto nl = text.find('\n');
    std::string s{text.substr(0, nl)};
    if (s.size() > 200) s = s.substr(0, 197) + "...";
    const auto held = text.find("The lock is held by ");
    if (held != std::string_view::npos)
        s += " " + std::string{text.substr(held, text.find('\n', held) - held)};
    return s;
}

double ms(std::chrono::microseconds d) {
    return static_cast<double>(d.count()) / 1000.0;
}

std::vector<std::string> split_list(const std::string& text) {
    std::vector<std::string> out;
    std::string cur;
    for (const char c : text + ",") {
        if (c == ',') {
            const auto b = cur.find_first_not_of(" \t");
            const auto e = cur.find_last_not_of(" \t");
            if (b != std::string::npos) out.push_back(cur.substr(b, e - b + 1));
            cur.clear();
        } else {
            cur += c;
        }
    }
    return out;
}

std::pair<std::size_t, std::size_t> parse_shard(const std::string& s) {
    const auto slash = s.find('/');
    try {
        if (slash == std::string::npos) throw std::invalid_argument{s};
        std::size_t used = 0;
        const auto i = std::stoul(s.substr(0, slash), &used);
        if (used != slash) throw std::invalid_argument{s};
        const auto rest = s.substr(slash + 1);
        const auto n = std::stoul(rest, &used);
        if (used != rest.size() || n == 0 || i == 0 || i > n) throw std::invalid_argument{s};
        return {i, n};
    } catch (const std::exception&) {
        throw usage_error("invalid --shard '" + s + "': write i/n with 1 <= i <= n, e.g. 2/4");
    }
}

// The state word of a finished target, as in the JSON lines and the summary counts.
std::string state_of(const std::string& command, const ratchet::target_result& r) {
    if (!r.started) return "not_started";
    if (r.failure) return command == "deploy" ? "failed" : "error";
    if (r.deploy) return r.deploy->applied.empty() ? "up_to_date" : "applied";
    if (r.status) return std::string{ratchet::to_string(r.status->summary)};
    if (r.plan) {
        if (r.plan->blocking) return "blocked";
        return r.plan->to_apply.empty() ? "up_to_date" : "would_apply";
    }
    return "unknown";
}

json error_json(const ratchet::error& e) {
    return {{"code", e.code_name()},
            {"message", e.what()},
            {"sqlstate", e.sqlstate().empty() ? json(nullptr) : json(e.sqlstate())},
            {"migration", e.migration().empty() ? json(nullptr) : json(e.migration())},
            {"retryable", e.retryable()}};
}

json target_json(const std::string& command, const ratchet::target_result& r) {
    json j{{"type", "target"},
           {"command", command},
           {"target", r.label},
           {"index", r.index},
           {"ok", r.ok},
           {"state", state_of(command, r)},
           {"duration_ms", ms(r.duration)}};
    json applied = json::array();
    json pending = json::array();
    if (r.deploy) {
        for (const auto& a : r.deploy->applied) applied.push_back(a.name);
    }
    if (r.status) {
        for (const auto& m : r.status->migrations) {
            if (m.state == ratchet::migration_state::pending) pending.push_back(m.name);
        }
    }
    if (r.plan) {
        for (const auto& n : r.plan->to_apply) pending.push_back(n);
    }
    j["applied"] = applied;
    j["pending"] = pending;
    if (r.failure) {
        j["error"] = error_json(*r.failure);
    } else if (r.plan && r.plan->blocking) {
        j["error"] = error_json(*r.plan->blocking);
    } else {
        j["error"] = nullptr;
    }
    return j;
}

// What the run has seen so far, shared by the callbacks, the signal watchdog and the summary.
class tracker {
public:
    tracker(std::string command, std::size_t total, bool json_lines, bool quiet, bool tty)
        : command_{std::move(command)},
          json_{json_lines},
          quiet_{quiet},
          tty_{tty},
          start_{steady::now()},
          state_(total, slot::not_started),
          labels_(total) {}

    void started(const ratchet::target_result& r, const ratchet::fleet_progress& p) {
        const std::lock_guard lock{mu_};
        state_[r.index] = slot::in_flight;
        labels_[r.index] = r.label;
        progress_line(p);
    }

    void finished(const ratchet::target_result& r, const ratchet::fleet_progress& p) {
        const std::lock_guard lock{mu_};
        state_[r.index] = r.ok ? slot::ok : slot::failed;
        const std::string state = state_of(command_, r);
        ++counts_[state];
        if (!r.ok) {
            std::string code = r.failure ? std::string{r.failure->code_name()} : state;
            std::string message = r.failure ? first_line(r.failure->what())
                                  : (r.plan && r.plan->blocking)
                                      ? first_line(r.plan->blocking->what())
                                      : state;
            if (r.plan && r.plan->blocking) code = std::string{r.plan->blocking->code_name()};
            if (r.status) {
                std::size_t pending = 0;
                std::size_t bad = 0;
                for (const auto& m : r.status->migrations) {
                    pending += m.state == ratchet::migration_state::pending ? 1U : 0U;
                    bad += m.state == ratchet::migration_state::failed ? 1U : 0U;
                }
                message = std::to_string(pending) + " pending, " + std::to_string(bad) +
                          " failed, " + std::to_string(r.status->missing_locally.size()) +
                          " missing locally";
            }
            failures_.push_back({r.label, code, message});
        }
        if (json_) {
            std::cout << target_json(command_, r).dump() << '\n' << std::flush;
        } else if (!quiet_ && (!tty_ || !r.ok)) {
            clear_line();
            std::cout << (r.ok ? "ok    " : "FAIL  ") << r.label << "  " << state;
            if (r.deploy && !r.deploy->applied.empty())
                std::cout << " " << r.deploy->applied.size();
            if (!r.ok)
                std::cout << "  " << failures_.back().code << ": " << failures_.back().message;
            std::cout << "  (" << static_cast<long long>(ms(r.duration)) << " ms)\n" << std::flush;
        }
        progress_line(p);
    }

    void announce_stop(std::chrono::milliseconds grace) {
        const std::lock_guard lock{mu_};
        clear_line();
        std::cerr << "ratchet " << command_ << ": stopping: no new targets start; waiting up to "
                  << grace.count() / 1000.0
                  << " s for the ones in flight (signal again to stop now)\n";
    }

    /// Prints the summary (JSON object or text and the failure table); returns the exit code.
    int summary(bool interrupted) {
        const std::lock_guard lock{mu_};
        clear_line();
        std::size_t ok = 0;
        std::size_t failed = 0;
        std::size_t not_started = 0;
        std::vector<std::string> in_flight;
        for (std::size_t i = 0; i < state_.size(); ++i) {
            switch (state_[i]) {
                case slot::ok:
                    ++ok;
                    break;
                case slot::failed:
                    ++failed;
                    break;
                case slot::not_started:
                    ++not_started;
                    break;
                case slot::in_flight:
                    in_flight.push_back(labels_[i]);
                    break;
            }
        }
        const bool all_ok = ok == state_.size();
        const auto elapsed =
            std::chrono::duration_cast<std::chrono::microseconds>(steady::now() - start_);
        if (json_) {
            json f = json::array();
            for (const auto& x : failures_)
                f.push_back({{"target", x.label}, {"code", x.code}, {"message", x.message}});
            std::cout << json{{"type", "summary"},          {"schema_version", 2},
                              {"command", command_},        {"ok", all_ok},
                              {"total", state_.size()},     {"succeeded", ok},
                              {"failed", failed},           {"not_started", not_started},
                              {"interrupted", interrupted}, {"in_flight_abandoned", in_flight},
                              {"states", counts_},          {"failures", f},
                              {"duration_ms", ms(elapsed)}}
                             .dump()
                      << '\n'
                      << std::flush;
        } else {
            std::ostringstream out;
            out << "\n"
                << command_ << " over " << state_.size() << " target(s): " << ok << " succeeded, "
                << failed << " failed, " << not_started << " not started";
            if (!in_flight.empty()) out << ", " << in_flight.size() << " abandoned in flight";
            out << " (" << static_cast<long long>(ms(elapsed)) << " ms)\n";
            if (!counts_.empty()) {
                out << "states:";
                for (const auto& [k, v] : counts_) out << " " << k << "=" << v;
                out << "\n";
            }
            if (!failures_.empty()) {
                std::size_t w = 6;
                for (const auto& x : failures_) w = std::max(w, x.label.size());
                out << "\n"
                    << std::string("TARGET") << std::string(w - 6 + 2, ' ')
                    << "CODE        MESSAGE\n";
                for (const auto& x : failures_) {
                    std::string code = x.code;
                    code.resize(std::max<std::size_t>(code.size(), 10), ' ');
                    out << x.label << std::string(w - x.label.size() + 2, ' ') << code << "  "
                        << x.message << "\n";
                }
            }
            if (!in_flight.empty()) {
                out << "\nabandoned in flight (their connections were closed, so PostgreSQL rolled "
                       "back the running "
                       "transactional migration; rerun to continue):\n";
                for (const auto& l : in_flight) out << "  " << l << "\n";
            }
            if (interrupted)
                out << "interrupted: rerun the same command to continue (done targets are "
                       "no-ops)\n";
            if (!all_ok) {
                std::cerr << out.str() << std::flush;
            } else if (!quiet_) {
                std::cout << out.str() << std::flush;
            }
        }
        if (interrupted) return 130;
        return all_ok ? exit_ok : exit_failure;
    }

private:
    enum class slot { not_started, in_flight, ok, failed };
    struct failure {
        std::string label, code, message;
    };

    void clear_line() {
        if (tty_ && shown_) {
            std::cerr << "\r\033[K" << std::flush;
            shown_ = false;
        }
    }

    void progress_line(const ratchet::fleet_progress& p) {
        if (!tty_) return;
        std::ostringstream s;
        s << "\r\033[K" << command_ << ": " << p.done << "/" << p.total << " done, " << p.failed
          << " failed, " << p.in_flight << " in flight, "
          << static_cast<long long>(ms(p.elapsed) / 1000.0) << " s";
        if (p.done > 0 && p.done < p.total) {
            const double eta = ms(p.elapsed) / 1000.0 / static_cast<double>(p.done) *
                               static_cast<double>(p.total - p.done);
            s << ", ETA " << static_cast<long long>(eta + 0.5) << " s";
        }
        std::cerr << s.str() << std::flush;
        shown_ = true;
    }

    std::string command_;
    bool json_;
    bool quiet_;
    bool tty_;
    bool shown_ = false;
    steady::time_point start_;
    std::mutex mu_;
    std::vector<slot> state_;
    std::vector<std::string> labels_;
    std::map<std::string, std::size_t> counts_;
    std::vector<failure> failures_;
};

std::vector<ratchet::fleet_target> build_targets(const common_flags& flags,
                                                 const fleet_flags& fleet, const cli_context& ctx) {
    const int given = static_cast<int>(!fleet.targets_file.empty()) +
                      static_cast<int>(!fleet.schemas.empty()) +
                      static_cast<int>(!fleet.schemas_from.empty());
    if (given != 1)
        throw usage_error("give exactly one of --targets, --schemas and --schemas-from");
    std::vector<ratchet::fleet_target> targets;
    if (!fleet.targets_file.empty()) {
        std::string text;
        if (fleet.targets_file == "-") {
            text.assign(std::istreambuf_iterator<char>{std::cin}, {});
        } else {
            std::ifstream in{fleet.targets_file, std::ios::binary};
            if (!in) throw usage_error("cannot read --targets file " + fleet.targets_file);
            text.assign(std::istreambuf_iterator<char>{in}, {});
        }
        targets =
            ratchet::parse_targets(text, fleet.targets_file == "-" ? "stdin" : fleet.targets_file);
        if (!flags.db_schema.empty()) {
            for (auto& t : targets) {
                if (!t.schema) t.schema = flags.db_schema;
            }
        }
    } else {
        if (!flags.db_schema.empty())
            throw usage_error("--db-schema cannot be combined with --schemas/--schemas-from");
        const std::string& url = ctx.project().url;
        const auto names = !fleet.schemas.empty() ? split_list(fleet.schemas)
                                                  : ratchet::query_names(url, fleet.schemas_from);
        for (const auto& n : names) targets.push_back({n, url, n});
    }
    if (!fleet.shard.empty()) {
        const auto [i, n] = parse_shard(fleet.shard);
        std::vector<ratchet::fleet_target> mine;
        for (auto& t : targets) {
            if (ratchet::shard_of(t, n) == i - 1) mine.push_back(std::move(t));
        }
        targets = std::move(mine);
    }
    return targets;
}

}  // namespace

std::shared_ptr<fleet_flags> add_fleet_flags(CLI::App& sub) {
    auto f = std::make_shared<fleet_flags>();
    sub.add_option(
        "--targets", f->targets_file,
        "Fleet: a file of targets, one `URL` or `NAME URL` per line, # comments; - for stdin");
    sub.add_option("--schemas", f->schemas,
                   "Fleet: tenant schemas of the --url database, comma-separated");
    sub.add_option("--schemas-from", f->schemas_from,
                   "Fleet: SQL run on the --url database returning the tenant schema names");
    sub.add_option("--parallel", f->parallel, "Fleet: targets running at once (default 4)")
        ->check(CLI::Range(1U, 1024U));
    sub.add_option("--max-per-server", f->max_per_server,
                   "Fleet: at most this many running targets (connections) per host:port (default: "
                   "--parallel)");
    sub.add_option("--shard", f->shard,
                   "Fleet: run only shard i of n (1-based, e.g. 2/4), by a stable hash");
    sub.add_flag("--fail-fast", f->fail_fast, "Fleet: start no new target after the first failure");
    sub.add_option(
        "--grace", f->grace,
        "Fleet: after SIGINT/SIGTERM, wait this long for targets in flight (default 30s)");
    return f;
}

int run_fleet_command(const common_flags& flags, const fleet_flags& fleet,
                      const std::string& command) {
    const bool needs_url = fleet.targets_file.empty();
    return run_guarded(flags, command, needs_url, [&](const cli_context& ctx) {
        const auto targets = build_targets(flags, fleet, ctx);
        const auto grace = duration_or_usage(fleet.grace, "--grace");
        ratchet::fleet_options o;
        o.base.migrations = ctx.migrations();
        if (!flags.lock_timeout.empty())
            o.base.lock_timeout = duration_or_usage(flags.lock_timeout, "--lock-timeout");
        if (!flags.migration_lock_timeout.empty()) {
            o.base.migration_lock_timeout =
                duration_or_usage(flags.migration_lock_timeout, "--migration-lock-timeout");
        }
        o.base.lock_retries = flags.lock_retries;
        o.base.strict = flags.strict;
        o.base.on_log = [verbose = flags.verbose](ratchet::log_level l, std::string_view m) {
            if (l >= ratchet::log_level::warn) {
                std::cerr << (l == ratchet::log_level::warn ? "warning: " : "error: ") << m << '\n';
            } else if (verbose) {
                std::cerr << m << '\n';
            }
        };
        o.parallel = fleet.parallel;
        o.max_per_server = fleet.max_per_server;
        o.fail_fast = fleet.fail_fast;
        o.stop = &g_stop;

        const bool tty = !flags.json && !flags.quiet && ::isatty(STDERR_FILENO) == 1;
        tracker track{command, targets.size(), flags.json, flags.quiet, tty};
        o.on_start = [&](const ratchet::target_result& r, const ratchet::fleet_progress& p) {
            track.started(r, p);
        };
        o.on_result = [&](const ratchet::target_result& r, const ratchet::fleet_progress& p) {
            track.finished(r, p);
        };
        if (!flags.json && !flags.quiet) {
            std::cerr << command << " over " << targets.size() << " target(s), "
                      << ctx.migrations().migrations.size() << " migration(s) in "
                      << ctx.dir_label() << ", parallel " << fleet.parallel << "\n";
        }

        struct sigaction sa {};
        sa.sa_handler = on_stop_signal;
        sigemptyset(&sa.sa_mask);
        struct sigaction old_int {};
        struct sigaction old_term {};
        sigaction(SIGINT, &sa, &old_int);
        sigaction(SIGTERM, &sa, &old_term);

        // The watchdog: on the first signal it announces the stop (run_fleet stops starting
        // targets); after --grace or a second signal it prints the summary and exits, closing
        // the connections of targets still in flight (PostgreSQL rolls their transaction back).
        std::atomic<bool> done{false};
        std::thread watchdog{[&] {
            std::optional<steady::time_point> give_up;
            while (!done.load()) {
                const int n = g_signals.load();
                if (n > 0 && !give_up) {
                    give_up = steady::now() + grace;
                    track.announce_stop(grace);
                }
                if (give_up && (n > 1 || steady::now() >= *give_up)) {
                    std::_Exit(track.summary(true));
                }
                std::this_thread::sleep_for(std::chrono::milliseconds{50});
            }
        }};
        const auto report =
            ratchet::run_fleet(command == "deploy"   ? ratchet::fleet_command::deploy
                               : command == "status" ? ratchet::fleet_command::status
                                                     : ratchet::fleet_command::plan,
                               targets, o);
        done = true;
        watchdog.join();
        sigaction(SIGINT, &old_int, nullptr);
        sigaction(SIGTERM, &old_term, nullptr);
        return track.summary(g_signals.load() > 0);
    });
}

}  // namespace ratchet_cli
