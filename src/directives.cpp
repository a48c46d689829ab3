#include "directives.hpp"

#include <ratchet/error.hpp>
#include <ratchet/options.hpp>

#include <cctype>
#include <string>

namespace ratchet::detail {
namespace {

constexpr std::string_view prefix = "ratchet:";
constexpr std::string_view bom = "\xEF\xBB\xBF";

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0)
        s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0)
        s.remove_suffix(1);
    return s;
}

[[noreturn]] void bad(std::string_view migration, std::size_t line, const std::string& what) {
    throw error(errc::invalid_input, std::string{migration} + "/migration.sql line " +
                                         std::to_string(line) + ": " + what);
}

std::chrono::milliseconds duration_value(std::string_view migration, std::size_t line,
                                         std::string_view key, std::string_view value) {
    if (auto d = parse_duration(value)) return *d;
    bad(migration, line,
        "invalid duration '" + std::string{value} + "' for ratchet:" + std::string{key} +
            " (write e.g. 500ms, 5s or 2min)");
}

void apply_directive(directives& d, std::string_view migration, std::size_t line,
                     std::string_view body) {
    // ratchet::lint's suppressions: checked by the linter (which requires a reason), not here.
    if (body == "lint-ignore" || body.rfind("lint-ignore ", 0) == 0) return;
    const auto eq = body.find('=');
    const std::string_view key = trim(body.substr(0, eq));
    const std::string_view value = eq == std::string_view::npos ? "" : trim(body.substr(eq + 1));
    if (key == "no-transaction" && eq == std::string_view::npos) {
        d.no_transaction = true;
    } else if (key == "lock-timeout") {
        d.lock_timeout = duration_value(migration, line, key, value);
    } else if (key == "statement-timeout") {
        d.statement_timeout = duration_value(migration, line, key, value);
    } else {
        bad(migration, line,
            "unknown directive 'ratchet:" + std::string{body} +
                "' (known: no-transaction, lock-timeout=, statement-timeout=)");
    }
}

}  // namespace

directives parse_directives(std::string_view migration_name, std::string_view script) {
    directives d;
    if (script.substr(0, bom.size()) == bom) script.remove_prefix(bom.size());
    std::size_t line_no = 0;
    while (!script.empty()) {
        ++line_no;
        const auto nl = script.find('\n');
        const std::string_view line = trim(script.substr(0, nl));
        script = nl == std::string_view::npos ? std::string_view{} : script.substr(nl + 1);
        if (line.empty()) continue;
        if (line.substr(0, 2) != "--") break;  // the leading comment block ends here
        const std::string_view comment = trim(line.substr(2));
        if (comment.substr(0, prefix.size()) == prefix) {
            apply_directive(d, migration_name, line_no, trim(comment.substr(prefix.size())));
        }
    }
    return d;
}

}  // namespace ratchet::detail
