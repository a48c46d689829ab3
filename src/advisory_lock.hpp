// The migration lock shared with Prisma: session advisory lock 72707369, taken by polling
// pg_try_advisory_lock with backoff and jitter (a session blocked in pg_advisory_lock can
// deadlock with CREATE INDEX CONCURRENTLY elsewhere), released explicitly. A ratchet holder
// announces the release with NOTIFY and waiters LISTEN, so they retry at once instead of at
// their next poll (holders that do not notify, Prisma or a dead session, are found by polling).
#pragma once

#include "pg.hpp"

#include <chrono>
#include <functional>
#include <string>

namespace ratchet::detail {

inline constexpr long long prisma_lock_key = 72707369;

class advisory_lock {
public:
    /// Waits up to `timeout` (and never past the connection's deadline).
    /// @throws ratchet::error P1002 naming the holder, or deadline_exceeded.
    advisory_lock(pg_connection& c, std::chrono::milliseconds timeout,
                  const std::function<void(const std::string&)>& on_wait);
    advisory_lock(const advisory_lock&) = delete;
    advisory_lock& operator=(const advisory_lock&) = delete;
    /// Releases the lock (best effort: the session's end releases it anyway).
    ~advisory_lock();

    [[nodiscard]] std::chrono::microseconds waited() const noexcept { return waited_; }

private:
    pg_connection& conn_;
    std::chrono::microseconds waited_{};
};

/// "pid 123 (application_name 'prisma', client 10.0.0.5, connected since ..., state idle)",
/// or empty when nobody holds the lock.
std::string describe_lock_holder(pg_connection& c);

}  // namespace ratchet::detail
