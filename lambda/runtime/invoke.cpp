#include "runtime/invoke.hpp"

#include "aws/aws_env.hpp"
#include "handler/db_config.hpp"
#include "handler/handler.hpp"
#include "runtime/log.hpp"
#include "aws/redact.hpp"
#include "runtime/responder.hpp"
#include "runtime/watchdog.hpp"

#include <nlohmann/json.hpp>

namespace ratchet::lambda {

namespace {

using json = nlohmann::json;

/// The routing fields of an event we could not fully parse, so a FAILED answer can still reach
/// CloudFormation in direct mode (nullopt when not even that is readable).
std::optional<cfn_event> salvage_cfn(const std::string& payload) {
    try {
        const json j = json::parse(payload);
        const auto s = [&](const char* k) { return j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : ""; };
        if (s("ResponseURL").empty() || s("RequestId").empty()) return std::nullopt;
        cfn_event e;
        e.response_url = s("ResponseURL");
        e.stack_id = s("StackId");
        e.request_id = s("RequestId");
        e.logical_resource_id = s("LogicalResourceId");
        e.service_token = s("ServiceToken");
        e.physical_resource_id = s("PhysicalResourceId");
        return e;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

json describe(const cfn_event& e) {
    json props(e.props);
    return {{"requestType", to_string(e.type)}, {"logicalResourceId", e.logical_resource_id},
            {"stackId", e.stack_id}, {"cfnRequestId", e.request_id}, {"physicalResourceId", e.physical_resource_id},
            {"resourceProperties", props}};
}

void log_outcome(const outcome& o, clock::time_point started) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - started).count();
    json fields{{"ok", o.ok}, {"physicalResourceId", o.physical_id}, {"durationMs", ms}};
    if (!o.ok) {
        fields["errorType"] = o.error_type;
        fields["trace"] = o.trace;
    }
    if (o.ok && !o.data.is_null() && o.data.size() < 50) fields["data"] = o.data;
    log_line(o.ok ? "info" : "error", o.ok ? "invoke succeeded" : "invoke failed: " + o.reason, fields);
}

outcome handle(const event& ev, const time_budget& budget, progress& prog) {
    if (const auto* e = std::get_if<cfn_event>(&ev)) return handle_cfn(*e, budget, prog);
    return handle_command(std::get<command_event>(ev), budget, prog);
}

}  // namespace

void run_invocation(runtime_api& api, const invocation& inv) {
    const auto started = clock::now();
    clear_invoke_secrets();
    set_log_request_id(inv.request_id);
    const time_budget budget = make_budget(inv.deadline, started);
    progress prog;
    std::optional<event> ev;
    std::optional<cfn_event> cfn;
    std::optional<outcome> early;
    try {
        ev = parse_event(inv.payload);
        if (auto* e = std::get_if<cfn_event>(&*ev)) cfn = *e;
    } catch (...) {
        cfn = salvage_cfn(inv.payload);
        early = failure_from_current_exception(cfn ? cfn->physical_resource_id : "", "reading the event");
    }
    if (cfn) register_secret(cfn->response_url);
    response_mode mode = response_mode::provider;
    try {
        if (cfn) mode = choose_response_mode(env_or_empty("RATCHET_RESPONSE_MODE"), *cfn, inv.function_arn);
    } catch (...) {
        early = failure_from_current_exception(cfn->physical_resource_id, "choosing the response mode");
    }
    log_line("info", "invoke", {{"mode", mode == response_mode::direct ? "direct" : "provider"},
                                {"event", cfn && ev ? describe(*cfn) : json(ev ? "command" : "unreadable")}});
    const auto give_up = budget.hard.value_or(started + std::chrono::minutes{1});
    responder answer(api, inv.request_id, cfn, mode, give_up);
    const std::string wd_id = cfn ? (cfn->physical_resource_id.empty() ? physical_id_without_secret(cfn->props)
                                                                        : cfn->physical_resource_id)
                                   : "";
    watchdog guard(early ? std::nullopt : budget.watchdog, answer, prog, wd_id);
    const outcome o = early ? *early : handle(*ev, budget, prog);
    log_outcome(o, started);
    answer.deliver(o);
}

}  // namespace ratchet::lambda
