#include "handler/engine_setup.hpp"

#include "aws/aws_env.hpp"
#include "aws/text.hpp"
#include "runtime/log.hpp"

#include <ratchet/error.hpp>

#include <algorithm>

namespace ratchet::lambda {

namespace {

std::chrono::milliseconds configured_lock_timeout(std::chrono::milliseconds fallback) {
    const std::string text = env_or_empty("RATCHET_LOCK_TIMEOUT");
    if (text.empty()) return fallback;
    return ratchet::parse_duration(text).value_or(fallback);
}

}  // namespace

ratchet::options make_engine_options(const db_config& cfg, const bundle& b,
                                     const time_budget& budget, progress& prog) {
    ratchet::options o;
    o.url = cfg.url;
    o.schema = cfg.schema;
    o.migrations = b.set;
    o.application_name = "ratchet-lambda";
    o.deadline = budget.soft;
    const auto now = clock::now();
    const auto left = budget.left(now, std::chrono::hours{24});
    o.lock_timeout = std::min(configured_lock_timeout(o.lock_timeout), left);
    const auto left_s =
        static_cast<int>(std::chrono::duration_cast<std::chrono::seconds>(left).count());
    o.connect_timeout_seconds = std::clamp(left_s, 2, o.connect_timeout_seconds);
    o.on_log = [&prog](ratchet::log_level level, std::string_view message) {
        if (level >= ratchet::log_level::info) prog.set(std::string(message));
        if (level >= ratchet::log_level::debug)
            log_line(ratchet::to_string(level), message, {{"source", "engine"}});
    };
    return o;
}

}  // namespace ratchet::lambda
