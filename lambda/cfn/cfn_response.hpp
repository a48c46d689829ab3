/// @file cfn_response.hpp
/// The direct-invocation answer to CloudFormation: a JSON body of at most 4096 bytes PUT to the
/// pre-signed ResponseURL with an empty Content-Type, retried with backoff.
#pragma once

#include "cfn/event.hpp"
#include "cfn/outcome.hpp"

#include <chrono>
#include <string>

namespace ratchet::lambda {

inline constexpr std::size_t max_cfn_body_bytes = 4'096;

/// {"Status","Reason","PhysicalResourceId","StackId","RequestId","LogicalResourceId","Data"},
/// shrunk (Reason, then Data) until it fits max_cfn_body_bytes.
[[nodiscard]] std::string cfn_response_body(const cfn_event& e, const outcome& o);

/// PUTs body to e.response_url: up to `attempts` tries, backoff 1 s, 2 s, 4 s... but never past
/// give_up_at. @return true on HTTP 200. Never logs or throws the URL.
bool put_cfn_response(const cfn_event& e, const std::string& body, int attempts,
                      std::chrono::system_clock::time_point give_up_at);

}  // namespace ratchet::lambda
