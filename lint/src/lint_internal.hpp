// Internal to ratchet_lint: statements of a script with their parse trees.
#pragma once

#include <ratchet/lint.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace ratchet::lint::detail {

/// One statement as the core's lexer split it, parsed by libpg_query.
struct parsed_statement {
    std::size_t begin = 0;              ///< byte offset in the script
    std::size_t end = 0;                ///< byte offset just past the statement
    std::size_t line = 1;               ///< 1-based
    std::size_t column = 1;             ///< 1-based, in characters
    std::vector<nlohmann::json> trees;  ///< {"IndexStmt": {...}} per parsed statement
    std::string error;                  ///< the parser's message when it could not parse

    [[nodiscard]] std::string_view text(std::string_view script) const {
        return script.substr(begin, end - begin);
    }
};

/// Splits with the core's lexer and parses each statement on its own, so that one statement
/// the parser cannot read does not hide the others.
std::vector<parsed_statement> parse_script(std::string_view script);

}  // namespace ratchet::lint::detail
