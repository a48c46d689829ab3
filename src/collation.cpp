#include "collation.hpp"

#include "utf8.hpp"

#include <ratchet/migration.hpp>

#include <algorithm>
#include <array>
#include <cstdint>

namespace ratchet::detail {
namespace {

// ICU root order of the printable ASCII characters; a letter and its upper case share one
// primary weight, and lower case comes first on the tertiary level.
constexpr std::string_view punctuation_order = " _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$0123456789";

struct weights {
    std::array<std::uint16_t, 128> primary{};
    std::array<std::uint8_t, 128> tertiary{};
};

constexpr weights make_weights() {
    weights w{};
    std::uint16_t next = 1;
    for (const char c : punctuation_order) w.primary[static_cast<std::uint8_t>(c)] = next++;
    for (char c = 'a'; c <= 'z'; ++c) {
        w.primary[static_cast<std::uint8_t>(c)] = next;
        w.primary[static_cast<std::uint8_t>(c - 'a' + 'A')] = next;
        w.tertiary[static_cast<std::uint8_t>(c - 'a' + 'A')] = 1;
        ++next;
    }
    return w;
}

constexpr weights table = make_weights();
// Control characters and non-ASCII bytes: after every printable character, in byte order
// (byte order of UTF-8 equals code-point order).
constexpr std::uint32_t other_base = 1000;

std::uint32_t primary_of(std::uint8_t c) noexcept {
    if (c < 128 && table.primary[c] != 0) return table.primary[c];
    return other_base + c;
}

std::uint8_t tertiary_of(std::uint8_t c) noexcept {
    return c < 128 ? table.tertiary[c] : 0;
}

}  // namespace

bool prisma_less(std::string_view a, std::string_view b) noexcept {
    const std::size_t n = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i) {
        const auto pa = primary_of(static_cast<std::uint8_t>(a[i]));
        const auto pb = primary_of(static_cast<std::uint8_t>(b[i]));
        if (pa != pb) return pa < pb;
    }
    if (a.size() != b.size()) return a.size() < b.size();
    for (std::size_t i = 0; i < n; ++i) {
        const auto ta = tertiary_of(static_cast<std::uint8_t>(a[i]));
        const auto tb = tertiary_of(static_cast<std::uint8_t>(b[i]));
        if (ta != tb) return ta < tb;
    }
    return a < b;  // only reached for equal names or identical weights
}

}  // namespace ratchet::detail

namespace ratchet {
inline namespace v1 {

bool sort_like_prisma(std::vector<std::string>& names) {
    std::sort(names.begin(), names.end(),
              [](const std::string& a, const std::string& b) { return detail::prisma_less(a, b); });
    return std::all_of(names.begin(), names.end(), [](const std::string& n) {
        return detail::is_ascii(n) &&
               std::none_of(n.begin(), n.end(), [](char c) { return c < 0x20 || c == 0x7F; });
    });
}

}  // namespace v1
}  // namespace ratchet
