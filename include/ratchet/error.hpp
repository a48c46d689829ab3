/// @file error.hpp
/// The one exception type ratchet throws, and its stable codes.
#pragma once

#include <ratchet/export.hpp>

#include <stdexcept>
#include <string>
#include <string_view>

namespace ratchet {
inline namespace v1 {

/// Stable error codes. Where Prisma has a code for the same condition, code_name() returns it.
enum class errc {
    invalid_input,      ///< Bad options, URL or arguments (no Prisma code). A human must fix it.
    connection,         ///< Server unreachable or authentication failed ("P1001"/"P1000").
    lock_timeout,       ///< Advisory lock not obtained in time ("P1002"). Retryable.
    provider_mismatch,  ///< migration_lock.toml names another provider ("P3019").
    schema_not_empty,   ///< Deploy to a non-empty schema without history ("P3005").
    failed_migrations,  ///< History holds failed migrations ("P3009").
    migration_failed,   ///< A migration script failed ("P3018").
    script_missing,     ///< A needed migration.sql is missing or unreadable ("P3015").
    already_applied,    ///< resolve --applied on an applied migration ("P3008").
    not_found_locally,  ///< resolve --applied names no local migration ("P3017").
    never_applied,      ///< resolve --rolled-back names no recorded migration ("P3011").
    not_failed,         ///< resolve --rolled-back on a migration that is not failed ("P3012").
    no_history_table,   ///< resolve --rolled-back without a history table (Prisma: no code).
    strict_violation,   ///< A warning turned into an error by options::strict (no Prisma code).
    deadline_exceeded,  ///< options::deadline reached; the running statement was cancelled.
                        ///< Retryable.
    commit_in_doubt,    ///< Connection lost during COMMIT and the outcome could not be read back.
    database,           ///< Any other database error (SQLSTATE attached).
    internal,           ///< A bug in ratchet.
    pooler_unsafe,      ///< A migration that cannot run through a transaction pooler.
    lint_failed         ///< The lint gate found a dangerous pending migration; nothing applied.
};

/// The stable name of a code: Prisma's code where one exists ("P3009"), otherwise a
/// lower-case identifier ("invalid_input").
[[nodiscard]] RATCHET_API std::string_view code_name(errc code) noexcept;

/// True when code_name(code) is one of Prisma's codes ("P1001", "P3009", ...): the CLI then
/// prints Prisma's error block.
[[nodiscard]] RATCHET_API bool is_prisma_code(errc code) noexcept;

/// The root (and only) exception type of ratchet.
///
/// Messages never contain passwords, tokens or signed URLs. what() is the human text
/// (for Prisma codes, Prisma's text); the facts are available as properties.
class RATCHET_API error : public std::runtime_error {
public:
    /// @param code      stable code
    /// @param message   human text, already free of secrets
    /// @param sqlstate  five-character SQLSTATE, or empty
    /// @param migration name of the migration involved, or empty
    error(errc code, std::string message, std::string sqlstate = {}, std::string migration = {});

    /// The stable code.
    [[nodiscard]] errc code() const noexcept { return code_; }
    /// code_name(code()): "P3009", "invalid_input", ...
    [[nodiscard]] std::string_view code_name() const noexcept;
    /// The SQLSTATE reported by the server, or empty.
    [[nodiscard]] const std::string& sqlstate() const noexcept { return sqlstate_; }
    /// The migration involved, or empty.
    [[nodiscard]] const std::string& migration() const noexcept { return migration_; }
    /// True when running the same call again may succeed without a human changing anything
    /// (lock timeout, deadline, connection loss before any change).
    [[nodiscard]] bool retryable() const noexcept;

private:
    errc code_;
    std::string sqlstate_;
    std::string migration_;
};

}  // namespace v1
}  // namespace ratchet
