/// @file time_budget.hpp
/// How one invoke spends the time Lambda gives it (Lambda-Runtime-Deadline-Ms), from the end:
///
///   hard      Lambda's deadline: the process is frozen or killed.
///   watchdog  hard - answer_time(T): if the handler has not returned, the watchdog answers
///             FAILED; answer_time leaves room for one PUT to the ResponseURL (its connect and
///             total limits are clamped to hard) and the Runtime API post.
///   soft      watchdog - engine_cancel_grace - engine_return_slack: the engine's
///             options::deadline. At soft the engine cancels the running statement and waits up
///             to engine_cancel_grace for the server, then rolls back and returns, so its own
///             answer (naming the migration) normally arrives before the watchdog fires.
///
/// T is the invoke's whole budget (deadline - start). answer_time(T) = T/10 within [1 s, 10 s].
/// When soft would not be after the start (T below about 8 s) the budget is too_short and
/// Create/Update answer FAILED at once, naming the minimum timeout.
#pragma once

#include <ratchet/options.hpp>

#include <chrono>
#include <optional>

namespace ratchet::lambda {

using clock = std::chrono::system_clock;

/// How long the engine waits for the server after cancelling at its deadline.
inline constexpr std::chrono::milliseconds engine_cancel_grace = ratchet::cancel_grace;
/// After the cancel: the rollback, closing the connection and building the answer.
inline constexpr std::chrono::milliseconds engine_return_slack{1'000};
inline constexpr std::chrono::milliseconds min_answer_time{1'000};
inline constexpr std::chrono::milliseconds max_answer_time{10'000};

/// Time kept for delivering the answer, for an invoke budget of `total`.
[[nodiscard]] std::chrono::milliseconds answer_time(std::chrono::milliseconds total);

struct time_budget {
    std::optional<clock::time_point> hard;      ///< Lambda's deadline (nullopt: none given)
    std::optional<clock::time_point> soft;      ///< passed to the engine as options::deadline
    std::optional<clock::time_point> watchdog;  ///< last resort: answer FAILED and exit
    bool too_short = false;                     ///< soft is not after the start
    std::chrono::milliseconds total{0};         ///< hard - start

    /// Time left until the soft deadline (at least 0); `fallback` without a deadline.
    [[nodiscard]] std::chrono::milliseconds left(clock::time_point now,
                                                 std::chrono::milliseconds fallback) const;
};

[[nodiscard]] time_budget make_budget(std::optional<clock::time_point> deadline,
                                      clock::time_point now);

/// The shortest function timeout for which the engine gets any time (about 8 s).
[[nodiscard]] std::chrono::milliseconds minimum_timeout();

}  // namespace ratchet::lambda
