/// @file json.hpp
/// The one JSON encoding of ratchet's results, used by `ratchet --json` and the Lambda.
///
/// Every function returns one result object (UTF-8, two-space indent):
/// `{"schema_version": 2, "command": ..., "ok": ..., "applied": [...], "pending": [...],
///   "failed": [...], "warnings": [...], "error": null | {...}, ...command-specific fields}`.
/// Names are snake_case; durations are milliseconds (`*_ms`, fractional); points in time are
/// RFC 3339 UTC strings with microseconds. Fields are only ever added within one
/// schema_version. The format is documented in README.md ("--json result").
#pragma once

#include <ratchet/error.hpp>
#include <ratchet/export.hpp>
#include <ratchet/report.hpp>
#include <ratchet/target.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ratchet {
inline namespace v1 {

/// Version of the JSON result format (2: warning codes typed, times as RFC 3339 strings).
inline constexpr int json_schema_version = 2;

/// Facts of a run that are not part of a report, carried by every result object.
struct run_facts {
    /// "target": where the command connects (host, port, database, schema, user; never a
    /// password). Omitted when empty.
    std::optional<target_description> target;
    /// "config": where the settings came from, e.g. {"schema_file", "prisma/schema.prisma"},
    /// {"env_file", ".env"}, {"url_from", "directUrl"}. Omitted when empty.
    std::vector<std::pair<std::string, std::string>> config;
};

/// `deploy`: applied [{name, duration_ms, transactional}], pending (when the lock was taken),
/// created_history_table, timings {total_ms, lock_wait_ms}.
[[nodiscard]] RATCHET_API std::string to_json(const deploy_report& r, const run_facts& facts = {});
/// `status`: ok when up to date; summary, pending, failed, missing_locally, edited,
/// has_history_table, last_common, migrations [{name, state, edited, rolled_back_attempts,
/// started_at, finished_at}].
[[nodiscard]] RATCHET_API std::string to_json(const status_report& r, const run_facts& facts = {});
/// `plan`: ok when deploy would not fail; pending (to apply), autocommit,
/// would_create_history_table, error = the verdict deploy would stop with.
[[nodiscard]] RATCHET_API std::string to_json(const plan_report& r, const run_facts& facts = {});
/// `verify`: ok when no problem; warnings = the problems, failed = failed migrations.
[[nodiscard]] RATCHET_API std::string to_json(const verify_report& r, const run_facts& facts = {});
/// `resolve`: migration, action, changed, created_history_table.
[[nodiscard]] RATCHET_API std::string to_json(const resolve_report& r, const run_facts& facts = {});
/// `hash`: migrations_hash, migration_count.
[[nodiscard]] RATCHET_API std::string to_json(const hash_report& r, const run_facts& facts = {});
/// A failed command: ok false, error {code, message, sqlstate, migration, retryable}.
[[nodiscard]] RATCHET_API std::string to_json(const error& e, std::string_view command,
                                              const run_facts& facts = {});

/// One warning as a JSON object {code, message, migration}, for adapters that list warnings
/// inside their own answers.
[[nodiscard]] RATCHET_API std::string to_json(const warning& w);

/// RFC 3339 UTC with microseconds: "2026-12-02T05:19:33.123456Z".
[[nodiscard]] RATCHET_API std::string to_rfc3339(timestamp t);

}  // namespace v1
}  // namespace ratchet
