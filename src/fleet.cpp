// Fleet runs: many targets, each through its own engine, on a bounded pool of worker threads
// with a per-server bound. The scheduling lives here; everything a target does is the engine's.
#include "conninfo.hpp"
#include "pg.hpp"

#include <ratchet/engine.hpp>
#include <ratchet/fleet.hpp>
#include <ratchet/target.hpp>

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

namespace ratchet {
inline namespace v1 {

namespace {

using steady = std::chrono::steady_clock;

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

bool starts_with_url_scheme(std::string_view w) {
    return w.starts_with("postgresql://") || w.starts_with("postgres://");
}

std::chrono::microseconds since(steady::time_point t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(steady::now() - t);
}

std::string server_of(const fleet_target& t) {
    try {
        const auto d = describe_target(t.url);
        return d.address();
    } catch (const error&) {
        return "?";  // fails when it runs, with the engine's error
    }
}

}  // namespace

std::string target_label(const fleet_target& t) {
    if (!t.name.empty()) return t.name;
    const auto d = describe_target(t.url);
    std::string label = d.user.empty() ? std::string{} : d.user + "@";
    label += (d.unix_socket() ? "unix:" + d.host : d.host) + ":" + d.port + "/" + d.database;
    if (const auto& s = t.schema ? t.schema : d.schema) label += "/" + *s;
    return label;
}

std::vector<fleet_target> parse_targets(std::string_view text, std::string_view origin) {
    std::vector<fleet_target> out;
    std::size_t line_no = 0;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        ++line_no;
        line = trim(line);
        if (line.empty() || line.front() == '#') continue;
        fleet_target t;
        std::size_t w = 0;
        while (w < line.size() && !is_space(line[w])) ++w;
        const std::string_view first = line.substr(0, w);
        const std::string_view rest = trim(line.substr(w));
        if (!rest.empty() && !starts_with_url_scheme(first) &&
            first.find('=') == std::string_view::npos) {
            t.name = std::string{first};
            t.url = std::string{rest};
        } else {
            t.url = std::string{line};
        }
        try {
            (void)describe_target(t.url);
        } catch (const error& e) {
            throw error(errc::invalid_input,
                        std::string{origin} + ":" + std::to_string(line_no) + ": " + e.what());
        }
        if (t.url.find("://") == std::string::npos && t.url.find('=') == std::string::npos) {
            throw error(errc::invalid_input, std::string{origin} + ":" + std::to_string(line_no) +
                                                 ": not a postgresql:// URL or a key=value "
                                                 "connection string");
        }
        out.push_back(std::move(t));
    }
    return out;
}

std::size_t shard_of(const fleet_target& t, std::size_t count) {
    if (count == 0) return 0;
    std::uint64_t h = 14695981039346656037ULL;
    for (const char c : target_label(t)) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ULL;
    }
    return static_cast<std::size_t>(h % count);
}

std::vector<std::string> query_names(const std::string& url, const std::string& sql,
                                     int connect_timeout_seconds) {
    detail::redactor secrets;
    auto target = detail::parse_connection(url, secrets);
    bool has_timeout = false;
    for (const auto& [k, v] : target.params) has_timeout = has_timeout || k == "connect_timeout";
    if (!has_timeout)
        target.params.emplace_back("connect_timeout", std::to_string(connect_timeout_seconds));
    target.params.emplace_back("application_name", "ratchet");
    detail::pg_connection c{target, secrets, std::nullopt, [](std::string_view) {}};
    const auto r = c.exec(sql);
    std::vector<std::string> names;
    names.reserve(static_cast<std::size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) names.emplace_back(r.get(i, 0));
    return names;
}

namespace {

class scheduler {
public:
    scheduler(fleet_command cmd, const std::vector<fleet_target>& targets, const fleet_options& o)
        : cmd_{cmd}, targets_{targets}, opts_{o}, start_{steady::now()} {
        report_.results.resize(targets.size());
        std::map<std::string, std::size_t> server_index;
        for (std::size_t i = 0; i < targets.size(); ++i) {
            auto& r = report_.results[i];
            r.index = i;
            try {
                r.label = target_label(targets[i]);
            } catch (const error&) {
                r.label = "target " + std::to_string(i + 1);
            }
            const auto [it, added] = server_index.emplace(server_of(targets[i]), servers_.size());
            if (added) servers_.emplace_back();
            servers_[it->second].queue.push_back(i);
        }
        per_server_cap_ = o.max_per_server == 0 ? SIZE_MAX : o.max_per_server;
    }

    fleet_report run() {
        const std::size_t n = std::min<std::size_t>(std::max(1U, opts_.parallel), targets_.size());
        std::vector<std::thread> workers;
        workers.reserve(n);
        for (std::size_t i = 0; i < n; ++i) workers.emplace_back([this] { work(); });
        for (auto& w : workers) w.join();
        for (const auto& r : report_.results) {
            if (!r.started) {
                ++report_.not_started;
            } else if (r.ok) {
                ++report_.succeeded;
            } else {
                ++report_.failed;
            }
        }
        report_.stopped = report_.not_started > 0;
        report_.total = since(start_);
        return std::move(report_);
    }

private:
    struct server {
        std::deque<std::size_t> queue;
        std::size_t running = 0;
    };

    [[nodiscard]] bool stopping() const {
        return halted_ || (opts_.stop != nullptr && opts_.stop->load());
    }

    [[nodiscard]] fleet_progress progress() const {
        return {targets_.size(), done_, failed_, in_flight_, since(start_)};
    }

    // The next target in list order among servers below their bound; SIZE_MAX when none can
    // start now.
    [[nodiscard]] std::size_t pick(bool& anything_left) {
        anything_left = false;
        std::size_t best_server = SIZE_MAX;
        for (std::size_t s = 0; s < servers_.size(); ++s) {
            if (servers_[s].queue.empty()) continue;
            anything_left = true;
            if (servers_[s].running >= per_server_cap_) continue;
            if (best_server == SIZE_MAX ||
                servers_[s].queue.front() < servers_[best_server].queue.front()) {
                best_server = s;
            }
        }
        if (best_server == SIZE_MAX) return SIZE_MAX;
        auto& sv = servers_[best_server];
        const std::size_t i = sv.queue.front();
        sv.queue.pop_front();
        ++sv.running;
        server_of_[i] = best_server;
        return i;
    }

    void work() {
        for (;;) {
            std::size_t i = SIZE_MAX;
            {
                std::unique_lock lock{mu_};
                for (;;) {
                    if (stopping()) return;
                    bool left = false;
                    i = pick(left);
                    if (i != SIZE_MAX) break;
                    if (!left) return;
                    cv_.wait(lock);  // a running target of a full server will finish
                }
                ++in_flight_;
                report_.results[i].started = true;
                notify([&] {
                    if (opts_.on_start) opts_.on_start(report_.results[i], progress());
                });
            }
            run_one(i);
            {
                std::unique_lock lock{mu_};
                --in_flight_;
                --servers_[server_of_[i]].running;
                ++done_;
                const auto& r = report_.results[i];
                if (!r.ok) {
                    ++failed_;
                    if (opts_.fail_fast) halted_ = true;
                }
                notify([&] {
                    if (opts_.on_result) opts_.on_result(r, progress());
                });
            }
            cv_.notify_all();
        }
    }

    template <typename F>
    static void notify(F&& f) noexcept {
        try {
            f();
        } catch (...) {  // a callback's failure is not the target's
        }
    }

    void run_one(std::size_t i) {
        auto& r = report_.results[i];  // only this thread touches it until it is done
        const auto t0 = steady::now();
        try {
            options o = opts_.base;
            o.url = targets_[i].url;
            if (targets_[i].schema) o.schema = targets_[i].schema;
            if (cmd_ == fleet_command::deploy) o.schema_lock = true;
            if (opts_.base.on_log) {
                o.on_log = [sink = opts_.base.on_log, prefix = "[" + r.label + "] "](
                               log_level l, std::string_view m) {
                    sink(l, prefix + std::string{m});
                };
            }
            engine e{std::move(o)};
            switch (cmd_) {
                case fleet_command::deploy:
                    r.deploy = e.deploy();
                    r.ok = true;
                    break;
                case fleet_command::status:
                    r.status = e.status();
                    r.ok = r.status->summary == status_summary::up_to_date;
                    break;
                case fleet_command::plan:
                    r.plan = e.plan();
                    r.ok = !r.plan->blocking;
                    break;
            }
        } catch (const error& e) {
            r.failure = e;
            r.ok = false;
        } catch (const std::exception& e) {
            r.failure = error(errc::internal, e.what());
            r.ok = false;
        }
        r.duration = since(t0);
    }

    fleet_command cmd_;
    const std::vector<fleet_target>& targets_;
    const fleet_options& opts_;
    steady::time_point start_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::vector<server> servers_;
    std::map<std::size_t, std::size_t> server_of_;
    std::size_t per_server_cap_ = SIZE_MAX;
    std::size_t in_flight_ = 0;
    std::size_t done_ = 0;
    std::size_t failed_ = 0;
    bool halted_ = false;
    fleet_report report_;
};

}  // namespace

fleet_report run_fleet(fleet_command command, const std::vector<fleet_target>& targets,
                       const fleet_options& opts) {
    if (targets.empty()) return {};
    return scheduler{command, targets, opts}.run();
}

}  // namespace v1
}  // namespace ratchet
