#include "harness_lint.hpp"

#include <ratchet/error.hpp>
#include <ratchet/lint.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

[[noreturn]] void broken(const char* target, const std::string& what) {
    std::fprintf(stderr, "fuzz %s: %s\n", target, what.c_str());
    std::abort();
}

void check(bool ok, const char* target, const char* what) {
    if (!ok) broken(target, what);
}

std::size_t lines_of(std::string_view s) {
    return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')) + 1;
}

}  // namespace

int fuzz_lint_directives(const std::uint8_t* data, std::size_t size) {
    const char* t = "lint_directives";
    const std::string_view in{reinterpret_cast<const char*>(data), size};
    const auto scan = ratchet::lint::scan_ignore_directives("20240101000000_fuzz", in);
    const std::size_t lines = lines_of(in);
    for (const auto& d : scan.directives) {
        check(ratchet::lint::find_rule(d.rule) != nullptr, t, "directive with an unknown rule");
        check(!d.reason.empty(), t, "directive without a reason accepted");
        check(d.line >= 1 && d.line <= lines, t, "directive line outside the input");
        check(d.offset < size, t, "directive offset outside the input");
    }
    for (const auto& e : scan.errors) {
        check(e.rule == "invalid-lint-ignore", t, "directive error with another rule");
        check(e.file == "20240101000000_fuzz/migration.sql", t, "directive error names no file");
        check(e.line >= 1 && e.line <= lines, t, "directive error line outside the input");
    }
    return 0;
}

int fuzz_lint_config(const std::uint8_t* data, std::size_t size) {
    const char* t = "lint_config";
    const std::string_view in{reinterpret_cast<const char*>(data), size};
    try {
        const auto c = ratchet::lint::config::parse(in, "ratchet-lint.json");
        check(c.rate_mb_per_s > 0, t, "non-positive rate accepted");
        for (const auto& [rule, sev] : c.severities) {
            check(ratchet::lint::find_rule(rule) != nullptr, t, "unknown rule accepted");
        }
    } catch (const ratchet::error& e) {
        check(e.code() == ratchet::errc::invalid_input, t, "config error is not invalid_input");
        const std::string_view what = e.what();
        check(what.rfind("ratchet-lint.json line ", 0) == 0, t,
              "config error names no file and line");
        const auto n = std::strtoul(std::string{what.substr(23)}.c_str(), nullptr, 10);
        check(n >= 1 && n <= lines_of(in), t, "config error line outside the input");
    }
    return 0;
}

int fuzz_lint_sql(const std::uint8_t* data, std::size_t size) {
    const char* t = "lint_sql";
    ratchet::migration m;
    m.name = "20240101000000_fuzz";
    m.sql.assign(reinterpret_cast<const char*>(data), size);
    m.readable = true;
    const std::size_t lines = lines_of(m.sql);
    for (const auto& f : ratchet::lint::lint_migration(m, {})) {
        check(ratchet::lint::find_rule(f.rule) != nullptr, t, "finding with an unknown rule");
        check(f.line >= 1 && f.line <= lines, t, "finding line outside the input");
        check(f.column >= 1, t, "finding column < 1");
        check(f.statement.size() <= 200, t, "statement excerpt longer than 200 bytes");
    }
    return 0;
}
