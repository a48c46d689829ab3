#include "runtime/invoke.hpp"

#include "aws/aws_env.hpp"
#include "aws/redact.hpp"
#include "handler/db_config.hpp"
#include "handler/handler.hpp"
#include "runtime/crash.hpp"
#include "runtime/log.hpp"
#include "runtime/responder.hpp"
#include "runtime/watchdog.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace ratchet::lambda {

namespace {

using json = nlohmann::json;

json describe(const cfn_event& e) {
    json props(e.props);
    return {{"requestType", to_string(e.type)},
            {"logicalResourceId", e.logical_resource_id},
            {"stackId", e.stack_id},
            {"cfnRequestId", e.request_id},
            {"physicalResourceId", e.physical_resource_id},
            {"resourceProperties", props}};
}

void log_outcome(const outcome& o, clock::time_point started) {
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - started).count();
    json fields{{"ok", o.ok}, {"physicalResourceId", o.physical_id}, {"durationMs", ms}};
    if (!o.ok) {
        fields["errorType"] = o.error_type;
        fields["trace"] = o.trace;
    }
    if (o.ok && !o.data.is_null() && o.data.size() < 50) fields["data"] = o.data;
    log_line(o.ok ? "info" : "error", o.ok ? "invoke succeeded" : "invoke failed: " + o.reason,
             fields);
}

outcome handle(const event& ev, const time_budget& budget, progress& prog) {
    if (before_handling_hook != nullptr) before_handling_hook(std::get_if<cfn_event>(&ev));
    if (const auto* e = std::get_if<cfn_event>(&ev)) return handle_cfn(*e, budget, prog);
    return handle_command(std::get<command_event>(ev), budget, prog);
}

/// Lambda always sends Lambda-Runtime-Deadline-Ms; without it, assume the longest timeout
/// Lambda allows (or AWS_LAMBDA_FUNCTION_TIMEOUT, as the emulator sets it), so the watchdog
/// and the engine's deadline still exist.
clock::time_point deadline_of(const invocation& inv, clock::time_point started) {
    if (inv.deadline) return *inv.deadline;
    long seconds = 900;
    try {
        if (const auto t = env_or_empty("AWS_LAMBDA_FUNCTION_TIMEOUT"); !t.empty())
            seconds = std::stol(t);
    } catch (const std::exception&) {
    }
    seconds = std::clamp(seconds, 1L, 900L);
    log_line("warn", "no Lambda-Runtime-Deadline-Ms header; assuming a timeout of " +
                         std::to_string(seconds) + " s");
    return started + std::chrono::seconds{seconds};
}

}  // namespace

void (*before_handling_hook)(const cfn_event*) = nullptr;

void run_invocation(runtime_api& api, const invocation& inv) {
    const auto started = clock::now();
    clear_invoke_secrets();
    set_log_request_id(inv.request_id);
    const time_budget budget = make_budget(deadline_of(inv, started), started);
    progress prog;
    std::optional<event> ev;
    std::optional<cfn_event> cfn;
    std::optional<outcome> early;
    try {
        ev = parse_event(inv.payload);
        if (auto* e = std::get_if<cfn_event>(&*ev)) {
            e->resource.physical_id = physical_id_of(e->resource);  // once, for every answer
            cfn = *e;
        }
    } catch (...) {
        cfn = salvage_cfn_event(inv.payload);
        if (cfn && cfn->type == request_type::del) {
            // A FAILED Delete blocks the stack: whatever else is wrong with it, it succeeds.
            log_line(
                "warn",
                "Delete event not fully readable; answering SUCCESS with its PhysicalResourceId");
            early = delete_success(*cfn);
        } else {
            early = failure_from_current_exception(cfn ? cfn->physical_resource_id : "",
                                                   "reading the event");
        }
    }
    if (cfn) register_secret(cfn->response_url);
    response_mode mode = response_mode::provider;
    if (cfn) {
        // An unreadable setting still answers, by the auto rule, so CloudFormation never waits
        // for an hour; the answer names the setting (a Delete succeeds regardless).
        const std::string setting = env_or_empty("RATCHET_RESPONSE_MODE");
        const bool valid = parse_response_setting(setting).has_value();
        mode = choose_response_mode(valid ? setting : "auto", *cfn, inv.function_arn);
        if (!valid && !early) {
            early =
                cfn->type == request_type::del
                    ? delete_success(*cfn)
                    : failure(cfn->type == request_type::update ? cfn->physical_resource_id : "",
                              "ConfigurationError",
                              "RATCHET_RESPONSE_MODE must be provider, direct or auto");
        }
    }
    log_line("info", "invoke",
             {{"mode", mode == response_mode::direct ? "direct" : "provider"},
              {"event", cfn && ev ? describe(*cfn) : json(ev ? "command" : "unreadable")}});
    // The answer's PUT ends before Lambda's deadline (its limits are clamped to give_up).
    const auto give_up = *budget.hard - std::chrono::milliseconds{250};
    responder answer(api, inv.request_id, cfn, mode, give_up);
    // What the watchdog and the crash path answer with: the id CloudFormation gave (Update,
    // Delete), else the one computed from the properties.
    const std::string wd_id = cfn ? (cfn->physical_resource_id.empty() ? cfn->resource.physical_id
                                                                       : cfn->physical_resource_id)
                                  : "";
    arm_crash_answer({inv.request_id, cfn, mode, wd_id, budget.hard});
    watchdog guard(early ? std::nullopt : budget.watchdog, answer, prog, wd_id);
    const outcome o = early ? *early : handle(*ev, budget, prog);
    log_outcome(o, started);
    answer.deliver(o);
    disarm_crash_answer();
}

}  // namespace ratchet::lambda
