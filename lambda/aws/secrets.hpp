/// @file secrets.hpp
/// Reading a database secret from AWS Secrets Manager: GetSecretValue signed with our SigV4,
/// or through the AWS Parameters and Secrets Lambda extension when
/// PARAMETERS_SECRETS_EXTENSION_HTTP_PORT is set. The secret's password is registered with
/// redact() as soon as it is parsed.
#pragma once

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>

namespace ratchet::lambda {

/// Fetching or reading the secret failed. what() is safe to answer; code is the AWS error
/// type ("ResourceNotFoundException", "AccessDeniedException", "Unreachable", ...).
class secret_error : public std::runtime_error {
public:
    secret_error(std::string code, const std::string& message)
        : std::runtime_error(message), code_(std::move(code)) {}
    [[nodiscard]] const std::string& code() const noexcept { return code_; }

private:
    std::string code_;
};

/// The fields of an RDS secret we use. RDS-managed secrets hold only username and password.
struct db_secret {
    std::string username;
    std::string password;
    std::string host;
    std::optional<std::string> port;
    std::string dbname;
};

/// SecretString of secret_id. timeout bounds the whole exchange.
/// @throws secret_error whose message names secret_id (never the value)
[[nodiscard]] std::string fetch_secret_string(const std::string& secret_id,
                                              std::chrono::milliseconds timeout);

/// Parses a SecretString (JSON object); registers the password as a secret. secret_id (when
/// given) is named in the error.
/// @throws secret_error (code "InvalidSecret") without quoting the content.
[[nodiscard]] db_secret parse_db_secret(const std::string& secret_string,
                                        const std::string& secret_id = {});

}  // namespace ratchet::lambda
