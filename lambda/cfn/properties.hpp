/// @file properties.hpp
/// The custom resource's properties, read once into types (CloudFormation sends every scalar
/// as a string). The PhysicalResourceId is computed once per invoke from these and the
/// environment, never from a secret, so every answer of the invoke (success, failure,
/// watchdog, crash) names the same id.
#pragma once

#include <map>
#include <optional>
#include <string>

namespace ratchet::lambda {

/// The raw properties, all values as strings (nested values as JSON text).
using properties = std::map<std::string, std::string>;

/// Property Lint: lint the pending migrations against the live database before deploying.
/// off: no lint; warn: findings logged and in Data, deploy goes on; error: an error finding
/// fails the request before anything is applied (handler/lint_gate.hpp).
enum class lint_mode { off, warn, error };

/// "off", "warn", "error".
[[nodiscard]] constexpr const char* to_string(lint_mode m) noexcept {
    return m == lint_mode::error ? "error" : m == lint_mode::warn ? "warn" : "off";
}

struct resource_properties {
    std::optional<std::string> migrations_hash;  ///< MigrationsHash
    std::string database_host;                   ///< DatabaseHost
    std::string database_port;                   ///< DatabasePort
    std::string database_name;                   ///< DatabaseName
    std::string database_user;                   ///< DatabaseUser (IAM auth)
    std::string secret_arn;                      ///< SecretArn
    std::optional<std::string> schema;           ///< Schema
    bool iam_auth = false;                       ///< IamAuth: "true"/"1"/"yes" (any case)
    lint_mode lint = lint_mode::off;             ///< Lint: off | warn | error (any case)
    /// ratchet:<host>:<port>/<db>/<schema>, filled in once (handler/db_config.hpp).
    std::string physical_id;
};

/// Reads the known properties (empty or blank values count as absent; unknown ones are ignored).
/// @throws bad_event for a value of the wrong form (IamAuth not a boolean, Lint not
/// off/warn/error).
[[nodiscard]] resource_properties read_properties(const properties& raw);

}  // namespace ratchet::lambda
