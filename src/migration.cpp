// Building migrations from raw bytes: decoding, checksum, directives, transaction analysis.
#include "directives.hpp"
#include "make_migration.hpp"
#include "sha256.hpp"
#include "sql_lexer.hpp"
#include "utf8.hpp"

#include <ratchet/migration.hpp>
#include <ratchet/options.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>

namespace ratchet {
inline namespace v1 {

std::string checksum_of(std::string_view decoded_sql) {
    return detail::sha256_hex(decoded_sql);
}

namespace {

// Words that can make a script need autocommit. When none occurs as a word anywhere (the
// usual Prisma migration), the lexer need not run: a cheap one-pass filter, never a decision.
constexpr std::string_view trigger_words[] = {
    "CONCURRENTLY", "VACUUM",  "REINDEX", "SYSTEM", "DATABASE", "TABLESPACE",
    "SUBSCRIPTION", "BEGIN",   "COMMIT",  "END",    "ROLLBACK", "ABORT",
    "SAVEPOINT",    "RELEASE", "START",   "PREPARE"};

// Bit (letter - 'A') of first_letters[n]: some trigger word of length n starts with that letter.
// Almost every word of a script fails this one lookup (it was a loop over all 16 words, the
// largest part of reading a file after the kernel's: ~0.9 ms for the 200 files of W2).
constexpr auto first_letters = [] {
    std::array<std::uint32_t, 13> m{};
    for (const auto w : trigger_words) m[w.size()] |= 1U << static_cast<unsigned>(w[0] - 'A');
    return m;
}();

bool is_trigger_word(std::string_view w) {
    auto upper = [](char c) {
        return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    };
    if (w.size() < 3 || w.size() > 12) return false;
    const char first = upper(w[0]);  // a letter: the caller passes letters only
    if (((first_letters[w.size()] >> static_cast<unsigned>(first - 'A')) & 1U) == 0) return false;
    for (const auto word : trigger_words) {
        if (word.size() != w.size() || word[0] != first) continue;
        if (std::equal(w.begin() + 1, w.end(), word.begin() + 1,
                       [&](char a, char b) { return upper(a) == b; })) {
            return true;
        }
    }
    return false;
}

bool may_need_autocommit(std::string_view sql) {
    auto is_letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
    for (std::size_t i = 0; i < sql.size();) {
        if (!is_letter(sql[i])) {
            ++i;
            continue;
        }
        const std::size_t start = i;
        while (i < sql.size() && is_letter(sql[i])) ++i;
        if (is_trigger_word(sql.substr(start, i - start))) return true;
    }
    return false;
}

}  // namespace

migration make_migration(std::string name, std::string_view raw_bytes) {
    return detail::make_migration_owned(std::move(name), std::string{raw_bytes});
}

}  // namespace v1
}  // namespace ratchet

namespace ratchet::detail {

migration make_migration_owned(std::string name, std::string&& raw_bytes) {
    migration m;
    m.sql = decode_utf8_lossy_owned(std::move(raw_bytes));
    m.checksum = checksum_of(m.sql);
    m.readable = true;
    m.settings = detail::parse_directives(name, m.sql);
    if (m.settings.no_transaction) {
        m.needs_autocommit = true;
        m.autocommit_reason = "ratchet:no-transaction directive";
    } else if (may_need_autocommit(m.sql)) {
        m.autocommit_reason = detail::autocommit_reason(detail::split_statements(m.sql));
        m.needs_autocommit = !m.autocommit_reason.empty();
    }
    m.name = std::move(name);
    return m;
}

}  // namespace ratchet::detail

namespace ratchet {
inline namespace v1 {

const migration* migration_set::find(std::string_view name) const noexcept {
    const auto it = std::find_if(migrations.begin(), migrations.end(),
                                 [&](const migration& m) { return m.name == name; });
    return it == migrations.end() ? nullptr : &*it;
}

std::string migrations_hash(const migration_set& set) {
    std::vector<const migration*> sorted;
    sorted.reserve(set.migrations.size());
    for (const auto& m : set.migrations) sorted.push_back(&m);
    std::sort(sorted.begin(), sorted.end(),
              [](const migration* a, const migration* b) { return a->name < b->name; });
    detail::sha256_stream h;
    for (const migration* m : sorted) {
        h.update(m->name);
        h.update("\n");
        h.update(m->readable ? std::string_view{m->checksum} : std::string_view{});
        h.update("\n");
    }
    return h.hex_digest();
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
    double value = 0;
    const char* first = text.data();
    const char* last = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(first, last, value);
    if (ec != std::errc{} || ptr == first || value < 0) return std::nullopt;
    const std::string_view unit{ptr, static_cast<std::size_t>(last - ptr)};
    double ms_per_unit = 0;
    if (unit.empty() || unit == "s") {
        ms_per_unit = 1000;
    } else if (unit == "ms") {
        ms_per_unit = 1;
    } else if (unit == "min" || unit == "m") {
        ms_per_unit = 60'000;
    } else if (unit == "h") {
        ms_per_unit = 3'600'000;
    } else {
        return std::nullopt;
    }
    const double ms = value * ms_per_unit;
    if (ms > 1e12) return std::nullopt;
    return std::chrono::milliseconds{static_cast<long long>(ms + 0.5)};
}

}  // namespace v1
}  // namespace ratchet
