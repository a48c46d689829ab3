#include "runtime/time_budget.hpp"

#include <algorithm>

namespace ratchet::lambda {

using std::chrono::milliseconds;

milliseconds answer_time(milliseconds total) {
    return std::clamp(total / 10, min_answer_time, max_answer_time);
}

time_budget make_budget(std::optional<clock::time_point> deadline, clock::time_point now) {
    time_budget b;
    if (!deadline) return b;
    b.hard = deadline;
    b.total = std::max(milliseconds{0}, std::chrono::duration_cast<milliseconds>(*deadline - now));
    b.watchdog = *deadline - answer_time(b.total);
    b.soft = *b.watchdog - engine_cancel_grace - engine_return_slack;
    if (*b.soft <= now) {
        b.too_short = true;
        b.soft = now;
    }
    return b;
}

milliseconds time_budget::left(clock::time_point now, milliseconds fallback) const {
    if (!soft) return fallback;
    return std::max(milliseconds{0}, std::chrono::duration_cast<milliseconds>(*soft - now));
}

milliseconds minimum_timeout() {
    // soft > start  <=>  T - answer_time(T) > grace + slack; answer_time is min_answer_time there.
    return engine_cancel_grace + engine_return_slack + min_answer_time + milliseconds{1};
}

}  // namespace ratchet::lambda
