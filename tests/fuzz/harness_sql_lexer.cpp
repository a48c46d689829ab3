// The statement splitter, the autocommit analysis, the position helpers and make_migration
// (decode + checksum + directives + analysis) on arbitrary bytes.
#include "harness.hpp"

#include "sql_lexer.hpp"
#include "utf8.hpp"

#include <ratchet/error.hpp>
#include <ratchet/migration.hpp>

using namespace ratchet::detail;
using ratchet_fuzz::check;

namespace {
constexpr std::string_view target = "sql_lexer";

void check_statements(std::string_view script) {
    const auto statements = split_statements(script);
    std::size_t previous_end = 0;
    for (const auto& st : statements) {
        check(st.begin < st.end, target, "empty statement returned");
        check(st.end <= script.size(), target, "statement ends past the script");
        check(st.begin >= previous_end, target, "statements overlap or are out of order");
        previous_end = st.end;
        const auto pos = position_of_byte(script, st.begin);
        check(pos.line == st.line, target, "statement line differs from position_of_byte");
        check(st.line >= 1 && st.column >= 1, target, "line/column not 1-based");
        for (const auto& word : st.head) check(!word.empty(), target, "empty head keyword");
        (void)st.text(script);
    }
    (void)autocommit_reason(statements);
    // Every character position maps into the script (PostgreSQL reports 1-based positions).
    for (std::size_t p : {std::size_t{0}, std::size_t{1}, script.size() / 2, script.size(),
                          script.size() + 1, script.size() + 1000}) {
        check(byte_of_char_position(script, p) <= script.size(), target,
              "byte_of_char_position past the end");
    }
    (void)position_of_byte(script, script.size());
    (void)position_of_byte(script, script.size() + 7);
}
}  // namespace

int fuzz_sql_lexer(const std::uint8_t* data, std::size_t size) {
    const std::string_view raw = ratchet_fuzz::bytes(data, size);
    check_statements(raw);
    try {
        const ratchet::migration m = ratchet::make_migration("20240101000000_fuzz", raw);
        check(m.readable, target, "make_migration result not readable");
        check(m.checksum.size() == 64, target, "checksum is not 64 hex digits");
        check(is_valid_utf8(m.sql), target, "migration sql is not valid UTF-8");
        check(m.needs_autocommit == !m.autocommit_reason.empty(), target,
              "needs_autocommit disagrees with autocommit_reason");
        check(m.checksum == ratchet::checksum_of(m.sql), target,
              "checksum differs from checksum_of(sql)");
        if (!m.settings.no_transaction) check_statements(m.sql);
    } catch (const ratchet::error& e) {
        check(e.code() == ratchet::errc::invalid_input, target,
              "make_migration threw a ratchet::error other than invalid_input");
    }
    return 0;
}
