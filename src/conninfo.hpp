// Connection settings: Prisma's URL form or a libpq keyword string, turned into libpq
// keyword/value pairs plus the schema Prisma would use.
#pragma once

#include "redactor.hpp"

#include <ratchet/target.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ratchet::detail {

struct connection_target {
    std::vector<std::pair<std::string, std::string>> params;  ///< libpq keywords, in order
    std::optional<std::string> schema;  ///< from ?schema= (or options::schema)
    std::vector<std::string> ignored;   ///< Prisma-only URL parameters that were dropped
    bool pgbouncer = false;             ///< `pgbouncer=true` was among them
    std::string display;                ///< "host:port/db" for messages, no credentials
    /// Prisma's `sslidentity` (a PKCS#12 client identity) and its `sslpassword`: libpq reads
    /// only PEM, so they are converted when connecting (tls_identity.hpp).
    std::optional<std::string> ssl_identity;
    std::string ssl_identity_password;
    bool ssl_strict = false;  ///< `sslaccept=strict`
};

/// The target without credentials, with libpq's environment and defaults filled in.
target_description describe(const connection_target& t);

/// Parses a Prisma URL (`postgresql://` or `postgres://`) or a libpq keyword string; empty
/// means libpq defaults (PG* variables). Registers the password with `secrets`.
/// @throws ratchet::error (invalid_input) naming the malformed part (never the password).
connection_target parse_connection(std::string_view url, redactor& secrets);

/// Quotes an identifier for SQL ("a""b"), so schema names cannot inject SQL.
std::string quote_identifier(std::string_view name);

}  // namespace ratchet::detail
