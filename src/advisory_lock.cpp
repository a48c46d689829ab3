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

bool try_lock(pg_connection& c) {
    return c.exec("SELECT pg_try_advisory_lock(72707369)").get(0, 0) == "t";
}

}  // namespace

std::string describe_lock_holder(pg_connection& c) {
    const auto r = c.exec(
        "SELECT a.pid, coalesce(a.application_name, ''), coalesce(host(a.client_addr), 'local "
        "socket'), to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS \"UTC\"'), "
        "coalesce(a.state, '') "
        "FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = 72707369 "
        "AND l.objsubid = 1 AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE "
        "datname = current_database()) LIMIT 1");
    if (r.rows() == 0) return {};
    return "pid " + std::string{r.get(0, 0)} + " (application_name '" + std::string{r.get(0, 1)} +
           "', client " + std::string{r.get(0, 2)} + ", connected since " +
           std::string{r.get(0, 3)} + ", state " + std::string{r.get(0, 4)} + ")";
}

advisory_lock::advisory_lock(pg_connection& c, std::chrono::milliseconds timeout,
                             const std::function<void(const std::string&)>& on_wait)
    : conn_{c} {
    const auto start = clock::now();
    const auto give_up = start + timeout;
    std::mt19937 rng{std::random_device{}()};
    auto backoff = first_backoff;
    bool announced = false;
    bool listening = false;
    while (!try_lock(c)) {
        if (!listening) {
            c.exec(std::string{"LISTEN "} + release_channel);
            listening = true;
            continue;  // the holder may have released before LISTEN took effect
        }
        const auto now = clock::now();
        if (now >= give_up) {
            throw error(errc::lock_timeout, prisma_text::p1002(timeout, describe_lock_holder(c)));
        }
        if (!announced && on_wait) {
            on_wait(describe_lock_holder(c));
            announced = true;
        }
        std::uniform_int_distribution<long long> jitter{0, backoff.count() / 2};
        auto sleep = backoff + std::chrono::milliseconds{jitter(rng)};
        sleep = std::min(sleep, std::chrono::duration_cast<std::chrono::milliseconds>(give_up - now) +
                                    std::chrono::milliseconds{1});
        c.wait_for_notification(sleep);
        backoff = std::min(backoff * 2, max_backoff);
    }
    if (listening) c.exec(std::string{"UNLISTEN "} + release_channel);
    waited_ = std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - start);
}

advisory_lock::~advisory_lock() {
    try {
        if (conn_.ok()) conn_.exec(std::string{"SELECT pg_advisory_unlock(72707369); NOTIFY "} + release_channel);
    } catch (...) {  // the lock ends with the session anyway
    }
}

}  // namespace ratchet::detail
