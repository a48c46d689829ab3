/// @file report.hpp
/// Plain result structs returned by the engine. No behaviour; safe to copy and to log.
#pragma once

#include <ratchet/error.hpp>
#include <ratchet/export.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ratchet {
inline namespace v1 {

/// UTC time with microsecond precision, as stored in _prisma_migrations.
using timestamp = std::chrono::sys_time<std::chrono::microseconds>;

/// One row of _prisma_migrations.
struct history_row {
    std::string id;                           ///< uuid v4, lower-case
    std::string checksum;                     ///< checksum of the script when it was applied
    std::optional<timestamp> finished_at;     ///< set when the migration completed
    std::string migration_name;               ///< directory name
    std::optional<std::string> logs;          ///< error text of a failed attempt
    std::optional<timestamp> rolled_back_at;  ///< set by resolve --rolled-back or a clean rollback
    timestamp started_at;                     ///< client clock when the attempt began
    int applied_steps_count = 0;              ///< 1 after success, 0 otherwise

    /// Prisma's notion of failed: neither finished nor rolled back.
    [[nodiscard]] bool failed() const noexcept { return !finished_at && !rolled_back_at; }
};

/// What a warning is about. to_string() gives the stable name used in JSON and logs.
enum class warning_code {
    checksum_drift,    ///< an applied migration's script changed since it was applied
    missing_locally,   ///< the history records a migration with no local directory
    out_of_order,      ///< a pending migration sorts before one already applied
    rolled_back,       ///< status: only rolled-back attempts exist; deploy applies it again
    source,            ///< the migrations directory has entries ratchet skipped (see message)
    failed,            ///< verify: the history holds a failed attempt (deploy would stop, P3009)
    unreadable,        ///< verify: a migration.sql cannot be read
    provider_mismatch  ///< verify: migration_lock.toml names another provider (P3019)
};

/// Stable lower-case name: "checksum_drift", "missing_locally", "out_of_order", "rolled_back",
/// "source", "failed", "unreadable", "provider_mismatch".
[[nodiscard]] RATCHET_API std::string_view to_string(warning_code c) noexcept;

/// A non-fatal finding. With options::strict, checksum_drift, missing_locally and
/// out_of_order stop deploy before anything is applied.
struct warning {
    warning_code code = warning_code::source;  ///< what it is about
    std::string message;                       ///< human text
    std::string migration;                     ///< migration involved, or empty
};

/// One migration that deploy applied.
struct applied_migration {
    std::string name;                      ///< directory name
    std::chrono::microseconds duration{};  ///< script and bookkeeping, excluding lock wait
    bool transactional = true;             ///< ran in one transaction with its history row
};

/// Result of engine::deploy().
struct deploy_report {
    std::vector<applied_migration> applied;   ///< in order
    std::vector<std::string> pending_before;  ///< what was pending when the lock was taken
    std::vector<warning> warnings;       ///< drift, missing locally, out of order, source problems
    bool created_history_table = false;  ///< deploy created _prisma_migrations
    /// Why deploy ran pooler-safe (options::pooler), or empty when it used a direct session.
    std::string pooler;
    std::chrono::microseconds lock_wait{};  ///< time spent waiting for the advisory lock
    std::chrono::microseconds total{};      ///< wall time of the whole call
};

/// State of one migration as status() sees it.
enum class migration_state {
    applied,         ///< a finished row exists
    pending,         ///< local, no row that deploy would accept (never applied or only rolled back)
    failed,          ///< latest attempt neither finished nor rolled back (blocks deploy, P3009)
    missing_locally  ///< recorded in the database, no local directory
};

/// One line of the status report.
struct migration_status {
    std::string name;                                  ///< directory or migration_name
    migration_state state = migration_state::pending;  ///< see migration_state
    bool edited = false;  ///< local checksum differs from the first row's (Prisma's "edited")
    bool rolled_back_rows = false;         ///< the history holds rolled-back attempts of it
    std::optional<timestamp> started_at;   ///< of the latest row
    std::optional<timestamp> finished_at;  ///< of the latest finished row
};

/// Prisma's summary decision for `migrate status` (§7), first match wins.
enum class status_summary {
    up_to_date,          ///< "Database schema is up to date!" (exit 0)
    database_is_behind,  ///< local migrations not yet applied (exit 1)
    histories_diverge,   ///< both sides have migrations the other lacks (exit 1)
    has_failed,          ///< failed rows in the table (exit 1)
    not_managed          ///< no table and no local migrations (exit 1)
};

/// Stable lower-case name: "applied", "pending", "failed", "missing_locally".
[[nodiscard]] RATCHET_API std::string_view to_string(migration_state s) noexcept;

/// Stable lower-case name: "up_to_date", "database_is_behind", "histories_diverge",
/// "has_failed", "not_managed".
[[nodiscard]] RATCHET_API std::string_view to_string(status_summary s) noexcept;

/// Result of engine::status(). Never takes the lock; never creates the table.
struct status_report {
    std::vector<migration_status> migrations;  ///< local ones in order, then database-only ones
    status_summary summary =
        status_summary::up_to_date;            ///< what `status` prints and its exit code
    bool has_history_table = false;            ///< _prisma_migrations exists
    std::vector<std::string> pending;          ///< Prisma's "not yet applied"
    std::vector<std::string> failed;           ///< failed rows' names in started_at order
    std::vector<std::string> missing_locally;  ///< rows whose directory is missing
    std::vector<std::string> edited;           ///< checksum differs (tolerant comparison)
    std::optional<std::string> last_common;    ///< for histories_diverge
    std::vector<warning> warnings;             ///< e.g. migrations deploy would apply again
};

/// Result of engine::plan(): what deploy would do now, computed without changing anything.
struct plan_report {
    std::vector<std::string> to_apply;    ///< in order
    std::vector<std::string> autocommit;  ///< subset of to_apply that runs outside a transaction
    std::vector<warning> warnings;        ///< what deploy would warn about
    /// The error deploy would throw before applying anything (P3019, P3005, P3009 or
    /// strict_violation, decided by the same function deploy uses), if any.
    std::optional<error> blocking;
    bool would_create_history_table = false;  ///< the schema is empty and has no history yet
};

/// Result of engine::verify(): checksum and history consistency only.
struct verify_report {
    bool ok = true;                 ///< no problem found (warnings count as problems here)
    std::vector<warning> problems;  ///< drift, missing locally, failed rows, out of order
};

/// Result of ratchet::migrations_hash() over a set, for `ratchet hash` and the Lambda.
struct hash_report {
    std::string migrations_hash;      ///< see migrations-format.md, "Migrations hash"
    std::size_t migration_count = 0;  ///< migrations in the set
};

/// Result of resolve_applied() / resolve_rolled_back().
struct resolve_report {
    std::string migration;               ///< the name that was resolved
    std::string action;                  ///< "applied" or "rolled_back"
    bool changed = false;                ///< false for a repeated --rolled-back (silent success)
    bool created_history_table = false;  ///< --applied created _prisma_migrations (baselining)
};

}  // namespace v1
}  // namespace ratchet
