// SHA-256 and hex helpers over OpenSSL's libcrypto (kept out of public headers).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace ratchet::detail {

using sha256_digest = std::array<std::uint8_t, 32>;

/// SHA-256 of data.
sha256_digest sha256(std::string_view data);

/// Lower-case hex, two digits per byte.
std::string to_hex(const std::uint8_t* data, std::size_t size);

/// Lower-case hex SHA-256 of data (Prisma's checksum format).
std::string sha256_hex(std::string_view data);

/// Prisma's legacy checksum format: each byte as `{:x}`, without zero padding.
std::string sha256_hex_unpadded(std::string_view data);

/// Incremental SHA-256, for hashes over many pieces.
class sha256_stream {
public:
    sha256_stream();
    ~sha256_stream();
    sha256_stream(const sha256_stream&) = delete;
    sha256_stream& operator=(const sha256_stream&) = delete;
    void update(std::string_view data);
    std::string hex_digest();

private:
    void* ctx_;  // EVP_MD_CTX*, opaque here
};

}  // namespace ratchet::detail
