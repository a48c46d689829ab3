/// @file outcome.hpp
/// The result of handling one event, before it is delivered (to Lambda or CloudFormation).
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace ratchet::lambda {

/// Longest failure text an outcome keeps; each destination cuts it further to its own limit
/// (cfn_response.hpp: CloudFormation's 4,096 bytes, measured after JSON encoding).
inline constexpr std::size_t max_reason_bytes = 16'000;

struct outcome {
    bool ok = true;
    std::string physical_id;                         ///< custom resources only
    nlohmann::json data = nlohmann::json::object();  ///< CloudFormation Data, or a command's result
    std::string error_type;                          ///< e.g. "MigrationFailed" (when !ok)
    std::string reason;              ///< clean, redacted, short (when !ok); warnings when ok
    std::vector<std::string> trace;  ///< short context lines (when !ok)
};

/// A failure outcome from the exception being handled (call inside a catch block).
/// The message is redacted and cut to max_reason_bytes.
[[nodiscard]] outcome failure_from_current_exception(std::string physical_id,
                                                     const std::string& stage);

struct cfn_event;

/// The answer to every Delete: SUCCESS with the PhysicalResourceId CloudFormation gave (a
/// FAILED Delete blocks the stack; migrations are never rolled back).
[[nodiscard]] outcome delete_success(const cfn_event& e);

/// A failure outcome from a known type and message.
[[nodiscard]] outcome failure(std::string physical_id, std::string type, std::string message,
                              std::vector<std::string> trace = {});

}  // namespace ratchet::lambda
