/// @file time_budget.hpp
/// The soft deadline of one invoke: the Lambda deadline minus a safety margin of
/// max(3 s, 5 % of the invoke's budget), so a FAILED answer naming the running migration is
/// delivered before Lambda kills the process.
#pragma once

#include <chrono>
#include <optional>

namespace ratchet::lambda {

using clock = std::chrono::system_clock;

struct time_budget {
    std::optional<clock::time_point> hard;  ///< Lambda's deadline (nullopt: none given)
    std::optional<clock::time_point> soft;  ///< passed to the engine as options::deadline
    std::optional<clock::time_point> watchdog;  ///< last resort: answer FAILED and exit

    /// Time left until the soft deadline (at least 0); `fallback` without a deadline.
    [[nodiscard]] std::chrono::milliseconds left(clock::time_point now, std::chrono::milliseconds fallback) const;
};

[[nodiscard]] time_budget make_budget(std::optional<clock::time_point> deadline, clock::time_point now);

}  // namespace ratchet::lambda
