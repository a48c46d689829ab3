#include "aws/text.hpp"

#include <cctype>

namespace ratchet::lambda {

namespace {
bool unreserved(unsigned char c) {
    return std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~';
}
int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
}  // namespace

std::string uri_encode(std::string_view s, bool keep_slash) {
    static constexpr std::string_view digits = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size() * 3);
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (unreserved(c) || (keep_slash && c == '/')) {
            out += ch;
        } else {
            out += '%';
            out += digits[c >> 4U];
            out += digits[c & 0x0FU];
        }
    }
    return out;
}

std::string uri_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size()) {
            const int hi = hex_value(s[i + 1]);
            const int lo = hex_value(s[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out += static_cast<char>(hi * 16 + lo);
                i += 2;
                continue;
            }
        }
        out += s[i];
    }
    return out;
}

std::string to_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string_view trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    const auto last = s.find_last_not_of(" \t");
    return s.substr(first, last - first + 1);
}

std::string truncate_utf8(std::string_view s, std::size_t max_bytes, std::string_view marker) {
    if (s.size() <= max_bytes) return std::string(s);
    std::size_t keep = max_bytes > marker.size() ? max_bytes - marker.size() : 0;
    // Step back over continuation bytes so a multi-byte sequence is never split.
    while (keep > 0 && (static_cast<unsigned char>(s[keep]) & 0xC0U) == 0x80U) --keep;
    std::string out(s.substr(0, keep));
    out += marker.substr(0, max_bytes - keep);
    return out;
}

void replace_all(std::string& s, std::string_view needle, std::string_view replacement) {
    if (needle.empty()) return;
    std::size_t pos = 0;
    while ((pos = s.find(needle, pos)) != std::string::npos) {
        s.replace(pos, needle.size(), replacement);
        pos += replacement.size();
    }
}

}  // namespace ratchet::lambda
