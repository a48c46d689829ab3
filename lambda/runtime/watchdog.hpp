/// @file watchdog.hpp
/// Last resort when the engine does not return by the soft deadline (e.g. stuck in a network
/// call): shortly before Lambda's deadline, answer FAILED naming what was running, then end
/// the process (Lambda starts a fresh one for the next invoke).
#pragma once

#include "runtime/progress.hpp"
#include "runtime/responder.hpp"

#include <condition_variable>
#include <mutex>
#include <thread>

namespace ratchet::lambda {

class watchdog {
public:
    /// at: nullopt disables the watchdog.
    watchdog(std::optional<std::chrono::system_clock::time_point> at, responder& r,
             const progress& p, std::string physical_id);
    ~watchdog();
    watchdog(const watchdog&) = delete;
    watchdog& operator=(const watchdog&) = delete;

private:
    void run(std::chrono::system_clock::time_point at);

    responder& responder_;
    const progress& progress_;
    std::string physical_id_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool done_ = false;
    std::thread thread_;
};

}  // namespace ratchet::lambda
