#include "runtime/responder.hpp"

#include "aws/redact.hpp"
#include "aws/text.hpp"
#include "cfn/cfn_response.hpp"
#include "runtime/log.hpp"

#include <cstdlib>

namespace ratchet::lambda {

namespace {

using json = nlohmann::json;

invocation_error to_error(const outcome& o) {
    std::vector<std::string> trace{o.error_type + ": " + truncate_utf8(o.reason, 200)};
    trace.insert(trace.end(), o.trace.begin(), o.trace.end());
    return {o.error_type.empty() ? "Unknown" : o.error_type, o.reason, trace};
}

invocation_error to_error(const cfn_event& e, const outcome& o) {
    lambda_error err = provider_error(e, o);
    return {std::move(err.type), std::move(err.message), std::move(err.trace)};
}

}  // namespace

responder::responder(runtime_api& api, std::string request_id, std::optional<cfn_event> cfn,
                     response_mode mode, std::chrono::system_clock::time_point give_up_at)
    : api_(api),
      request_id_(std::move(request_id)),
      cfn_(std::move(cfn)),
      mode_(mode),
      give_up_at_(give_up_at) {}

bool responder::deliver(const outcome& raw) {
    const std::lock_guard lock(mu_);
    if (answered_) return false;
    answered_ = true;
    // Every text is redacted raw, before any JSON encoding (log.hpp says why).
    outcome o = raw;
    o.reason = redact(o.reason);
    for (auto& line : o.trace) line = redact(line);
    redact_json(o.data);
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
    if (o.ok) {
        const std::string body = cfn_ ? provider_success(*cfn_, o)
                                      : o.data.dump(-1, ' ', false, json::error_handler_t::replace);
        const long status = check(api_.post_response(request_id_, body));
        if (status == 413) {
            // Still answer: a success Lambda cannot carry becomes an error it can.
            check(api_.post_error(
                request_id_, {"ResponseTooLarge",
                              "the result (" + std::to_string(body.size()) +
                                  " bytes) exceeds Lambda's response limit; see the function's log",
                              {}}));
        }
    } else {
        check(api_.post_error(request_id_, cfn_ ? to_error(*cfn_, o) : to_error(o)));
    }
}

long responder::check(long status) {
    if (status >= 200 && status < 300) return status;
    if (status == 500) {
        // Lambda's Runtime API: 500 means the container is broken; the runtime must exit.
        log_line("error", "the Runtime API answered HTTP 500 (container broken): exiting");
        std::_Exit(1);
    }
    log_line("error", "the Runtime API refused the answer", {{"status", status}});
    return status;
}

void responder::deliver_direct(const outcome& o) {
    if (cfn_->response_url.empty()) {
        log_line("error", "direct response mode but the event has no ResponseURL");
        check(api_.post_error(
            request_id_,
            {"NoResponseURL", "direct response mode but the event has no ResponseURL", {}}));
        return;
    }
    const bool put = put_cfn_response(*cfn_, cfn_response_body(*cfn_, o), 5, give_up_at_);
    log_line(put ? "info" : "error",
             put ? "response delivered to CloudFormation"
                 : "could not deliver the response to CloudFormation",
             {{"status", o.ok ? "SUCCESS" : "FAILED"}});
    if (put) {
        const json summary{{"Status", o.ok ? "SUCCESS" : "FAILED"},
                           {"PhysicalResourceId", o.physical_id}};
        check(api_.post_response(request_id_, summary.dump()));
    } else {
        check(api_.post_error(request_id_,
                              {"ResponseDeliveryFailed",
                               "could not PUT the response to CloudFormation's ResponseURL",
                               {}}));
    }
}

}  // namespace ratchet::lambda
