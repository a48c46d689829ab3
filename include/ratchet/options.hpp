/// @file options.hpp
/// Everything an engine needs, as one aggregate with documented defaults.
#pragma once

#include <ratchet/export.hpp>
#include <ratchet/migration.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace ratchet {
inline namespace v1 {

/// Severity of a log line. Deliberately not spdlog's enum.
enum class log_level {
    trace,  ///< very detailed
    debug,  ///< server notices, ignored URL parameters
    info,   ///< progress: one line per migration
    warn,   ///< something to look at; nothing failed
    error   ///< a failure
};

/// Stable lower-case name: "trace", "debug", "info", "warn", "error".
[[nodiscard]] RATCHET_API std::string_view to_string(log_level l) noexcept;

/// Receives log lines, already free of secrets. Called on the thread that runs the engine
/// call. Must not throw (exceptions are swallowed).
using log_callback = std::function<void(log_level, std::string_view message)>;

/// How long after options::deadline the engine waits for the server to confirm the cancel of
/// a running statement before it gives up on the connection. A caller with a hard deadline
/// (the Lambda) sets options::deadline at least this much earlier.
inline constexpr std::chrono::milliseconds cancel_grace{5'000};

/// What sits between ratchet and PostgreSQL.
enum class pooler_mode {
    detect,             ///< pooler-safe when known_pooler() says so or a probe finds one
    direct,             ///< a direct connection or a session pooler: never pooler-safe
    transaction_pooler  ///< always pooler-safe
};

/// Engine configuration. Construct with designated initialisers:
/// @code
/// ratchet::engine eng{{.url = "postgresql://app@db/app?schema=public",
///                      .migrations = ratchet::load_directory("prisma/migrations")}};
/// @endcode
struct options {
    /// Where to connect: a Prisma URL (`postgresql://user:pass@host:port/db?schema=..`) or a
    /// libpq keyword string (`host=.. dbname=..`). Empty: libpq's PG* environment variables.
    /// Prisma-only URL parameters (schema, connection_limit, pgbouncer, ...) are understood
    /// and not passed to libpq. Default: empty.
    std::string url;

    /// Schema holding _prisma_migrations, overriding the URL's `?schema=`. When either is
    /// given, search_path is set to that schema alone and the schema is created if missing,
    /// as Prisma does. Default: none (server's search_path; emptiness checked in "public").
    std::optional<std::string> schema;

    /// The migrations to work with. Default: an empty set.
    migration_set migrations;

    /// How long to wait for the migration advisory lock (key 72707369, shared with Prisma)
    /// before failing with P1002. Prisma waits 10 s; ratchet waits longer by default so that
    /// replicas starting together queue behind the first deployer instead of failing.
    /// Default: 60 s.
    std::chrono::milliseconds lock_timeout{60'000};

    /// Whether to take the advisory lock. nullopt: take it unless the environment variable
    /// PRISMA_SCHEMA_DISABLE_ADVISORY_LOCK is set to anything but "" or "0" (as Prisma;
    /// a warning is logged). Default: nullopt.
    std::optional<bool> advisory_lock;

    /// Which migration lock deploy and resolve take. false: Prisma's key 72707369, exclusive,
    /// for the whole database (as Prisma). true: Prisma's key in shared mode plus an exclusive
    /// key of the schema (fleet runs), so runs on different schemas of one database proceed in
    /// parallel while Prisma and database-wide runs stay excluded. See migrations-format.md,
    /// "Fleet lock". Default: false.
    bool schema_lock = false;

    /// Turn warnings (checksum drift, migrations missing locally, out-of-order pending
    /// migrations) into errors before anything is applied. Default: false.
    bool strict = false;

    /// Reported to the server as application_name (visible in pg_stat_activity), unless the
    /// URL sets one. Default: "ratchet".
    std::string application_name = "ratchet";

    /// SET lock_timeout for each migration's statements, so DDL does not queue behind a long
    /// transaction and block the application. A migration's `-- ratchet:lock-timeout=`
    /// directive overrides it. Default: none (the server's setting).
    std::optional<std::chrono::milliseconds> migration_lock_timeout;

    /// SET statement_timeout for each migration; `-- ratchet:statement-timeout=` overrides it.
    /// Default: none (the server's setting).
    std::optional<std::chrono::milliseconds> statement_timeout;

    /// How many times to retry a transactional migration that failed on a lock timeout
    /// (SQLSTATE 55P03). Nothing of a failed attempt remains, so a retry is safe.
    /// Default: 0.
    int lock_retries = 0;

    /// First wait before such a retry; doubles each time, with jitter. Default: 1 s.
    std::chrono::milliseconds lock_retry_backoff{1'000};

    /// A point in time by which every call must have returned. Lock waits stop there; a
    /// running statement is cancelled and rolled back shortly before. Default: none.
    std::optional<std::chrono::system_clock::time_point> deadline;

    /// Seconds to wait for a connection (libpq connect_timeout), unless the URL sets one.
    /// Default: 10.
    int connect_timeout_seconds = 10;

    /// Connection pooler handling. Pooler-safe deploys use nothing session-scoped: each
    /// migration's transaction takes the migration lock with pg_advisory_xact_lock (the same key,
    /// so Prisma holding it on a direct connection is still excluded), re-reads the history
    /// under it (each migration applied exactly once) and sets search_path with SET LOCAL.
    /// Migrations that must run outside a transaction are refused before anything is applied
    /// (errc::pooler_unsafe): use a direct URL (Prisma's directUrl) for them.
    /// Default: detect.
    pooler_mode pooler = pooler_mode::detect;

    /// Keep trying to connect for this long when the failure can pass (connection refused,
    /// the database system is starting up, too many connections, name resolution), with
    /// backoff; authentication and TLS failures fail at once. Default: 0 (one attempt).
    std::chrono::milliseconds connect_wait{0};

    /// Where log lines go. Default: discarded.
    log_callback on_log;

    /// Reads the migrations while connecting. When set, the first call reads the set with it on
    /// a second thread while the connection is being established (reading and hashing the
    /// files no longer waits for the server, nor the server for them) and uses the result
    /// instead of `migrations`, which it replaces (settings() shows it afterwards; later calls
    /// reuse it). Nothing is decided or written before the set is complete. An exception it
    /// throws is the call's error, also when connecting failed as well. It must not call into
    /// the engine. Typical: `[dir] { return ratchet::load_directory(dir); }`.
    /// Default: empty (use `migrations`).
    std::function<migration_set()> migrations_loader;
};

}  // namespace v1
}  // namespace ratchet

namespace ratchet {
inline namespace v1 {

/// Parses a duration as users write it: a number followed by `ms`, `s`, `min`/`m` or `h`
/// ("500ms", "10s", "2min"); a bare number means seconds. nullopt when malformed.
[[nodiscard]] RATCHET_API std::optional<std::chrono::milliseconds> parse_duration(
    std::string_view text);

}  // namespace v1
}  // namespace ratchet
