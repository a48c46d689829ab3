/// @file runtime_api.hpp
/// Client of the Lambda Runtime API (2018-06-01): next, response, error, init error.
#pragma once

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace ratchet::lambda {

/// One invocation as delivered by GET /runtime/invocation/next.
struct invocation {
    std::string request_id;
    std::string payload;
    std::string function_arn;
    std::string trace_id;
    /// Lambda-Runtime-Deadline-Ms; nullopt when the header is missing or malformed.
    std::optional<std::chrono::system_clock::time_point> deadline;
};

/// An error reported to Lambda: {"errorMessage","errorType","trace":[...]}.
struct invocation_error {
    std::string type;     ///< e.g. "Ratchet.MigrationFailed" (sent as Function.<Type> header)
    std::string message;  ///< one clean line, already redacted and truncated
    std::vector<std::string> trace;
};

/// The Runtime API answered 500: the container is broken and the runtime must exit.
class runtime_broken : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class runtime_api {
public:
    /// endpoint: the value of AWS_LAMBDA_RUNTIME_API ("host:port").
    explicit runtime_api(std::string endpoint);

    /// Long-polls for the next event (no read timeout); exports _X_AMZN_TRACE_ID.
    /// @throws runtime_broken on HTTP 500 (Lambda says: exit)
    /// @throws std::runtime_error when the Runtime API cannot be reached or answers badly.
    [[nodiscard]] invocation next();

    /// @return the HTTP status: 202 accepted; 403 not allowed (already answered); 413 the
    /// body is too large; 500 the container is broken and the runtime must exit.
    /// @throws std::runtime_error when the Runtime API cannot be reached.
    long post_response(const std::string& request_id, const std::string& json_body);
    long post_error(const std::string& request_id, const invocation_error& err);
    long post_init_error(const invocation_error& err);

    /// The JSON body of an error post (exposed for tests).
    [[nodiscard]] static std::string error_body(const invocation_error& err);

private:
    long post(const std::string& path, const std::string& body, const std::string& error_type);
    std::string base_;
};

}  // namespace ratchet::lambda
