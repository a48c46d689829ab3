#include "cfn/event.hpp"

#include "aws/text.hpp"

#include <nlohmann/json.hpp>

namespace ratchet::lambda {

namespace {

using json = nlohmann::json;

std::string scalar_text(const json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_null()) return {};
    return v.dump();  // numbers and booleans sent by hand-made events
}

std::string str(const json& obj, const char* key) {
    const auto it = obj.find(key);
    return it == obj.end() ? std::string{} : scalar_text(*it);
}

properties props_of(const json& obj, const char* key) {
    properties out;
    const auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return out;
    if (!it->is_object()) throw bad_event(std::string(key) + " is not an object");
    for (const auto& [k, v] : it->items()) {
        // Nested values (lists, objects) are kept as JSON text; we only read scalars.
        out[k] = v.is_structured() ? v.dump() : scalar_text(v);
    }
    return out;
}

request_type parse_type(const std::string& t) {
    if (t == "Create") return request_type::create;
    if (t == "Update") return request_type::update;
    if (t == "Delete") return request_type::del;
    throw bad_event("unknown RequestType (expected Create, Update or Delete)");
}

cfn_event parse_cfn(const json& j) {
    cfn_event e;
    e.type = parse_type(str(j, "RequestType"));
    e.response_url = str(j, "ResponseURL");
    e.stack_id = str(j, "StackId");
    e.request_id = str(j, "RequestId");
    e.logical_resource_id = str(j, "LogicalResourceId");
    e.resource_type = str(j, "ResourceType");
    e.service_token = str(j, "ServiceToken");
    e.physical_resource_id = str(j, "PhysicalResourceId");
    e.props = props_of(j, "ResourceProperties");
    e.old_props = props_of(j, "OldResourceProperties");
    e.resource = read_properties(e.props);
    if (e.service_token.empty()) e.service_token = prop(e.props, "ServiceToken").value_or("");
    if (e.type != request_type::create && e.physical_resource_id.empty()) {
        throw bad_event("PhysicalResourceId missing on " + std::string(to_string(e.type)));
    }
    return e;
}

command_event parse_command(const json& j) {
    const auto& c = j.at("command");
    if (!c.is_string()) throw bad_event("command must be a string");
    const auto name = c.get<std::string>();
    if (name != "status" && name != "plan" && name != "deploy") {
        throw bad_event("unknown command (expected status, plan or deploy)");
    }
    command_event out{name};
    if (const auto l = j.find("lint"); l != j.end() && !l->is_null()) {
        if (!l->is_string()) throw bad_event("lint must be a string: off, warn or error");
        out.lint = parse_lint_mode(l->get<std::string>(), "lint");
        if (out.lint != lint_mode::off && name == "status") {
            throw bad_event("lint applies to the deploy and plan commands, not status");
        }
    }
    return out;
}

}  // namespace

std::string_view to_string(request_type t) noexcept {
    switch (t) {
        case request_type::create:
            return "Create";
        case request_type::update:
            return "Update";
        case request_type::del:
            return "Delete";
    }
    return "?";
}

event parse_event(const std::string& payload) {
    if (trim(payload).empty()) throw bad_event("empty event");
    json j;
    try {
        // The callback parser keeps its own stack (no recursion); refusing deep values here
        // keeps every later recursive walk (dump, copies, logs) shallow.
        j = json::parse(payload, [](int depth, json::parse_event_t ev, json&) {
            if ((ev == json::parse_event_t::object_start ||
                 ev == json::parse_event_t::array_start) &&
                depth >= max_event_depth) {
                throw bad_event("event nested deeper than " + std::to_string(max_event_depth) +
                                " levels");
            }
            return true;
        });
    } catch (const json::exception&) {
        throw bad_event("event is not valid JSON");
    }
    if (!j.is_object()) throw bad_event("event is not a JSON object");
    if (j.contains("RequestType")) return parse_cfn(j);
    if (j.contains("command")) return parse_command(j);
    throw bad_event("event is neither a CloudFormation request (RequestType) nor a command");
}

std::optional<cfn_event> salvage_cfn_event(const std::string& payload) noexcept {
    try {
        // Only top-level scalars are kept: whatever made the full parse fail (depth, types)
        // is discarded without recursion.
        const json j = json::parse(
            payload,
            [](int depth, json::parse_event_t ev, json&) {
                return !(depth >= 1 && (ev == json::parse_event_t::object_start ||
                                        ev == json::parse_event_t::array_start));
            },
            false);
        if (!j.is_object()) return std::nullopt;
        const auto s = [&](const char* k) {
            const auto it = j.find(k);
            return it != j.end() && it->is_string() ? it->get<std::string>() : std::string{};
        };
        if (s("RequestType").empty() || s("RequestId").empty()) return std::nullopt;
        cfn_event e;
        e.type = s("RequestType") == "Delete" ? request_type::del : request_type::create;
        e.response_url = s("ResponseURL");
        e.stack_id = s("StackId");
        e.request_id = s("RequestId");
        e.logical_resource_id = s("LogicalResourceId");
        e.resource_type = s("ResourceType");
        e.service_token = s("ServiceToken");
        e.physical_resource_id = s("PhysicalResourceId");
        return e;
    } catch (...) {
        return std::nullopt;
    }
}

resource_properties read_properties(const properties& raw) {
    resource_properties r;
    const auto text = [&](const char* name) { return prop(raw, name).value_or(""); };
    r.migrations_hash = prop(raw, "MigrationsHash");
    r.database_host = text("DatabaseHost");
    r.database_port = text("DatabasePort");
    r.database_name = text("DatabaseName");
    r.database_user = text("DatabaseUser");
    r.secret_arn = text("SecretArn");
    r.schema = prop(raw, "Schema");
    r.iam_auth = prop_bool(raw, "IamAuth");
    r.lint = parse_lint_mode(prop(raw, "Lint").value_or(""), "Lint");
    return r;
}

std::optional<std::string> prop(const properties& p, const std::string& name) {
    const auto it = p.find(name);
    if (it == p.end() || trim(it->second).empty()) return std::nullopt;
    return std::string(trim(it->second));
}

lint_mode parse_lint_mode(const std::string& value, const std::string& name) {
    const std::string v = to_lower(std::string(trim(value)));
    if (v.empty() || v == "off") return lint_mode::off;
    if (v == "warn") return lint_mode::warn;
    if (v == "error") return lint_mode::error;
    throw bad_event(name + " must be \"off\", \"warn\" or \"error\"");
}

bool prop_bool(const properties& p, const std::string& name) {
    const std::string v = to_lower(prop(p, name).value_or(""));
    if (v == "true" || v == "1" || v == "yes") return true;
    if (v.empty() || v == "false" || v == "0" || v == "no") return false;
    throw bad_event(name + " must be \"true\" or \"false\"");
}

}  // namespace ratchet::lambda
