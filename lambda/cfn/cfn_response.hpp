/// @file cfn_response.hpp
/// What CloudFormation receives, in both response modes, kept within its 4,096-byte limit.
///
/// Direct mode: we PUT {"Status","Reason","PhysicalResourceId","StackId","RequestId",
/// "LogicalResourceId","Data"} to the pre-signed ResponseURL with an empty Content-Type.
/// Provider mode: the CDK framework builds that body from our answer. For an error it sets
/// Reason = errorMessage + "\n\nLogs: /aws/lambda/<function>\n" + "\n" + trace[1..].join("\n")
/// and JSON-encodes it (quotes and backslashes double, control characters become \uXXXX), so
/// the sizes here are measured on the encoded body, never on raw bytes. Any body over the
/// limit is replaced by CloudFormation with "Response object is too long." and the real error
/// is lost: the Reason is cut (keeping its start), then Data is dropped, then the identifiers.
#pragma once

#include "cfn/event.hpp"
#include "cfn/outcome.hpp"

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace ratchet::lambda {

inline constexpr std::size_t max_cfn_body_bytes = 4'096;

/// Longest Lambda function name; the framework's Reason names the function, we assume the worst.
inline constexpr std::size_t max_function_name_bytes = 64;

/// The marker the CDK framework puts in place of a missing PhysicalResourceId after a failed
/// Create.
inline constexpr std::string_view create_failed_marker =
    "AWSCDK::CustomResourceProviderFramework::CREATE_FAILED";

/// The direct-mode body, at most max_cfn_body_bytes.
[[nodiscard]] std::string cfn_response_body(const cfn_event& e, const outcome& o);

/// The error answer for the Runtime API: {"errorMessage","errorType","trace"}.
struct lambda_error {
    std::string type;
    std::string message;
    std::vector<std::string> trace;
};

/// The error answer for provider mode, cut so that the body the CDK framework PUTs is at most
/// max_cfn_body_bytes for any function name (e is the event the framework passed on).
[[nodiscard]] lambda_error provider_error(const cfn_event& e, const outcome& o);

/// The success answer for provider mode ({"PhysicalResourceId","Data"}), with Data.Lint, then
/// Data.Warnings cut (then dropped) so the framework's body fits.
[[nodiscard]] std::string provider_success(const cfn_event& e, const outcome& o);

/// Cuts the string data[key] to its longest start (marker appended) for which
/// body_size(data) <= max_cfn_body_bytes, or erases it when no start fits; untouched when the
/// body already fits or there is no such string.
void fit_data_text(nlohmann::json& data, const char* key,
                   const std::function<std::size_t(const nlohmann::json&)>& body_size);

/// The body the CDK framework (aws-cdk-lib 2.276 cfn-response.js) PUTs for an error answer,
/// as bytes; function_name as in the framework's "Logs:" line.
[[nodiscard]] std::string framework_failure_body(const cfn_event& e, const lambda_error& err,
                                                 std::string_view function_name);

/// The longest start of text (cut at a UTF-8 boundary, marker appended when cut) for which
/// fits() holds; "" when none does.
[[nodiscard]] std::string longest_fitting_prefix(
    const std::string& text, const std::function<bool(const std::string&)>& fits);

/// PUTs body to e.response_url: up to `attempts` tries, backoff 1 s, 2 s, 4 s..., every try
/// and every wait bounded by give_up_at (nothing is sent once it has passed). @return true on
/// HTTP 200. Never logs or throws the URL.
bool put_cfn_response(const cfn_event& e, const std::string& body, int attempts,
                      std::chrono::system_clock::time_point give_up_at);

}  // namespace ratchet::lambda
