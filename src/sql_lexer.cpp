#include "sql_lexer.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>

namespace ratchet::detail {
namespace {

constexpr std::size_t head_words = 8;

// ASCII classes on purpose: SQL's lexical rules do not depend on the C locale.
constexpr bool is_alpha(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
constexpr bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}
constexpr bool is_space(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool is_word_start(char c) noexcept {
    return is_alpha(c) || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}

bool is_word_char(char c) noexcept {
    return is_alpha(c) || is_digit(c) || c == '_' || c == '$' ||
           static_cast<unsigned char>(c) >= 0x80;
}

bool is_tag_char(char c) noexcept {
    return is_word_char(c) && c != '$';
}

std::string upper(std::string_view w) {
    std::string out{w};
    for (auto& c : out) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    return out;
}

// Scans one script, statement by statement.
class splitter {
public:
    explicit splitter(std::string_view s) : s_{s} {}

    std::vector<sql_statement> run() {
        while (i_ < s_.size()) step();
        finish_statement();
        return std::move(out_);
    }

private:
    void step() {
        const char c = s_[i_];
        if (c == '-' && peek(1) == '-') return skip_line_comment();
        if (c == '/' && peek(1) == '*') return skip_block_comment();
        if (is_space(c)) return advance(1);
        if (c == ';' && parens_ == 0 && atomic_depth_ == 0) {
            finish_statement();
            return advance(1);
        }
        mark_token_start();
        if (c == '\'') return skip_quoted('\'', false);
        if (c == '"') return skip_quoted('"', false);
        if ((c == 'e' || c == 'E') && peek(1) == '\'') {
            advance(1);
            return skip_quoted('\'', true);
        }
        if (c == '$' && try_dollar_quote()) return;
        if (is_word_start(c)) return word();
        if (c == '(') ++parens_;
        if (c == ')' && parens_ > 0) --parens_;
        advance(1);
        last_token_end_ = i_;
    }

    [[nodiscard]] char peek(std::size_t k) const noexcept {
        return i_ + k < s_.size() ? s_[i_ + k] : '\0';
    }

    void advance(std::size_t n) {
        for (std::size_t k = 0; k < n && i_ < s_.size(); ++k, ++i_) {
            const auto u = static_cast<unsigned char>(s_[i_]);
            if (s_[i_] == '\n') {
                ++line_;
                column_ = 1;
            } else if ((u & 0xC0U) != 0x80U) {
                ++column_;  // count characters, not continuation bytes
            }
        }
    }

    void mark_token_start() {
        if (!in_statement_) {
            in_statement_ = true;
            current_ = sql_statement{i_, i_, line_, column_, {}};
        }
    }

    void finish_statement() {
        if (!in_statement_) return;
        current_.end = last_token_end_;
        out_.push_back(std::move(current_));
        in_statement_ = false;
        atomic_depth_ = 0;
        parens_ = 0;
    }

    void skip_line_comment() {
        while (i_ < s_.size() && s_[i_] != '\n') advance(1);
    }

    void skip_block_comment() {
        int depth = 0;
        do {
            if (s_[i_] == '/' && peek(1) == '*') {
                ++depth;
                advance(2);
            } else if (s_[i_] == '*' && peek(1) == '/') {
                --depth;
                advance(2);
            } else {
                advance(1);
            }
        } while (depth > 0 && i_ < s_.size());
    }

    // Quoted string or identifier; a doubled quote is an escaped quote.
    void skip_quoted(char q, bool backslash_escapes) {
        advance(1);
        while (i_ < s_.size()) {
            if (backslash_escapes && s_[i_] == '\\') {
                advance(2);
                continue;
            }
            if (s_[i_] == q) {
                if (peek(1) == q) {
                    advance(2);
                    continue;
                }
                advance(1);
                break;
            }
            advance(1);
        }
        last_token_end_ = i_;
    }

    bool try_dollar_quote() {
        std::size_t j = i_ + 1;
        if (j < s_.size() && is_digit(s_[j])) return false;
        while (j < s_.size() && is_tag_char(s_[j])) ++j;
        if (j >= s_.size() || s_[j] != '$') return false;
        const std::string_view tag = s_.substr(i_, j - i_ + 1);
        const std::size_t close = s_.find(tag, j + 1);
        const std::size_t stop = close == std::string_view::npos ? s_.size() : close + tag.size();
        advance(stop - i_);
        last_token_end_ = i_;
        return true;
    }

    void word() {
        const std::size_t start = i_;
        while (i_ < s_.size() && is_word_char(s_[i_])) advance(1);
        last_token_end_ = i_;
        const std::string w = upper(s_.substr(start, i_ - start));
        if (current_.head.size() < head_words) current_.head.push_back(w);
        track_atomic_body(w);
    }

    // CREATE FUNCTION/PROCEDURE ... BEGIN ATOMIC ... END: semicolons inside do not split.
    void track_atomic_body(const std::string& w) {
        if (!is_routine_definition()) return;
        if (w == "BEGIN" || (w == "CASE" && atomic_depth_ > 0)) ++atomic_depth_;
        if (w == "END" && atomic_depth_ > 0) --atomic_depth_;
    }

    [[nodiscard]] bool is_routine_definition() const {
        const auto& h = current_.head;
        if (h.empty() || h[0] != "CREATE") return false;
        for (std::size_t k = 1; k < h.size() && k < 4; ++k) {
            if (h[k] == "FUNCTION" || h[k] == "PROCEDURE") return true;
        }
        return false;
    }

    std::string_view s_;
    std::size_t i_ = 0;
    std::size_t line_ = 1;
    std::size_t column_ = 1;
    std::size_t last_token_end_ = 0;
    int parens_ = 0;
    int atomic_depth_ = 0;
    bool in_statement_ = false;
    sql_statement current_;
    std::vector<sql_statement> out_;
};

bool has_word(const std::vector<std::string>& head, std::string_view w) {
    return std::find(head.begin(), head.end(), w) != head.end();
}

bool starts_with(const std::vector<std::string>& head, std::initializer_list<std::string_view> ws) {
    if (head.size() < ws.size()) return false;
    return std::equal(ws.begin(), ws.end(), head.begin());
}

// Statements PostgreSQL refuses inside a transaction block (error 25001).
std::string refused_in_transaction(const std::vector<std::string>& h) {
    if (h.empty()) return {};
    if (h[0] == "CREATE" && has_word(h, "INDEX") && has_word(h, "CONCURRENTLY")) {
        return "CREATE INDEX CONCURRENTLY";
    }
    if (starts_with(h, {"DROP", "INDEX", "CONCURRENTLY"})) return "DROP INDEX CONCURRENTLY";
    if (h[0] == "REINDEX" &&
        (has_word(h, "CONCURRENTLY") || has_word(h, "DATABASE") || has_word(h, "SYSTEM"))) {
        return "REINDEX " + std::string{has_word(h, "CONCURRENTLY") ? "CONCURRENTLY" : h[1]};
    }
    if (h[0] == "VACUUM") return "VACUUM";
    if (starts_with(h, {"CREATE", "DATABASE"}) || starts_with(h, {"DROP", "DATABASE"})) {
        return h[0] + " DATABASE";
    }
    if (starts_with(h, {"ALTER", "SYSTEM"})) return "ALTER SYSTEM";
    if ((h[0] == "CREATE" || h[0] == "DROP") && h.size() > 1 && h[1] == "TABLESPACE") {
        return h[0] + " TABLESPACE";
    }
    if ((h[0] == "CREATE" || h[0] == "DROP") && h.size() > 1 && h[1] == "SUBSCRIPTION") {
        return h[0] + " SUBSCRIPTION";
    }
    if (h[0] == "ALTER" && has_word(h, "DETACH") && has_word(h, "CONCURRENTLY")) {
        return "ALTER TABLE ... DETACH PARTITION CONCURRENTLY";
    }
    return {};
}

// Top-level transaction control: the script manages its own transactions.
std::string transaction_control(const std::vector<std::string>& h) {
    if (h.empty()) return {};
    static const std::vector<std::string_view> words = {"BEGIN", "COMMIT",    "END",    "ROLLBACK",
                                                        "ABORT", "SAVEPOINT", "RELEASE"};
    if (std::find(words.begin(), words.end(), h[0]) != words.end()) return h[0];
    if (starts_with(h, {"START", "TRANSACTION"})) return "START TRANSACTION";
    if (starts_with(h, {"PREPARE", "TRANSACTION"})) return "PREPARE TRANSACTION";
    return {};
}

}  // namespace

std::vector<sql_statement> split_statements(std::string_view script) {
    return splitter{script}.run();
}

std::string autocommit_reason(const std::vector<sql_statement>& statements) {
    for (const auto& st : statements) {
        std::string what = refused_in_transaction(st.head);
        if (what.empty()) what = transaction_control(st.head);
        if (!what.empty()) return what + " at line " + std::to_string(st.line);
    }
    return {};
}

text_position position_of_byte(std::string_view script, std::size_t byte_offset) noexcept {
    text_position p;
    const std::size_t stop = std::min(byte_offset, script.size());
    for (std::size_t i = 0; i < stop; ++i) {
        const auto u = static_cast<unsigned char>(script[i]);
        if (script[i] == '\n') {
            ++p.line;
            p.column = 1;
        } else if ((u & 0xC0U) != 0x80U) {
            ++p.column;
        }
    }
    return p;
}

std::size_t byte_of_char_position(std::string_view script, std::size_t char_position) noexcept {
    std::size_t chars = 0;
    for (std::size_t i = 0; i < script.size(); ++i) {
        const auto u = static_cast<unsigned char>(script[i]);
        if ((u & 0xC0U) != 0x80U) {
            ++chars;
            if (chars == char_position) return i;
        }
    }
    return script.size();
}

}  // namespace ratchet::detail
