// `-- ratchet:` directives and durations.
#include "harness.hpp"

#include "directives.hpp"

#include <ratchet/error.hpp>
#include <ratchet/options.hpp>

using ratchet_fuzz::check;

int fuzz_directives(const std::uint8_t* data, std::size_t size) {
    constexpr std::string_view target = "directives";
    const std::string_view in = ratchet_fuzz::bytes(data, size);
    try {
        const auto d = ratchet::detail::parse_directives("20240101000000_fuzz", in);
        if (d.lock_timeout)
            check(d.lock_timeout->count() >= 0, target, "negative lock-timeout accepted");
        if (d.statement_timeout)
            check(d.statement_timeout->count() >= 0, target, "negative statement-timeout accepted");
    } catch (const ratchet::error& e) {
        check(e.code() == ratchet::errc::invalid_input, target,
              "directive error is not invalid_input");
        check(std::string_view{e.what()}.find("20240101000000_fuzz/migration.sql line ") == 0,
              target, "directive error does not name the migration and line");
    }
    // The same text as a duration, and as the value of each directive.
    const std::string_view first_line = in.substr(0, std::min(in.find('\n'), in.size()));
    if (const auto d = ratchet::parse_duration(first_line)) {
        check(d->count() >= 0, target, "parse_duration returned a negative duration");
    }
    for (const char* key : {"lock-timeout", "statement-timeout"}) {
        const std::string script =
            "-- ratchet:" + std::string{key} + "=" + std::string{first_line} + "\nSELECT 1;";
        try {
            (void)ratchet::detail::parse_directives("m", script);
        } catch (const ratchet::error& e) {
            check(e.code() == ratchet::errc::invalid_input, target,
                  "directive error is not invalid_input");
        }
    }
    return 0;
}
