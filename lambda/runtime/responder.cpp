#include "runtime/responder.hpp"

#include "cfn/cfn_response.hpp"
#include "runtime/log.hpp"
#include "aws/text.hpp"

namespace ratchet::lambda {

namespace {

using json = nlohmann::json;

invocation_error to_error(const outcome& o) {
    // The CDK framework drops the first trace line and appends the others to errorMessage, so
    // the first line only repeats the start of the message (for plain Lambda consoles).
    std::vector<std::string> trace{o.error_type + ": " + truncate_utf8(o.reason, 200)};
    trace.insert(trace.end(), o.trace.begin(), o.trace.end());
    return {o.error_type.empty() ? "Unknown" : o.error_type, o.reason, trace};
}

std::string success_payload(const outcome& o, bool custom_resource) {
    if (!custom_resource) return o.data.dump(-1, ' ', false, json::error_handler_t::replace);
    json body{{"PhysicalResourceId", o.physical_id}, {"Data", o.data}};
    return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

responder::responder(runtime_api& api, std::string request_id, std::optional<cfn_event> cfn, response_mode mode,
                     std::chrono::system_clock::time_point give_up_at)
    : api_(api), request_id_(std::move(request_id)), cfn_(std::move(cfn)), mode_(mode), give_up_at_(give_up_at) {}

bool responder::deliver(const outcome& o) {
    const std::lock_guard lock(mu_);
    if (answered_) return false;
    answered_ = true;
    try {
        if (cfn_ && mode_ == response_mode::direct) {
            deliver_direct(o);
        } else {
            deliver_to_lambda(o);
        }
    } catch (const std::exception& e) {
        log_line("error", std::string("cannot deliver the answer: ") + e.what());
    }
    return true;
}

void responder::deliver_to_lambda(const outcome& o) {
    const bool accepted = o.ok ? api_.post_response(request_id_, success_payload(o, cfn_.has_value()))
                               : api_.post_error(request_id_, to_error(o));
    if (!accepted) log_line("error", "the Runtime API refused the answer");
}

void responder::deliver_direct(const outcome& o) {
    if (cfn_->response_url.empty()) {
        log_line("error", "direct response mode but the event has no ResponseURL");
        (void)api_.post_error(request_id_, {"NoResponseURL", "direct response mode but the event has no ResponseURL", {}});
        return;
    }
    const bool put = put_cfn_response(*cfn_, cfn_response_body(*cfn_, o), 5, give_up_at_);
    log_line(put ? "info" : "error", put ? "response delivered to CloudFormation" : "could not deliver the response to CloudFormation",
             {{"status", o.ok ? "SUCCESS" : "FAILED"}});
    if (put) {
        const json summary{{"Status", o.ok ? "SUCCESS" : "FAILED"}, {"PhysicalResourceId", o.physical_id}};
        (void)api_.post_response(request_id_, summary.dump());
    } else {
        (void)api_.post_error(request_id_, {"ResponseDeliveryFailed", "could not PUT the response to CloudFormation's ResponseURL", {}});
    }
}

}  // namespace ratchet::lambda
