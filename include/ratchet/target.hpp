/// @file target.hpp
/// Where a connection goes, described without credentials: for banners, logs, identifiers.
#pragma once

#include <ratchet/export.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ratchet {
inline namespace v1 {

/// The database a URL or keyword string points at. Never holds a password.
///
/// Values the string leaves out come from libpq's environment variables (PGHOST, PGPORT,
/// PGDATABASE, PGUSER) and then libpq's defaults, as the connection itself would use them.
struct target_description {
    std::string host;                    ///< host name, address, or Unix-socket directory
    std::string port;                    ///< "5432" unless set
    std::string database;                ///< dbname; libpq defaults it to the user name
    std::string user;                    ///< empty when neither the string nor PGUSER sets one
    std::optional<std::string> schema;   ///< `?schema=` (Prisma's), when given
    std::optional<std::string> sslmode;  ///< libpq sslmode, when given
    std::vector<std::string> ignored_parameters;  ///< Prisma-only URL parameters not sent to libpq
    bool pgbouncer = false;  ///< the URL says `pgbouncer=true` (Prisma's pooler flag)

    /// True when host is a Unix-socket directory (starts with '/' or '@').
    [[nodiscard]] bool unix_socket() const noexcept {
        return !host.empty() && (host.front() == '/' || host.front() == '@');
    }
    /// "host:port" as Prisma prints it ("Datasource ... at \"host:5432\"").
    [[nodiscard]] std::string address() const { return host + ":" + port; }
};

/// Describes a Prisma URL (`postgresql://`, `postgres://`) or a libpq keyword string; empty
/// means libpq's environment and defaults.
/// @throws ratchet::error (invalid_input) naming the malformed part (never the password).
[[nodiscard]] RATCHET_API target_description describe_target(std::string_view url);

/// Whether the target is a transaction pooler by its URL alone: `pgbouncer=true`, or the host
/// of a well-known managed pooler (Supabase's pooler, Neon's `-pooler` endpoints, RDS Proxy).
/// @return the reason, for messages; nullopt when nothing says so (a probe may still find one).
[[nodiscard]] RATCHET_API std::optional<std::string> known_pooler(const target_description& t);

}  // namespace v1
}  // namespace ratchet
