#include "sha256.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace ratchet::detail {
namespace {

// OpenSSL 3 looks the algorithm up in its provider tables on every EVP_sha256() use (an
// "implicit fetch", several microseconds); fetching once matters when hashing thousands of
// small migrations. Never freed: it lives as long as the process, like OpenSSL's own tables.
const EVP_MD* sha256_md() {
    static const EVP_MD* const md = [] {
        const EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
        return fetched != nullptr ? fetched : EVP_sha256();
    }();
    return md;
}

}  // namespace

sha256_digest sha256(std::string_view data) {
    sha256_digest out{};
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), out.data(), &len, sha256_md(), nullptr) != 1) {
        throw std::runtime_error("SHA-256 failed in libcrypto");
    }
    return out;
}

std::string to_hex(const std::uint8_t* data, std::size_t size) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out(size * 2, '0');
    for (std::size_t i = 0; i < size; ++i) {
        out[2 * i] = digits[data[i] >> 4U];
        out[2 * i + 1] = digits[data[i] & 0x0FU];
    }
    return out;
}

std::string sha256_hex(std::string_view data) {
    const auto d = sha256(data);
    return to_hex(d.data(), d.size());
}

std::string sha256_hex_unpadded(std::string_view data) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (const std::uint8_t b : sha256(data)) {
        if (b >= 0x10) out.push_back(digits[b >> 4U]);
        out.push_back(digits[b & 0x0FU]);
    }
    return out;
}

sha256_stream::sha256_stream() : ctx_{EVP_MD_CTX_new()} {
    if (ctx_ == nullptr ||
        EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), sha256_md(), nullptr) != 1) {
        EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_));
        throw std::runtime_error("SHA-256 init failed in libcrypto");
    }
}

sha256_stream::~sha256_stream() {
    EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_));
}

void sha256_stream::update(std::string_view data) {
    EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data.data(), data.size());
}

std::string sha256_stream::hex_digest() {
    sha256_digest out{};
    unsigned int len = 0;
    EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), out.data(), &len);
    return to_hex(out.data(), out.size());
}

}  // namespace ratchet::detail
