/// @file db_config.hpp
/// Where and how to connect, resolved per invoke from the resource properties and the
/// environment. Precedence (first that applies wins):
///   1. env DATABASE_URL (used verbatim; the Schema property still applies);
///   2. an RDS IAM token when property IamAuth (or env RATCHET_IAM_AUTH) is "true"; user from
///      property DatabaseUser, else env DATABASE_USER. (Explicit IamAuth=true wins over a secret:
///      the CDK construct passes the instance's secret even when IAM auth is chosen.)
///   3. a Secrets Manager secret: property SecretArn, else env DATABASE_SECRET_ARN - read via
///      the Parameters and Secrets extension when PARAMETERS_SECRETS_EXTENSION_HTTP_PORT is set,
///      else GetSecretValue signed with our SigV4.
/// Host/port/dbname: property DatabaseHost/DatabasePort/DatabaseName > secret field
/// (host/port/dbname) > env DATABASE_HOST/DATABASE_PORT/DATABASE_NAME > port 5432, db "postgres".
/// TLS: env RATCHET_SSLMODE, else "verify-full" for non-loopback hosts ("prefer" on loopback);
/// root certificates: env RATCHET_SSLROOTCERT, else $LAMBDA_TASK_ROOT/certs/rds-global-bundle.pem
/// when present, else the system CA file.
#pragma once

#include "cfn/event.hpp"

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>

namespace ratchet::lambda {

struct db_config {
    std::string url;  ///< for ratchet::options::url - contains the password: never log it
    std::optional<std::string> schema;
    std::string source;  ///< "DATABASE_URL", "secretsmanager", "extension", "iam" (for logs)
    std::string host;    ///< for messages
};

/// Configuration is missing or contradictory. what() is safe to answer.
class config_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Resolves credentials (may call Secrets Manager; timeout bounds that call).
/// @throws config_error, secret_error
[[nodiscard]] db_config resolve_db_config(const resource_properties& p,
                                          std::chrono::milliseconds timeout);

/// The stable PhysicalResourceId, computed from properties and environment only (no network,
/// no secret): ratchet:<host>:<port>/<db>/<schema>. Unknown parts read "unknown". Computed
/// once per invoke (into resource_properties::physical_id).
[[nodiscard]] std::string physical_id_of(const resource_properties& p);

/// ratchet:<host>:<port>/<db>/<schema>
[[nodiscard]] std::string make_physical_id(const std::string& host, const std::string& port,
                                           const std::string& db, const std::string& schema);

/// sslmode and sslrootcert for a host, per the rules above (sslrootcert may be empty).
[[nodiscard]] std::pair<std::string, std::string> tls_for_host(const std::string& host);

}  // namespace ratchet::lambda
