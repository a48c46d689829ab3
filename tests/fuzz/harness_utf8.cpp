// The lossy UTF-8 decoder: output is valid UTF-8, decoding is idempotent, valid input is
// unchanged, and the output equals an independent WHATWG decoder written from the spec.
#include "harness.hpp"

#include "utf8.hpp"

using ratchet_fuzz::check;

namespace {

void put(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6U)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3FU)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12U)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6U) & 0x3FU)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3FU)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18U)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12U) & 0x3FU)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6U) & 0x3FU)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3FU)));
    }
}

// https://encoding.spec.whatwg.org/#utf-8-decoder, transcribed literally.
std::string whatwg_decode(std::string_view in) {
    std::string out;
    std::uint32_t cp = 0;
    int needed = 0;
    int seen = 0;
    std::uint8_t lower = 0x80;
    std::uint8_t upper = 0xBF;
    for (std::size_t i = 0; i < in.size();) {
        const auto b = static_cast<std::uint8_t>(in[i]);
        if (needed == 0) {
            ++i;
            if (b <= 0x7F) {
                put(out, b);
            } else if (b >= 0xC2 && b <= 0xDF) {
                needed = 1;
                cp = b & 0x1FU;
            } else if (b >= 0xE0 && b <= 0xEF) {
                if (b == 0xE0) lower = 0xA0;
                if (b == 0xED) upper = 0x9F;
                needed = 2;
                cp = b & 0xFU;
            } else if (b >= 0xF0 && b <= 0xF4) {
                if (b == 0xF0) lower = 0x90;
                if (b == 0xF4) upper = 0x8F;
                needed = 3;
                cp = b & 0x7U;
            } else {
                put(out, 0xFFFD);
            }
            continue;
        }
        if (b < lower || b > upper) {  // prepend the byte to the stream: do not consume it
            cp = 0;
            needed = 0;
            seen = 0;
            lower = 0x80;
            upper = 0xBF;
            put(out, 0xFFFD);
            continue;
        }
        ++i;
        lower = 0x80;
        upper = 0xBF;
        cp = (cp << 6U) | (b & 0x3FU);
        if (++seen == needed) {
            put(out, cp);
            cp = 0;
            needed = 0;
            seen = 0;
        }
    }
    if (needed != 0) put(out, 0xFFFD);  // end of stream inside a sequence
    return out;
}

}  // namespace

int fuzz_utf8(const std::uint8_t* data, std::size_t size) {
    constexpr std::string_view target = "utf8";
    using namespace ratchet::detail;
    const std::string_view in = ratchet_fuzz::bytes(data, size);
    const std::string out = decode_utf8_lossy(in);
    check(is_valid_utf8(out), target, "decoded text is not valid UTF-8");
    check(decode_utf8_lossy(out) == out, target, "decoding is not idempotent");
    check(!is_valid_utf8(in) || out == in, target, "valid input was changed");
    check(is_valid_utf8(in) == (whatwg_decode(in) == in), target,
          "is_valid_utf8 disagrees with WHATWG");
    check(out == whatwg_decode(in), target, "output differs from the WHATWG decoder");
    check(!is_ascii(in) || out == in, target, "ASCII input was changed");
    check(out.size() <= in.size() * 3, target, "output longer than 3 bytes per input byte");
    return 0;
}
