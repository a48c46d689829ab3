// A PostgreSQL-aware statement splitter: never splits inside quotes, E'' strings, dollar
// quotes, quoted identifiers, comments (nested block comments too), parentheses or a
// BEGIN ATOMIC ... END function body.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ratchet::detail {

/// One statement of a script, without its terminating semicolon.
struct sql_statement {
    std::size_t begin = 0;          ///< byte offset of the first token
    std::size_t end = 0;            ///< byte offset just past the last token
    std::size_t line = 1;           ///< 1-based line of the first token
    std::size_t column = 1;         ///< 1-based column (in characters) of the first token
    std::vector<std::string> head;  ///< first keywords, upper-cased (words only)

    [[nodiscard]] std::string_view text(std::string_view script) const {
        return script.substr(begin, end - begin);
    }
};

/// Splits a script into its non-empty statements, in order.
std::vector<sql_statement> split_statements(std::string_view script);

/// Why a script cannot run inside one transaction block, or empty when it can.
/// Looks for statements PostgreSQL refuses in a transaction block and for top-level
/// transaction control.
std::string autocommit_reason(const std::vector<sql_statement>& statements);

/// 1-based line and column (in characters) of a byte offset.
struct text_position {
    std::size_t line = 1;
    std::size_t column = 1;
};
text_position position_of_byte(std::string_view script, std::size_t byte_offset) noexcept;

/// Byte offset of a 1-based character position as PostgreSQL reports it
/// (PG_DIAG_STATEMENT_POSITION).
std::size_t byte_of_char_position(std::string_view script, std::size_t char_position) noexcept;

}  // namespace ratchet::detail
