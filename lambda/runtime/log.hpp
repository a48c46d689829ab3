/// @file log.hpp
/// One JSON object per line on stderr (CloudWatch), always redacted.
#pragma once

#include <nlohmann/json.hpp>

#include <string_view>

namespace ratchet::lambda {

/// Replaces every registered secret in the strings (and keys) of value, in place. Call before
/// encoding: redaction after JSON escaping misses secrets with quotes, backslashes or control
/// characters.
void redact_json(nlohmann::json& value);

/// Writes {"level":..,"msg":..,<fields>} as one line to stderr; strings redacted before encoding.
void log_line(std::string_view level, std::string_view message,
              const nlohmann::json& fields = nlohmann::json::object());

/// Sets the request id added to every following line (empty: none).
void set_log_request_id(std::string_view request_id);

}  // namespace ratchet::lambda
