/// @file http_client.hpp
/// Minimal blocking HTTP/1.1 client (POSIX sockets, OpenSSL for https), used for the Runtime API,
/// Secrets Manager and the CloudFormation ResponseURL. One request per connection
/// (`Connection: close`); Content-Length, chunked and close-delimited responses. https verifies
/// the peer's chain and host name (SNI, SSL_set1_host; IP literals against IP SANs) against
/// SSL_CERT_FILE, else /etc/pki/tls/certs/ca-bundle.crt (AL2023),
/// /etc/ssl/certs/ca-certificates.crt (Debian), $LAMBDA_TASK_ROOT/certs/system-ca.pem (the zip's
/// copy). Proxies are never used; redirects are not followed. Transport errors carry generic text
/// only, never the URL or the host name (a ResponseURL is a secret).
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace ratchet::lambda {

struct http_request {
    std::string method = "GET";
    std::string url;
    std::vector<std::pair<std::string, std::string>>
        headers;  ///< empty value: send "Name:" (empty)
    std::string body;
    /// Both limits must be positive: a request with no time left is not sent. connect_timeout
    /// bounds name resolution, TCP connect and the TLS handshake; total_timeout the whole
    /// request. unlimited: no total limit (only Runtime API /next).
    std::chrono::milliseconds connect_timeout{5'000};
    std::chrono::milliseconds total_timeout{30'000};
    bool unlimited = false;
    /// The URL schemes this request may use (comma-separated, lower case: "http", "https");
    /// anything else is refused before a connection is made.
    std::string protocols = "http,https";
};

struct http_response {
    long status = 0;
    std::vector<std::pair<std::string, std::string>> headers;  ///< names lower-case
    std::string body;

    /// First header with this (lower-case) name, or empty.
    [[nodiscard]] std::string header(std::string_view lower_name) const;
};

/// The request did not produce an HTTP response (connect refused, timeout, ...).
class http_transport_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The request was refused before any connection (a scheme outside the allow-list, a malformed
/// URL or method): sending it again cannot succeed, so callers must not retry it.
class http_request_refused : public http_transport_error {
public:
    using http_transport_error::http_transport_error;
};

/// Sends the request; any HTTP status is a response.
/// @throws http_request_refused for a scheme outside req.protocols or a malformed URL or method;
///         http_transport_error for anything else (also for no time left)
[[nodiscard]] http_response http_send(const http_request& req);

}  // namespace ratchet::lambda
