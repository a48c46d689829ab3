/// @file fake_aws.hpp
/// Loopback stand-ins for AWS endpoints: Secrets Manager (GetSecretValue, JSON 1.1 protocol,
/// SigV4 verified - a wrong signature is rejected as AWS does) and a CloudFormation ResponseURL
/// (records every PUT).
#pragma once

#include "http_server.hpp"

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <vector>

namespace ratchet::lambda::test {

inline constexpr const char* test_access_key = "AKIDRATCHETTEST";
inline constexpr const char* test_secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYratchetKEY";
inline constexpr const char* test_session_token = "IQoJb3JpZ2luX2VjEratchetSESSIONtoken+/=Zz9";
inline constexpr const char* test_region = "eu-west-1";

class fake_secrets_manager {
public:
    fake_secrets_manager();
    /// A secret readable by the caller.
    void put(const std::string& id, const std::string& secret_string);
    /// A secret the caller may not read (AccessDeniedException).
    void deny(const std::string& id);
    /// A binary secret: GetSecretValue answers SecretBinary (base64) and no SecretString.
    void put_binary(const std::string& id, const std::string& base64);
    /// Answers the next n (correctly signed) requests with status and the AWS error type
    /// (400 ThrottlingException, 500 InternalServiceError, ...).
    void fail_next(int n, int status, const std::string& type);
    [[nodiscard]] std::string url() const { return server_.base_url(); }
    [[nodiscard]] int calls() const;
    [[nodiscard]] int bad_signatures() const;
    /// Requests whose signature libcurl's own SigV4 (CURLOPT_AWS_SIGV4, an implementation
    /// independent of ratchet's) computed differently, and how many were compared.
    [[nodiscard]] int independent_mismatches() const;
    [[nodiscard]] int independent_checks() const;

private:
    http_reply handle(const http_message& m);
    mutable std::mutex mu_;
    std::map<std::string, std::string> secrets_;
    std::map<std::string, bool> denied_;
    std::map<std::string, std::string> binary_;
    int fail_count_ = 0;
    int fail_status_ = 0;
    std::string fail_type_;
    int calls_ = 0;
    int bad_signatures_ = 0;
    int independent_mismatches_ = 0;
    int independent_checks_ = 0;
    http_server server_;
};

/// The signature libcurl (CURLOPT_AWS_SIGV4) computes for the request m carries (same signed
/// headers, Host and X-Amz-Date); "" when it cannot.
[[nodiscard]] std::string curl_signature(const http_message& m, const std::string& secret_key,
                                         const std::string& service, const std::string& region);

/// Checks the SigV4 Authorization header of m for these credentials (service, region).
/// Returns "" when valid, else why not.
[[nodiscard]] std::string verify_sigv4(const http_message& m, const std::string& secret_key,
                                       const std::string& service, const std::string& region);

class fake_response_url {
public:
    struct put {
        std::string target;
        bool has_content_type = false;
        std::string content_type;
        std::string body;
    };
    fake_response_url();
    ~fake_response_url();
    fake_response_url(const fake_response_url&) = delete;
    fake_response_url& operator=(const fake_response_url&) = delete;
    /// Answer the next n PUTs with this HTTP status (S3's 500 by default; 403 is an expired URL).
    void fail_next(int n, int status = 500);
    /// Hold every PUT this long before answering (0: answer at once).
    void hang_puts(std::chrono::milliseconds d);
    /// PUT requests received, answered or not (attempts).
    [[nodiscard]] int attempts() const;
    /// A pre-signed-looking URL (its query is a secret).
    [[nodiscard]] std::string url(const std::string& name) const;
    [[nodiscard]] std::vector<put> puts() const;
    bool wait_puts(std::size_t n, std::chrono::milliseconds max) const;

private:
    mutable std::mutex mu_;
    mutable std::condition_variable cv_;
    std::vector<put> puts_;
    int fail_first_;
    int fail_status_ = 500;
    int attempts_ = 0;
    std::chrono::milliseconds hang_{0};
    bool closing_ = false;
    http_server server_;
};

}  // namespace ratchet::lambda::test
