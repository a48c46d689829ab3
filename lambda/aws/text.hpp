/// @file text.hpp
/// Small string helpers shared by the adapter: URI encoding, trimming, UTF-8-safe truncation.
#pragma once

#include <string>
#include <string_view>

namespace ratchet::lambda {

/// RFC 3986 percent-encoding as SigV4 wants it: unreserved characters kept, everything else
/// %XX upper-case; '/' kept only when keep_slash.
[[nodiscard]] std::string uri_encode(std::string_view s, bool keep_slash = false);

/// Decodes %XX sequences (and nothing else; '+' stays '+').
[[nodiscard]] std::string uri_decode(std::string_view s);

/// ASCII lower-case copy.
[[nodiscard]] std::string to_lower(std::string_view s);

/// Removes leading and trailing spaces and tabs.
[[nodiscard]] std::string_view trim(std::string_view s);

/// Cuts s to at most max_bytes without splitting a UTF-8 sequence, appending marker when cut
/// (the marker counts towards max_bytes).
[[nodiscard]] std::string truncate_utf8(std::string_view s, std::size_t max_bytes,
                                        std::string_view marker = "... [truncated]");

/// Replaces every occurrence of needle in s by replacement (no-op for an empty needle).
void replace_all(std::string& s, std::string_view needle, std::string_view replacement);

}  // namespace ratchet::lambda
