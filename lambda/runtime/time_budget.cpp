#include "runtime/time_budget.hpp"

#include <algorithm>

namespace ratchet::lambda {

using std::chrono::milliseconds;

time_budget make_budget(std::optional<clock::time_point> deadline, clock::time_point now) {
    time_budget b;
    if (!deadline) return b;
    b.hard = deadline;
    const auto total = std::chrono::duration_cast<milliseconds>(*deadline - now);
    const milliseconds margin = std::max(milliseconds{3'000}, total / 20);
    b.soft = *deadline - margin;
    b.watchdog = *deadline - margin / 3;
    return b;
}

milliseconds time_budget::left(clock::time_point now, milliseconds fallback) const {
    if (!soft) return fallback;
    return std::max(milliseconds{0}, std::chrono::duration_cast<milliseconds>(*soft - now));
}

}  // namespace ratchet::lambda
