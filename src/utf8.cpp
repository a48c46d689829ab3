#include "utf8.hpp"

#include <cstdint>
#include <cstring>

namespace ratchet::detail {
namespace {

constexpr std::string_view replacement = "\xEF\xBF\xBD";

// Length of the valid sequence starting at i, or 0 with `consumed` set to the number of bytes
// that form the maximal invalid subpart (WHATWG: at least 1).
std::size_t valid_sequence_at(std::string_view s, std::size_t i, std::size_t& consumed) noexcept {
    const auto b0 = static_cast<std::uint8_t>(s[i]);
    if (b0 < 0x80) return 1;
    std::size_t needed = 0;
    std::uint8_t lower = 0x80;
    std::uint8_t upper = 0xBF;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        needed = 1;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        needed = 2;
        if (b0 == 0xE0) lower = 0xA0;
        if (b0 == 0xED) upper = 0x9F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        needed = 3;
        if (b0 == 0xF0) lower = 0x90;
        if (b0 == 0xF4) upper = 0x8F;
    } else {
        consumed = 1;
        return 0;
    }
    std::size_t j = 1;
    for (; j <= needed; ++j) {
        if (i + j >= s.size()) break;
        const auto b = static_cast<std::uint8_t>(s[i + j]);
        if (b < lower || b > upper) break;
        lower = 0x80;
        upper = 0xBF;
    }
    if (j == needed + 1) return needed + 1;
    consumed = j;  // the lead byte and the continuation bytes that were still acceptable
    return 0;
}

}  // namespace

bool is_valid_utf8(std::string_view bytes) noexcept {
    for (std::size_t i = 0; i < bytes.size();) {
        // Fast path: eight ASCII bytes at a time (most migration text is ASCII).
        if (i + 8 <= bytes.size()) {
            std::uint64_t word = 0;
            std::memcpy(&word, bytes.data() + i, 8);
            if ((word & 0x8080808080808080ULL) == 0) {
                i += 8;
                continue;
            }
        }
        std::size_t consumed = 0;
        const std::size_t n = valid_sequence_at(bytes, i, consumed);
        if (n == 0) return false;
        i += n;
    }
    return true;
}

std::string decode_utf8_lossy(std::string_view bytes) {
    if (is_valid_utf8(bytes)) return std::string{bytes};
    std::string out;
    out.reserve(bytes.size() + bytes.size() / 2);
    for (std::size_t i = 0; i < bytes.size();) {
        std::size_t consumed = 0;
        const std::size_t n = valid_sequence_at(bytes, i, consumed);
        if (n > 0) {
            out.append(bytes.substr(i, n));
            i += n;
        } else {
            out.append(replacement);
            i += consumed;
        }
    }
    return out;
}

std::string decode_utf8_lossy_owned(std::string&& bytes) {
    if (is_valid_utf8(bytes)) return std::move(bytes);
    return decode_utf8_lossy(std::string_view{bytes});
}

bool is_ascii(std::string_view text) noexcept {
    for (const char c : text) {
        if (static_cast<std::uint8_t>(c) >= 0x80) return false;
    }
    return true;
}

}  // namespace ratchet::detail
