/// @file progress.hpp
/// What the current invoke is doing ("resolving credentials", "applying migration X"), shared
/// with the watchdog thread so a last-resort FAILED answer can name it.
#pragma once

#include "runtime/crash.hpp"

#include <mutex>
#include <string>

namespace ratchet::lambda {

class progress {
public:
    void set(std::string stage) {
        const std::lock_guard lock(mu_);
        note_crash_stage(stage);
        stage_ = std::move(stage);
    }
    [[nodiscard]] std::string get() const {
        const std::lock_guard lock(mu_);
        return stage_;
    }

private:
    mutable std::mutex mu_;
    std::string stage_ = "starting";
};

}  // namespace ratchet::lambda
