// The migration lock shared with Prisma: session advisory lock 72707369, taken by polling
// pg_try_advisory_lock with backoff and jitter (a session blocked in pg_advisory_lock can
// deadlock with CREATE INDEX CONCURRENTLY elsewhere), released explicitly. A ratchet holder
// announces the release with NOTIFY and waiters LISTEN, so they retry at once instead of at
// their next poll (holders that do not notify, Prisma or a dead session, are found by polling).
//
// The schema (tenant) form, used by fleet runs: Prisma's key held in SHARED mode plus an
// exclusive key of the schema, (72707369, schema_lock_key(schema)) in the two-int key space.
// Tenants of one database then migrate in parallel, while Prisma and a plain ratchet run (both
// exclusive on 72707369) exclude, and are excluded by, every tenant run; two runs on the same
// tenant serialise on the schema key. Both keys are taken in one statement and released
// together on failure, so a waiter never holds one while waiting for the other.
#pragma once

#include "pg.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace ratchet::detail {

inline constexpr long long prisma_lock_key = 72707369;

/// The second half of a schema's lock key: FNV-1a (32 bit) of the schema name's bytes, as a
/// signed int4. Stable across versions and machines (documented in migrations-format.md).
[[nodiscard]] std::int32_t schema_lock_key(std::string_view schema) noexcept;

class advisory_lock {
public:
    /// Waits up to `timeout` (and never past the connection's deadline). Without `schema`:
    /// Prisma's key, exclusive. With it: Prisma's key shared plus the schema's key exclusive.
    /// @throws ratchet::error P1002 naming the holder, or deadline_exceeded.
    advisory_lock(pg_connection& c, std::chrono::milliseconds timeout,
                  const std::function<void(const std::string&)>& on_wait,
                  std::optional<std::string> schema = std::nullopt);
    advisory_lock(const advisory_lock&) = delete;
    advisory_lock& operator=(const advisory_lock&) = delete;
    /// Releases the lock (best effort: the session's end releases it anyway).
    ~advisory_lock();

    [[nodiscard]] std::chrono::microseconds waited() const noexcept { return waited_; }

private:
    [[nodiscard]] bool try_lock();

    pg_connection& conn_;
    std::optional<std::string> schema_;
    std::chrono::microseconds waited_{};
};

/// "pid 123 (application_name 'prisma', client 10.0.0.5, connected since ..., state idle)",
/// or empty when nobody holds the lock. With `schema`: a holder that excludes a run on that
/// schema (an exclusive holder of Prisma's key, or a holder of the schema's key).
std::string describe_lock_holder(pg_connection& c,
                                 const std::optional<std::string>& schema = std::nullopt);

}  // namespace ratchet::detail
