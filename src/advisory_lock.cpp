#include "advisory_lock.hpp"

#include "prisma_text.hpp"

#include <ratchet/error.hpp>

#include <algorithm>
#include <random>

namespace ratchet::detail {
namespace {

constexpr auto first_backoff = std::chrono::milliseconds{20};
constexpr auto max_backoff = std::chrono::milliseconds{500};

constexpr const char* release_channel = "ratchet_migration_lock_released";

// pg_locks shows an int4 key as an unsigned oid.
std::string as_oid(std::int32_t key) {
    return std::to_string(static_cast<std::uint32_t>(key));
}

}  // namespace

std::int32_t schema_lock_key(std::string_view schema) noexcept {
    std::uint32_t h = 2166136261U;
    for (const char ch : schema) {
        h ^= static_cast<unsigned char>(ch);
        h *= 16777619U;
    }
    return static_cast<std::int32_t>(h);
}

std::string describe_lock_holder(pg_connection& c, const std::optional<std::string>& schema) {
    std::string which =
        "l.classid = 0 AND l.objid = 72707369 AND l.objsubid = 1";  // Prisma's key, any mode
    if (schema) {
        which =
            "((l.classid = 0 AND l.objid = 72707369 AND l.objsubid = 1 AND l.mode = "
            "'ExclusiveLock') OR (l.classid = 72707369 AND l.objid = " +
            as_oid(schema_lock_key(*schema)) + " AND l.objsubid = 2))";
    }
    const auto r = c.exec(
        "SELECT a.pid, coalesce(a.application_name, ''), coalesce(host(a.client_addr), 'local "
        "socket'), to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS \"UTC\"'), "
        "coalesce(a.state, '') "
        "FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted AND a.pid <> pg_backend_pid() AND " +
        which +
        " AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE "
        "datname = current_database()) LIMIT 1");
    if (r.rows() == 0) return {};
    return "pid " + std::string{r.get(0, 0)} + " (application_name '" + std::string{r.get(0, 1)} +
           "', client " + std::string{r.get(0, 2)} + ", connected since " +
           std::string{r.get(0, 3)} + ", state " + std::string{r.get(0, 4)} + ")";
}

bool advisory_lock::try_lock() {
    if (!schema_) return conn_.exec("SELECT pg_try_advisory_lock(72707369)").get(0, 0) == "t";
    // A CTE with a volatile function is evaluated once, before the CASE: the schema key is
    // only tried once the shared key is held.
    const std::string key = std::to_string(schema_lock_key(*schema_));
    const auto r = conn_.exec(
        "WITH s AS (SELECT pg_try_advisory_lock_shared(72707369) AS shared) "
        "SELECT shared, CASE WHEN shared THEN pg_try_advisory_lock(72707369, " +
        key + ") ELSE false END FROM s");
    if (r.get(0, 1) == "t") return true;
    if (r.get(0, 0) == "t") conn_.exec("SELECT pg_advisory_unlock_shared(72707369)");
    return false;
}

advisory_lock::advisory_lock(pg_connection& c, std::chrono::milliseconds timeout,
                             const std::function<void(const std::string&)>& on_wait,
                             std::optional<std::string> schema)
    : conn_{c}, schema_{std::move(schema)} {
    const auto start = clock::now();
    const auto give_up = start + timeout;
    std::mt19937 rng{std::random_device{}()};
    auto backoff = first_backoff;
    bool announced = false;
    bool listening = false;
    while (!try_lock()) {
        if (!listening) {
            c.exec(std::string{"LISTEN "} + release_channel);
            listening = true;
            continue;  // the holder may have released before LISTEN took effect
        }
        const auto now = clock::now();
        if (now >= give_up) {
            throw error(errc::lock_timeout,
                        prisma_text::p1002(timeout, describe_lock_holder(c, schema_)));
        }
        if (!announced && on_wait) {
            on_wait(describe_lock_holder(c, schema_));
            announced = true;
        }
        std::uniform_int_distribution<long long> jitter{0, backoff.count() / 2};
        auto sleep = backoff + std::chrono::milliseconds{jitter(rng)};
        sleep =
            std::min(sleep, std::chrono::duration_cast<std::chrono::milliseconds>(give_up - now) +
                                std::chrono::milliseconds{1});
        c.wait_for_notification(sleep);
        backoff = std::min(backoff * 2, max_backoff);
    }
    if (listening) c.exec(std::string{"UNLISTEN "} + release_channel);
    waited_ = std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - start);
}

advisory_lock::~advisory_lock() {
    try {
        if (!conn_.ok()) return;
        if (schema_) {
            conn_.exec("SELECT pg_advisory_unlock(72707369, " +
                       std::to_string(schema_lock_key(*schema_)) +
                       "), pg_advisory_unlock_shared(72707369); NOTIFY " + release_channel);
        } else {
            conn_.exec(std::string{"SELECT pg_advisory_unlock(72707369); NOTIFY "} +
                       release_channel);
        }
    } catch (...) {  // the lock ends with the session anyway
    }
}

}  // namespace ratchet::detail
