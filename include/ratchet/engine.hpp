/// @file engine.hpp
/// The entry point: apply, inspect and resolve migrations on one PostgreSQL database.
#pragma once

#include <ratchet/error.hpp>
#include <ratchet/export.hpp>
#include <ratchet/options.hpp>
#include <ratchet/report.hpp>

#include <memory>
#include <string_view>
#include <vector>

namespace ratchet {
inline namespace v1 {

/// Applies Prisma-format migrations to one PostgreSQL database and keeps _prisma_migrations
/// exactly as Prisma does, so Prisma and ratchet can be swapped at any time.
///
/// Each call opens its own connection and closes it before returning, so an engine holds no
/// connection between calls (right for Lambda, whose process is frozen between invocations).
///
/// Thread-safety: calls on one engine must not overlap; use one engine per thread. Engines
/// on different threads may work on the same database at once: the advisory lock serialises
/// them and every migration is applied exactly once.
class RATCHET_API engine final {
public:
    /// Validates the options (URL syntax, schema name); does not connect.
    /// @throws ratchet::error (invalid_input) on a malformed URL.
    explicit engine(options opts);
    /// Moves; the moved-from engine may only be destroyed or assigned to.
    engine(engine&&) noexcept;
    /// Moves; the moved-from engine may only be destroyed or assigned to.
    engine& operator=(engine&&) noexcept;
    engine(const engine&) = delete;             ///< not copyable
    engine& operator=(const engine&) = delete;  ///< not copyable
    /// Holds no connection between calls, so there is nothing to close; never throws.
    ~engine();

    /// `prisma migrate deploy`: takes the lock, creates the history table on an empty schema,
    /// and applies every pending migration in order. A transactional migration runs in one
    /// transaction with its history row; if it fails nothing of it remains and a rolled-back
    /// row records the error. Stops at the first failure; earlier migrations stay applied.
    /// @throws ratchet::error: P3019, P1002, P3005, P3009, P3015, P3018, strict_violation,
    ///         deadline_exceeded, connection, database.
    deploy_report deploy();

    /// `prisma migrate status`: every migration's state and Prisma's summary. Takes no lock
    /// and never creates the history table (it does create a missing ?schema= schema, as
    /// Prisma does).
    /// @throws ratchet::error: P3019, P3015, connection, database.
    [[nodiscard]] status_report status();

    /// What deploy() would do now, computed read-only (no lock, no table, no schema created).
    /// @throws ratchet::error: connection, database.
    [[nodiscard]] plan_report plan();

    /// Checksums and history consistency only (read-only), for CI gates.
    /// @throws ratchet::error: connection, database.
    [[nodiscard]] verify_report verify();

    /// `prisma migrate resolve --applied NAME`: records NAME as applied without running it
    /// (also the baselining path: creates the history table without an emptiness check).
    /// @throws ratchet::error: P3019, P3017, P3008, P1002, connection, database.
    resolve_report resolve_applied(std::string_view name);

    /// `prisma migrate resolve --rolled-back NAME`: marks NAME's failed rows rolled back.
    /// @throws ratchet::error: P3011, P3012, no_history_table, P1002, connection, database.
    resolve_report resolve_rolled_back(std::string_view name);

    /// All rows of _prisma_migrations ordered by started_at (empty without a table).
    /// @throws ratchet::error: connection, database.
    [[nodiscard]] std::vector<history_row> history();

    /// The options the engine was built with (the migration set included).
    [[nodiscard]] const options& settings() const noexcept;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace v1
}  // namespace ratchet
