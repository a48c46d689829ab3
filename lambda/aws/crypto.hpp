/// @file crypto.hpp
/// SHA-256 and HMAC-SHA-256 (OpenSSL) for SigV4.
#pragma once

#include <string>
#include <string_view>

namespace ratchet::lambda {

/// Raw 32-byte SHA-256 digest of data.
[[nodiscard]] std::string sha256(std::string_view data);

/// Raw 32-byte HMAC-SHA-256 of data under key.
[[nodiscard]] std::string hmac_sha256(std::string_view key, std::string_view data);

/// Lower-case hex of raw bytes.
[[nodiscard]] std::string to_hex(std::string_view bytes);

/// Lower-case hex SHA-256.
[[nodiscard]] inline std::string sha256_hex(std::string_view data) {
    return to_hex(sha256(data));
}

}  // namespace ratchet::lambda
