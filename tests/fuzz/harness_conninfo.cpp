// Connection strings: Prisma URLs and libpq keyword strings. Besides not crashing, the
// password must never appear in an error's what(), and every password that parsing accepted
// must be registered with the redactor.
//
// Input: byte 0 picks a form, then PASSWORD '\n' REST.
//   0: REST as is (any text)                 1: postgresql://user:PASSWORD@REST
//   2: password='PASSWORD' REST (keywords)   3: postgresql://REST?password=%XX..(PASSWORD)
//   4: REST password=PASSWORD (keywords, unquoted when possible)
#include "harness.hpp"

#include "conninfo.hpp"
#include "redactor.hpp"

#include <ratchet/error.hpp>

#include <algorithm>
#include <cctype>

using ratchet_fuzz::check;

namespace {
constexpr std::string_view target = "conninfo";

// A password we can recognise in a message without false alarms: 6+ bytes with a digit and a
// letter (the fixed message texts hold no digits), absent from the rest of the input.
bool recognisable(std::string_view pw, std::string_view rest) {
    const bool digit = std::any_of(pw.begin(), pw.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) != 0;
    });
    const bool alpha = std::any_of(pw.begin(), pw.end(), [](char c) {
        return std::isalpha(static_cast<unsigned char>(c)) != 0;
    });
    return pw.size() >= 6 && digit && alpha && rest.find(pw) == std::string_view::npos;
}

std::string percent_encode(std::string_view s) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (const char c : s) {
        const auto b = static_cast<unsigned char>(c);
        if (std::isalnum(b) != 0) {
            out.push_back(c);
        } else {
            out += {'%', hex[b >> 4U], hex[b & 15U]};
        }
    }
    return out;
}

std::string keyword_quote(std::string_view s) {
    std::string out = "'";
    for (const char c : s) {
        if (c == '\'' || c == '\\') out.push_back('\\');
        out.push_back(c);
    }
    return out + "'";
}

void check_registered(const ratchet::detail::connection_target& t,
                      const ratchet::detail::redactor& secrets) {
    for (const auto& [key, value] : t.params) {
        if (key != "password" || value.size() < 3) continue;
        // A password made of asterisks reads like the mask itself ("********"): nothing to tell.
        if (value.find_first_not_of('*') == std::string::npos) continue;
        check(secrets.redact(value).find(value) == std::string::npos, target,
              "an accepted password is not registered with the redactor");
    }
}
}  // namespace

int fuzz_conninfo(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view in = ratchet_fuzz::bytes(data + 1, size - 1);
    const auto nl = in.find('\n');
    const std::string_view pw = nl == std::string_view::npos ? in : in.substr(0, nl);
    const std::string_view rest =
        nl == std::string_view::npos ? std::string_view{} : in.substr(nl + 1);
    std::string url;
    bool known_password = true;
    switch (data[0] % 5) {
        case 0:
            url = std::string{in};
            known_password = false;
            break;
        case 1:
            url = "postgresql://user:" + std::string{pw} + "@" + std::string{rest};
            break;
        case 2:
            url = "password=" + keyword_quote(pw) + " " + std::string{rest};
            break;
        case 3:
            url = "postgresql://" + std::string{rest} + "?password=" + percent_encode(pw);
            break;
        default:
            url = std::string{rest} + " password=" + keyword_quote(pw);
            break;
    }
    if (url.find('\0') != std::string::npos) url.erase(url.find('\0'));  // C strings end there
    ratchet::detail::redactor secrets;
    try {
        const auto t = ratchet::detail::parse_connection(url, secrets);
        check_registered(t, secrets);
        (void)ratchet::detail::quote_identifier(t.schema.value_or(""));
    } catch (const ratchet::error& e) {
        check(e.code() == ratchet::errc::invalid_input, target, "parse error is not invalid_input");
        if (known_password && url.find(pw) != std::string::npos && recognisable(pw, rest)) {
            check(std::string_view{e.what()}.find(pw) == std::string_view::npos, target,
                  "the password appears in the error message");
        }
    }
    return 0;
}
