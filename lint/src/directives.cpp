// `-- ratchet:lint-ignore <rule> <reason>` directives.
#include <ratchet/lint.hpp>

#include <cctype>

namespace ratchet::lint {
namespace {

constexpr std::string_view marker = "ratchet:lint-ignore";

bool space(char c) {
    return std::isspace(static_cast<unsigned char>(c)) != 0;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && space(s.front())) s.remove_prefix(1);
    while (!s.empty() && space(s.back())) s.remove_suffix(1);
    return s;
}

}  // namespace

directive_scan scan_ignore_directives(std::string_view migration_name, std::string_view script) {
    directive_scan out;
    std::size_t line_no = 0;
    std::size_t pos = 0;
    while (pos < script.size()) {
        ++line_no;
        const auto nl = script.find('\n', pos);
        const std::size_t end = nl == std::string_view::npos ? script.size() : nl;
        const std::string_view line = script.substr(pos, end - pos);
        const std::size_t line_start = pos;
        pos = end + 1;
        const auto dash = line.find("--");
        if (dash == std::string_view::npos) continue;
        const std::string_view comment = trim(line.substr(dash + 2));
        if (comment.substr(0, marker.size()) != marker) continue;
        std::string_view rest = comment.substr(marker.size());
        if (!rest.empty() && !space(rest.front())) continue;  // e.g. ratchet:lint-ignored
        rest = trim(rest);
        std::size_t word = 0;
        while (word < rest.size() && !space(rest[word])) ++word;
        const std::string_view rule = rest.substr(0, word);
        const std::string_view reason = trim(rest.substr(word));
        std::string problem;
        if (rule.empty()) {
            problem =
                "lint-ignore needs a rule and a reason: -- ratchet:lint-ignore <rule> <reason>";
        } else if (find_rule(rule) == nullptr) {
            problem = "lint-ignore names unknown rule '" + std::string{rule} +
                      "' (the rules are listed in docs/lint-rules.md)";
        } else if (reason.empty()) {
            problem = "lint-ignore " + std::string{rule} +
                      " has no reason: write why the statement is safe after the rule";
        }
        if (!problem.empty()) {
            finding f;
            f.rule = "invalid-lint-ignore";
            f.level = severity::error;
            f.migration = std::string{migration_name};
            f.file = f.migration + "/migration.sql";
            f.line = line_no;
            f.column = dash + 1;
            f.message = std::move(problem);
            out.errors.push_back(std::move(f));
            continue;
        }
        out.directives.push_back(
            {line_no, line_start + dash, std::string{rule}, std::string{reason}});
    }
    return out;
}

}  // namespace ratchet::lint
