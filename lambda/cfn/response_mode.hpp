/// @file response_mode.hpp
/// Who answers CloudFormation: us (PUT to ResponseURL) or the CDK Provider framework (we only
/// return a value / an error to Lambda). Exactly one of the two, never both.
#pragma once

#include "cfn/event.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace ratchet::lambda {

enum class response_mode { provider, direct };

/// The setting RATCHET_RESPONSE_MODE: "provider", "direct" or "auto" in any case, surrounding
/// spaces ignored; empty means auto. nullopt for anything else. The one parser of the setting,
/// used at start-up and per invoke.
enum class response_setting { automatic, provider, direct };
[[nodiscard]] std::optional<response_setting> parse_response_setting(std::string_view text);

/// Rule for auto: direct iff the event carries a ResponseURL AND its ServiceToken is this very
/// function: the same partition, region, account and function name as the
/// Lambda-Runtime-Invoked-Function-Arn header (qualifier ignored). Behind the CDK Provider the
/// ServiceToken is the framework's onEvent function (a different name) - that is the provider
/// marker - so the framework answers. Any doubt (missing ServiceToken or ARN) chooses provider: the
/// adapter then only answers Lambda, so it can never answer CloudFormation a second time.
/// @throws bad_event for an unknown setting value.
[[nodiscard]] response_mode choose_response_mode(std::string_view setting, const cfn_event& e,
                                                 const std::string& invoked_function_arn);

/// "arn:aws:lambda:eu-west-1:123:function:name[:qualifier]" → "name"; a plain name is kept;
/// "" when nothing usable.
[[nodiscard]] std::string function_name_of(std::string_view arn_or_name);

/// "arn:aws:lambda:eu-west-1:123:function:name[:qualifier]" → "aws:eu-west-1:123:name";
/// "" when the text is not a Lambda function ARN.
[[nodiscard]] std::string function_identity_of(std::string_view arn);

}  // namespace ratchet::lambda
