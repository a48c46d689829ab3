/// @file conninfo.hpp
/// libpq keyword/value connection strings: building them with proper quoting, and reading the
/// non-secret target (host, port, dbname, schema) out of a DATABASE_URL.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ratchet::lambda {

/// A value quoted for a libpq keyword string: 'it\'s' (backslash and quote escaped).
[[nodiscard]] std::string quote_conninfo_value(std::string_view value);

/// "k1='v1' k2='v2'" from pairs with a non-empty value.
[[nodiscard]] std::string build_conninfo(const std::vector<std::pair<std::string, std::string>>& kv);

/// Where a connection goes; no credentials.
struct db_target {
    std::string host;
    std::string port = "5432";
    std::string dbname;
    std::string schema;  ///< empty when the URL names none
    std::string sslmode; ///< empty when the URL sets none
};

/// Reads host/port/dbname/schema from a postgresql:// URL or a keyword string. Never returns
/// or throws anything containing the password.
[[nodiscard]] db_target parse_target(std::string_view url);

/// True for the addresses 127.0.0.0/8 and ::1, "localhost" and Unix-socket paths; never for
/// other DNS names (however they start).
[[nodiscard]] bool is_loopback_host(std::string_view host);

}  // namespace ratchet::lambda
