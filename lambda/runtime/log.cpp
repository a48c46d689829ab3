#include "runtime/log.hpp"

#include "aws/redact.hpp"

#include <cstdio>
#include <mutex>
#include <string>

namespace ratchet::lambda {

namespace {
std::mutex log_mu;
std::string current_request_id;
}  // namespace

void set_log_request_id(std::string_view request_id) {
    const std::lock_guard lock(log_mu);
    current_request_id = request_id;
}

void log_line(std::string_view level, std::string_view message, const nlohmann::json& fields) {
    nlohmann::json line = fields.is_object() ? fields : nlohmann::json::object();
    line["level"] = level;
    line["msg"] = message;
    const std::lock_guard lock(log_mu);
    if (!current_request_id.empty()) line["requestId"] = current_request_id;
    const std::string text =
        redact(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)) + "\n";
    std::fwrite(text.data(), 1, text.size(), stderr);
    std::fflush(stderr);
}

}  // namespace ratchet::lambda
