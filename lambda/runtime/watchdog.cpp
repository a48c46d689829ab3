#include "runtime/watchdog.hpp"

#include "runtime/log.hpp"

#include <cstdlib>

namespace ratchet::lambda {

watchdog::watchdog(std::optional<std::chrono::system_clock::time_point> at, responder& r,
                   const progress& p, std::string physical_id)
    : responder_(r), progress_(p), physical_id_(std::move(physical_id)) {
    if (at) thread_ = std::thread([this, t = *at] { run(t); });
}

watchdog::~watchdog() {
    {
        const std::lock_guard lock(mu_);
        done_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void watchdog::run(std::chrono::system_clock::time_point at) {
    {
        std::unique_lock lock(mu_);
        if (cv_.wait_until(lock, at, [this] { return done_; })) return;
    }
    const std::string stage = progress_.get();
    log_line("error", "watchdog: the Lambda deadline is near and the handler has not returned",
             {{"stage", stage}});
    const outcome o = failure(
        physical_id_, "DeadlineExceeded",
        "the Lambda time limit was reached while " + stage +
            "; the process is stopped (a running transaction is rolled back by the server)");
    if (responder_.deliver(o)) std::_Exit(1);
}

}  // namespace ratchet::lambda
