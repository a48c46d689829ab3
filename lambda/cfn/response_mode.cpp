#include "cfn/response_mode.hpp"

#include "aws/text.hpp"

#include <vector>

namespace ratchet::lambda {

std::string function_name_of(std::string_view arn_or_name) {
    const std::string_view s = trim(arn_or_name);
    if (s.rfind("arn:", 0) != 0) return std::string(s.substr(0, s.find(':')));
    constexpr std::string_view marker = ":function:";
    const auto pos = s.find(marker);
    if (pos == std::string_view::npos) return {};
    const std::string_view rest = s.substr(pos + marker.size());
    return std::string(rest.substr(0, rest.find(':')));
}

std::string function_identity_of(std::string_view arn) {
    // arn:<partition>:lambda:<region>:<account>:function:<name>[:<qualifier>]
    std::vector<std::string_view> parts;
    std::string_view rest = trim(arn);
    for (std::size_t i = 0; i < 7; ++i) {
        const auto colon = rest.find(':');
        parts.push_back(rest.substr(0, colon));
        if (colon == std::string_view::npos) break;
        rest.remove_prefix(colon + 1);
    }
    if (parts.size() < 7 || parts[0] != "arn" || parts[2] != "lambda" || parts[5] != "function")
        return {};
    for (const auto p : {parts[1], parts[3], parts[4], parts[6]}) {
        if (p.empty()) return {};
    }
    return std::string(parts[1]) + ":" + std::string(parts[3]) + ":" + std::string(parts[4]) + ":" +
           std::string(parts[6]);
}

std::optional<response_setting> parse_response_setting(std::string_view text) {
    const std::string mode = to_lower(trim(text));
    if (mode.empty() || mode == "auto") return response_setting::automatic;
    if (mode == "provider") return response_setting::provider;
    if (mode == "direct") return response_setting::direct;
    return std::nullopt;
}

response_mode choose_response_mode(std::string_view setting, const cfn_event& e,
                                   const std::string& invoked_function_arn) {
    const auto parsed = parse_response_setting(setting);
    if (!parsed) throw bad_event("RATCHET_RESPONSE_MODE must be provider, direct or auto");
    if (*parsed == response_setting::provider) return response_mode::provider;
    if (*parsed == response_setting::direct) return response_mode::direct;
    if (e.response_url.empty()) return response_mode::provider;
    // The whole identity: a function of the same name in another account or region (a
    // provider framework elsewhere) must not make us answer CloudFormation ourselves.
    const std::string token = function_identity_of(e.service_token);
    const std::string self = function_identity_of(invoked_function_arn);
    if (token.empty() || self.empty()) return response_mode::provider;
    return token == self ? response_mode::direct : response_mode::provider;
}

}  // namespace ratchet::lambda
