/// @file sigv4.hpp
/// AWS Signature Version 4 (HMAC-SHA-256), header and pre-signed query variants.
/// Checked against the official aws-c-auth test suite (tests/lambda/sigv4_test.cpp).
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace ratchet::lambda::sigv4 {

struct credentials {
    std::string access_key_id;
    std::string secret_access_key;
    std::string session_token;  ///< empty without a session
};

using field = std::pair<std::string, std::string>;

/// The request to sign. path is the raw (unencoded) path; query holds decoded parameters
/// (they are percent-encoded canonically when signing and by query_string()).
struct request {
    std::string method = "GET";
    std::string path = "/";
    std::vector<field> query;
    std::vector<field> headers;  ///< must include Host
    std::string body;
};

struct settings {
    std::string region;
    std::string service;
    std::chrono::system_clock::time_point time;
    bool normalize_path = true;         ///< false only for S3-style services
    bool sign_body = false;             ///< add x-amz-content-sha256
    bool omit_session_token = false;    ///< token added after signing (not signed)
    std::chrono::seconds expires{900};  ///< pre-signed URLs only
};

/// Intermediate and final results, for diagnostics and tests.
struct result {
    std::string canonical_request;
    std::string string_to_sign;
    std::string signature;
};

/// "20150830T123600Z"
[[nodiscard]] std::string amz_date(std::chrono::system_clock::time_point t);

/// Canonical URI of a raw path (dot segments and duplicate slashes removed when normalize).
[[nodiscard]] std::string canonical_uri(const std::string& path, bool normalize);

/// Canonical query string: encoded, sorted by key then value.
[[nodiscard]] std::string canonical_query(const std::vector<field>& query);

/// Signs with an Authorization header: adds X-Amz-Date, X-Amz-Security-Token (when a token is
/// present), x-amz-content-sha256 (when sign_body) and Authorization to req.headers.
result sign_headers(request& req, const credentials& creds, const settings& s);

/// Pre-signs: appends X-Amz-Algorithm, -Credential, -Date, -Expires, -SignedHeaders,
/// -Security-Token and -Signature to req.query.
result presign(request& req, const credentials& creds, const settings& s);

/// A URL query string of decoded parameters (encoded canonically, in the given order).
[[nodiscard]] std::string query_string(const std::vector<field>& query);

}  // namespace ratchet::lambda::sigv4
