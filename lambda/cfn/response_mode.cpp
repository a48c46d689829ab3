#include "cfn/response_mode.hpp"

#include "aws/text.hpp"

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

response_mode choose_response_mode(std::string_view setting, const cfn_event& e,
                                   const std::string& invoked_function_arn) {
    const std::string mode = to_lower(trim(setting));
    if (mode == "provider") return response_mode::provider;
    if (mode == "direct") return response_mode::direct;
    if (!mode.empty() && mode != "auto") {
        throw bad_event("RATCHET_RESPONSE_MODE must be provider, direct or auto");
    }
    if (e.response_url.empty()) return response_mode::provider;
    const std::string token_fn = function_name_of(e.service_token);
    const std::string self_fn = function_name_of(invoked_function_arn);
    if (token_fn.empty() || self_fn.empty()) return response_mode::provider;
    return token_fn == self_fn ? response_mode::direct : response_mode::provider;
}

}  // namespace ratchet::lambda
