#include "aws/aws_env.hpp"

#include <cstdlib>

namespace ratchet::lambda {

std::string env_or_empty(const char* name) {
    const char* v = std::getenv(name);
    return v == nullptr ? std::string{} : std::string{v};
}

sigv4::credentials credentials_from_env() {
    return {env_or_empty("AWS_ACCESS_KEY_ID"), env_or_empty("AWS_SECRET_ACCESS_KEY"),
            env_or_empty("AWS_SESSION_TOKEN")};
}

std::string region_from_env() {
    std::string r = env_or_empty("AWS_REGION");
    return r.empty() ? env_or_empty("AWS_DEFAULT_REGION") : r;
}

std::string dns_suffix_of(std::string_view region) {
    // The partitions' DNS suffixes (botocore endpoints.json / partitions.json).
    static constexpr std::pair<std::string_view, std::string_view> by_prefix[] = {
        {"cn-", "amazonaws.com.cn"}, {"us-isob-", "sc2s.sgov.gov"},  {"us-isof-", "csp.hci.ic.gov"},
        {"us-iso-", "c2s.ic.gov"},   {"eu-isoe-", "cloud.adc-e.uk"}, {"eusc-", "amazonaws.eu"}};
    for (const auto& [prefix, suffix] : by_prefix) {
        if (region.rfind(prefix, 0) == 0) return std::string(suffix);
    }
    return "amazonaws.com";
}

std::string endpoint_for(const char* service_env, const std::string& host_prefix,
                         const std::string& region) {
    std::string url = env_or_empty((std::string("AWS_ENDPOINT_URL_") + service_env).c_str());
    if (url.empty()) url = env_or_empty("AWS_ENDPOINT_URL");
    if (url.empty()) url = "https://" + host_prefix + "." + region + "." + dns_suffix_of(region);
    while (!url.empty() && url.back() == '/') url.pop_back();
    return url;
}

std::string host_of_url(const std::string& url) {
    const auto scheme = url.find("://");
    const auto start = scheme == std::string::npos ? 0 : scheme + 3;
    const auto end = url.find_first_of("/?#", start);
    return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

}  // namespace ratchet::lambda
