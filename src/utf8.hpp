// Lossy UTF-8 decoding exactly as Node's Buffer.toString("utf8") (the WHATWG decoder), which
// is how the Prisma CLI reads migration.sql: each maximal invalid subpart becomes U+FFFD.
#pragma once

#include <string>
#include <string_view>

namespace ratchet::detail {

/// True when bytes are valid UTF-8 (then decoding changes nothing).
bool is_valid_utf8(std::string_view bytes) noexcept;

/// Decodes bytes, replacing each invalid sequence by U+FFFD. A BOM is kept.
std::string decode_utf8_lossy(std::string_view bytes);

/// As above, reusing the buffer when the bytes are already valid (the common case).
std::string decode_utf8_lossy_owned(std::string&& bytes);

/// True when every byte is ASCII.
bool is_ascii(std::string_view text) noexcept;

}  // namespace ratchet::detail
