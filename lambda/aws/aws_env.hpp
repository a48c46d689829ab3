/// @file aws_env.hpp
/// AWS settings from the Lambda environment: credentials of the execution role, region,
/// endpoint overrides (AWS_ENDPOINT_URL_<SERVICE> / AWS_ENDPOINT_URL, as the SDKs do).
#pragma once

#include "aws/sigv4.hpp"

#include <string>
#include <string_view>

namespace ratchet::lambda {

/// Value of an environment variable, "" when unset.
[[nodiscard]] std::string env_or_empty(const char* name);

/// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN.
[[nodiscard]] sigv4::credentials credentials_from_env();

/// AWS_REGION, else AWS_DEFAULT_REGION, else "".
[[nodiscard]] std::string region_from_env();

/// The DNS suffix of the region's partition: amazonaws.com, amazonaws.com.cn (cn-*),
/// c2s.ic.gov (us-iso-*), sc2s.sgov.gov (us-isob-*), ...
[[nodiscard]] std::string dns_suffix_of(std::string_view region);

/// AWS_ENDPOINT_URL_<service_env> (e.g. SECRETS_MANAGER), else AWS_ENDPOINT_URL, else
/// https://<host_prefix>.<region>.<dns_suffix_of(region)>. No trailing slash.
[[nodiscard]] std::string endpoint_for(const char* service_env, const std::string& host_prefix,
                                       const std::string& region);

/// "host[:port]" of an http(s) URL, as sent in the Host header.
[[nodiscard]] std::string host_of_url(const std::string& url);

}  // namespace ratchet::lambda
