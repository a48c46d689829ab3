/// @file responder.hpp
/// Delivers the outcome of one invoke exactly once - from the handler or from the watchdog,
/// whichever comes first. Provider mode and commands answer Lambda only (response or error
/// endpoint); direct mode PUTs to the ResponseURL and then posts a success to Lambda (so
/// Lambda's async retries do not re-run the request), or an error when the PUT failed.
#pragma once

#include "cfn/event.hpp"
#include "cfn/outcome.hpp"
#include "cfn/response_mode.hpp"
#include "runtime/runtime_api.hpp"

#include <mutex>
#include <optional>

namespace ratchet::lambda {

class responder {
public:
    /// cfn: the CloudFormation request (nullopt for commands and unreadable events).
    responder(runtime_api& api, std::string request_id, std::optional<cfn_event> cfn,
              response_mode mode, std::chrono::system_clock::time_point give_up_at);

    /// @return false when an answer was already delivered (nothing is sent).
    bool deliver(const outcome& o);

private:
    void deliver_to_lambda(const outcome& o);
    void deliver_direct(const outcome& o);
    /// A Runtime API status: 2xx returned; 500 ends the process; others are logged.
    long check(long status);

    runtime_api& api_;
    std::string request_id_;
    std::optional<cfn_event> cfn_;
    response_mode mode_;
    std::chrono::system_clock::time_point give_up_at_;
    std::mutex mu_;
    bool answered_ = false;
};

}  // namespace ratchet::lambda
