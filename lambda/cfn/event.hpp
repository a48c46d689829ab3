/// @file event.hpp
/// The invocation payloads the adapter understands: a CloudFormation custom-resource request
/// (direct or through the CDK Provider framework) and an operator command.
#pragma once

#include "cfn/properties.hpp"

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>

namespace ratchet::lambda {

enum class request_type { create, update, del };

struct cfn_event {
    request_type type = request_type::create;
    std::string response_url;  ///< secret: never log it
    std::string stack_id;
    std::string request_id;
    std::string logical_resource_id;
    std::string resource_type;
    std::string service_token;
    std::string physical_resource_id;  ///< empty on Create
    properties props;                  ///< raw, for logs
    properties old_props;
    resource_properties resource;  ///< props, typed (physical_id filled in by the invoke)
};

/// {"command": "status" | "plan" | "deploy", "lint": "off" | "warn" | "error"}
/// lint (deploy and plan only): as the resource property Lint; plan adds the findings.
struct command_event {
    std::string command;
    lint_mode lint = lint_mode::off;
};

using event = std::variant<cfn_event, command_event>;

/// The payload is not an event we understand. what() is safe to answer (no payload echo).
class bad_event : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Deepest nesting an event may have (CloudFormation properties are shallow; deeper input
/// would only exhaust the stack of recursive JSON code).
inline constexpr int max_event_depth = 32;

/// Parses an invocation payload.
/// @throws bad_event
[[nodiscard]] event parse_event(const std::string& payload);

/// The routing fields of a CloudFormation request that parse_event() rejected (RequestType
/// "Delete" → del, any other → create), so it can still be answered: a Delete always with
/// SUCCESS. nullopt when the payload has no RequestType and RequestId at its top level.
[[nodiscard]] std::optional<cfn_event> salvage_cfn_event(const std::string& payload) noexcept;

/// The properties' "Name" value, or nullopt when absent or empty.
[[nodiscard]] std::optional<std::string> prop(const properties& p, const std::string& name);

/// "true"/"1"/"yes" (any case) → true; "false"/"0"/"no"/"" → false; anything else: bad_event.
[[nodiscard]] bool prop_bool(const properties& p, const std::string& name);

/// "off"/"warn"/"error" (any case; "" → off); anything else: bad_event naming `name`.
[[nodiscard]] lint_mode parse_lint_mode(const std::string& value, const std::string& name);

[[nodiscard]] std::string_view to_string(request_type t) noexcept;

}  // namespace ratchet::lambda
