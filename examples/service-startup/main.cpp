// service-startup: a small service that brings its database schema up to date when it starts.
//
// The migrations in ./migrations are compiled into the binary by ratchet_embed_migrations()
// (see CMakeLists.txt), so the service ships as one file. At startup it
//   1. applies pending migrations with a lock timeout (replicas starting together queue behind
//      the first one; the others find nothing to do),
//   2. retries with backoff while the database is not reachable, until a startup deadline,
//      and exits with a clear message and a non-zero code when the deadline passes,
//   3. then does its work: records a visit and prints how many there are.
//
// Configuration (environment):
//   DATABASE_URL            postgresql://user:pass@host:port/db (required)
//   STARTUP_TIMEOUT         how long to wait for the database at startup (default 30s)
//   MIGRATION_LOCK_TIMEOUT  how long to wait for another replica's migration lock (default 20s)
//   LOG_LEVEL               debug | info | warn | error (default info)
//
// Exit codes: 0 ok, 2 bad configuration, 3 database not reachable in time,
//             4 migrations failed, 5 the work itself failed.
#include <ratchet/ratchet.hpp>

#include <service_migrations.hpp>  // generated: ratchet::migration_set service_migrations();

#include <libpq-fe.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

// ---- the service's own logger (ratchet's lines are routed into it) ----------------------------
enum class level { debug, info, warn, error };

class logger {
public:
    explicit logger(level threshold) : threshold_{threshold} {}

    void log(level l, std::string_view message) const {
        if (l < threshold_) return;
        static constexpr std::string_view names[] = {"debug", "info", "warn", "error"};
        std::cerr << "[service] " << names[static_cast<int>(l)] << ": " << message << '\n';
    }
    void debug(std::string_view m) const { log(level::debug, m); }
    void info(std::string_view m) const { log(level::info, m); }
    void warn(std::string_view m) const { log(level::warn, m); }
    void error(std::string_view m) const { log(level::error, m); }

    // ratchet's levels mapped onto ours; ratchet hands over lines already free of secrets.
    [[nodiscard]] ratchet::log_callback sink() const {
        return [this](ratchet::log_level l, std::string_view m) {
            const level mapped = l == ratchet::log_level::error  ? level::error
                                 : l == ratchet::log_level::warn ? level::warn
                                 : l == ratchet::log_level::info ? level::info
                                                                 : level::debug;
            log(mapped, "ratchet: " + std::string{m});
        };
    }

private:
    level threshold_;
};

std::string env(const char* name, std::string fallback = {}) {
    const char* v = std::getenv(name);
    return v != nullptr && *v != '\0' ? std::string{v} : fallback;
}

std::string millis(std::chrono::steady_clock::duration d) {
    return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + " ms";
}

// ---- startup: migrations, retried while the database is unreachable --------------------------
enum exit_code { ok = 0, bad_config = 2, unreachable = 3, migration_failed = 4, work_failed = 5 };

exit_code migrate(const logger& log, const std::string& url,
                  std::chrono::milliseconds startup_timeout,
                  std::chrono::milliseconds lock_timeout) {
    const auto started = steady::now();
    const auto deadline = started + startup_timeout;
    auto backoff = std::chrono::milliseconds{250};
    const ratchet::migration_set migrations = service_migrations();
    log.info("starting: " + std::to_string(migrations.migrations.size()) +
             " compiled-in migrations, ratchet " + std::string{ratchet::library_version()});

    for (int attempt = 1;; ++attempt) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::max(deadline - steady::now(), steady::duration::zero()));
        try {
            ratchet::engine engine{{
                .url = url,
                .migrations = migrations,
                .lock_timeout = std::min(lock_timeout, left),
                .application_name = "service-startup",
                // DDL waits at most 5 s for table locks held by running traffic.
                .migration_lock_timeout = std::chrono::milliseconds{5'000},
                .deadline = std::chrono::system_clock::now() + left,
                // libpq waits at least 2 s; never past the startup deadline otherwise.
                .connect_timeout_seconds =
                    static_cast<int>(std::clamp<long long>(left.count() / 1000, 2, 10)),
                .on_log = log.sink(),
            }};
            const ratchet::deploy_report report = engine.deploy();
            if (report.applied.empty()) {
                log.info("schema up to date: no pending migrations");
            } else {
                for (const auto& m : report.applied) {
                    log.info("applied " + m.name + " in " + millis(m.duration));
                }
                log.info("schema up to date: applied " + std::to_string(report.applied.size()) +
                         " migration(s) in " + millis(steady::now() - started));
            }
            for (const auto& w : report.warnings)
                log.warn(std::string{ratchet::to_string(w.code)} + ": " + w.message);
            return ok;
        } catch (const ratchet::error& e) {
            if (e.code() == ratchet::errc::invalid_input) {
                log.error("bad configuration: " + std::string{e.what()});
                return bad_config;
            }
            if (e.code() == ratchet::errc::deadline_exceeded) {
                log.error("startup deadline of " + millis(startup_timeout) +
                          " passed while migrating: " + e.what());
                return unreachable;
            }
            if (e.code() != ratchet::errc::connection) {
                log.error("migrations failed [" + std::string{e.code_name()} + "]: " + e.what());
                return migration_failed;
            }
            // Retry while a last attempt still has a moment before the deadline.
            const auto left_now = deadline - steady::now();
            if (left_now < 500ms) {
                log.error("database not reachable within " + millis(startup_timeout) + " (" +
                          std::to_string(attempt) + " attempts): " + e.what());
                return unreachable;
            }
            const auto wait = std::min<steady::duration>(backoff, left_now - 250ms);
            log.warn("database not reachable (attempt " + std::to_string(attempt) +
                     "), retrying in " + millis(wait) + ": " + e.what());
            std::this_thread::sleep_for(wait);
            backoff = std::min(backoff * 2, std::chrono::milliseconds{5'000});
        }
    }
}

// ---- the work: record a visit, report the count ----------------------------------------------
// libpq does not know Prisma's ?schema= and other parameters; this example drops the query.
std::string libpq_url(const std::string& url) {
    return url.substr(0, url.find('?'));
}

exit_code work(const logger& log, const std::string& url) {
    const std::unique_ptr<PGconn, decltype(&PQfinish)> conn{PQconnectdb(libpq_url(url).c_str()),
                                                            &PQfinish};
    if (PQstatus(conn.get()) != CONNECTION_OK) {
        log.error(std::string{"cannot connect for work: "} + PQerrorMessage(conn.get()));
        return work_failed;
    }
    const std::unique_ptr<PGresult, decltype(&PQclear)> res{
        PQexec(conn.get(),
               "INSERT INTO visits (source) VALUES ('service-startup');"
               "SELECT count(*) FROM visits"),
        &PQclear};
    if (PQresultStatus(res.get()) != PGRES_TUPLES_OK) {
        log.error(std::string{"work failed: "} + PQerrorMessage(conn.get()));
        return work_failed;
    }
    const std::string count = PQgetvalue(res.get(), 0, 0);
    log.info("recorded a visit; visits so far: " + count);
    std::cout << "visits=" << count << std::endl;
    return ok;
}

level parse_level(const std::string& s) {
    if (s == "debug") return level::debug;
    if (s == "warn") return level::warn;
    if (s == "error") return level::error;
    return level::info;
}

}  // namespace

int main() {
    const logger log{parse_level(env("LOG_LEVEL", "info"))};
    const std::string url = env("DATABASE_URL");
    if (url.empty()) {
        log.error("DATABASE_URL is not set");
        return bad_config;
    }
    const auto startup_timeout = ratchet::parse_duration(env("STARTUP_TIMEOUT", "30s"));
    const auto lock_timeout = ratchet::parse_duration(env("MIGRATION_LOCK_TIMEOUT", "20s"));
    if (!startup_timeout || !lock_timeout) {
        log.error("STARTUP_TIMEOUT and MIGRATION_LOCK_TIMEOUT must be durations like 30s or 500ms");
        return bad_config;
    }
    if (const exit_code rc = migrate(log, url, *startup_timeout, *lock_timeout); rc != ok)
        return rc;
    return work(log, url);
}
