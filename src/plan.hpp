// Plan: pure functions of (local migrations, history rows, options). No I/O, so every Prisma
// rule is unit-testable.
#pragma once

#include <ratchet/error.hpp>
#include <ratchet/migration.hpp>
#include <ratchet/report.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ratchet::detail {

/// migration_lock.toml check as Prisma's error_on_changed_provider.
/// @return the provider value found when it is not "postgresql"; nullopt when fine or absent.
std::optional<std::string> lock_file_mismatch(const std::optional<std::string>& content);

/// @throws ratchet::error P3019 on a mismatching lock file.
void check_lock_file(const migration_set& set);

/// Prisma's tolerant checksum comparison: as-is, CRLF->LF, LF->CRLF, and the legacy unpadded
/// format for stored values that are not 64 characters long.
bool checksum_matches(std::string_view script, std::string_view stored);

/// The same, for a loaded migration: compares its precomputed checksum first and hashes the
/// script again only when that differs (the plan stays cheap for thousands of migrations).
bool checksum_matches(const migration& m, std::string_view stored);

/// What the target schema holds (Prisma's `initialize` looks at ordinary tables only).
struct schema_contents {
    bool has_history_table = false;
    bool has_other_tables = false;
};

/// What deploy will do, decided once the lock is held and the rows are loaded.
struct deploy_decision {
    std::vector<const migration*> pending;   ///< in directory order
    std::vector<const history_row*> failed;  ///< rows blocking with P3009, by started_at
    std::vector<warning> warnings;
};

/// Prisma's deploy rules (§5): pending = local migrations without a row whose rolled_back_at is
/// NULL; failed rows block. Warnings beyond Prisma: checksum drift, missing locally, out of order.
deploy_decision decide_deploy(const migration_set& set, const std::vector<history_row>& rows);

/// Prisma's diagnoseMigrationHistory plus the status CLI's decision (§7).
/// @throws ratchet::error P3015 when a recorded migration's script cannot be read.
status_report diagnose(const migration_set& set, const std::vector<history_row>& rows,
                       bool has_table);

/// Rows to mark rolled back by resolve --applied, after Prisma's checks (§6).
/// @throws ratchet::error P3017, P3008.
std::vector<const history_row*> resolve_applied_targets(const migration_set& set,
                                                        const std::vector<history_row>& rows,
                                                        std::string_view name);

/// Rows to mark rolled back by resolve --rolled-back (§6).
/// @throws ratchet::error P3011, P3012.
std::vector<const history_row*> resolve_rolled_back_targets(const std::vector<history_row>& rows,
                                                            std::string_view name);

/// Deploy's pre-flight verdict: the error it stops with before applying anything, in Prisma's
/// order (P3019 provider mismatch, P3005 schema not empty, P3009 failed migrations), then
/// strict mode (warnings listed). deploy() throws it; plan() reports it.
std::optional<error> deploy_verdict(const migration_set& set, const schema_contents& contents,
                                    const deploy_decision& decision, bool strict);

}  // namespace ratchet::detail
