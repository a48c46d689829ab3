/// @file conninfo.hpp
/// libpq keyword/value connection strings built with proper quoting, and the loopback rule of
/// the TLS defaults. Reading a URL's target is the core's (ratchet/target.hpp).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ratchet::lambda {

/// A value quoted for a libpq keyword string: 'it\'s' (backslash and quote escaped).
[[nodiscard]] std::string quote_conninfo_value(std::string_view value);

/// "k1='v1' k2='v2'" from pairs with a non-empty value.
[[nodiscard]] std::string build_conninfo(
    const std::vector<std::pair<std::string, std::string>>& kv);

/// True for the addresses 127.0.0.0/8 and ::1, "localhost" and Unix-socket paths; never for
/// other DNS names (however they start).
[[nodiscard]] bool is_loopback_host(std::string_view host);

}  // namespace ratchet::lambda
