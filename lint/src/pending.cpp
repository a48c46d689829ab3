// The database-aware pass: lint what engine::plan() would apply, then judge each finding with
// the catalogue (existence, emptiness, size, row estimate, server version). Read-only.
#include "lint_internal.hpp"

#include "conninfo.hpp"  // core internals: URL parsing, identifier quoting
#include "pg.hpp"        // core internals: a connection with redacted errors
#include "redactor.hpp"

#include <ratchet/engine.hpp>
#include <ratchet/error.hpp>

#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <utility>
#include <vector>

namespace ratchet::lint {
namespace {

using ratchet::detail::pg_connection;

struct table_facts {
    bool exists = false;
    bool empty = false;
    std::int64_t bytes = 0;
    std::int64_t rows = 0;
    std::string relation;                      // the table (for an index: its table)
    std::set<std::string> validated_not_null;  // columns with a validated CHECK (col IS NOT NULL)
};

std::int64_t to_i64(std::string_view s) {
    return s.empty() ? 0 : std::strtoll(std::string{s}.c_str(), nullptr, 10);
}

table_facts inspect(pg_connection& c, const std::string& name, const std::string& schema) {
    table_facts t;
    std::string nsp = schema;
    std::string rel = name;
    if (const auto dot = name.find('.'); dot != std::string::npos) {
        nsp = name.substr(0, dot);
        rel = name.substr(dot + 1);
    }
    // An index (DROP INDEX) is judged by its table.
    auto r = c.exec_params(
        "SELECT COALESCE(i.indrelid, c.oid)::regclass::text, "
        "       pg_catalog.pg_total_relation_size(COALESCE(i.indrelid, c.oid)), "
        "       GREATEST(tc.reltuples, 0)::bigint, "
        "       pg_catalog.pg_relation_size(COALESCE(i.indrelid, c.oid)), "
        "       COALESCE(i.indrelid, c.oid) "
        "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "LEFT JOIN pg_catalog.pg_index i ON i.indexrelid = c.oid "
        "JOIN pg_catalog.pg_class tc ON tc.oid = COALESCE(i.indrelid, c.oid) "
        "WHERE c.relname = $1 AND n.nspname = $2",
        {rel, nsp});
    if (r.rows() == 0) return t;
    t.exists = true;
    t.relation = std::string{r.get(0, 0)};
    t.bytes = to_i64(r.get(0, 1));
    t.rows = to_i64(r.get(0, 2));
    const std::string oid{r.get(0, 4)};
    if (to_i64(r.get(0, 3)) == 0) {
        t.empty = true;  // no heap page at all
    } else {
        // Pages may hold only dead rows: look for one live row (a brief ACCESS SHARE lock,
        // bounded by the lock_timeout set on this connection).
        try {
            auto e = c.exec("SELECT NOT EXISTS (SELECT 1 FROM " + t.relation + " LIMIT 1)");
            t.empty = e.get(0, 0) == "t";
        } catch (const ratchet::error&) {
            t.empty = false;  // locked by someone else: assume the worst
        }
    }
    auto v = c.exec_params(
        "SELECT a.attname FROM pg_catalog.pg_constraint k "
        "JOIN pg_catalog.pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey) "
        "WHERE k.conrelid = $1::oid AND k.contype = 'c' AND k.convalidated "
        "AND array_length(k.conkey, 1) = 1 "
        "AND pg_catalog.pg_get_constraintdef(k.oid) ~* ('^CHECK \\(\\(?\"?' || a.attname || "
        "'\"? IS NOT NULL\\)?\\)$')",
        {oid});
    for (int i = 0; i < v.rows(); ++i) t.validated_not_null.insert(std::string{v.get(i, 0)});
    return t;
}

/// A column's type as the catalogue has it.
struct column_type {
    std::string name;     // pg_type.typname: "varchar", "numeric", "int4", ...
    int typmod = -1;      // pg_attribute.atttypmod
    std::string display;  // format_type(): "character varying(100)"
};

std::optional<column_type> column_type_of(pg_connection& c, const std::string& relation,
                                          const std::string& column) {
    auto r = c.exec_params(
        "SELECT t.typname, a.atttypmod, pg_catalog.format_type(a.atttypid, a.atttypmod) "
        "FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid "
        "WHERE a.attrelid = $1::regclass AND a.attname = $2 AND a.attnum > 0 AND NOT "
        "a.attisdropped",
        {relation, column});
    if (r.rows() == 0) return std::nullopt;
    return column_type{std::string{r.get(0, 0)}, static_cast<int>(to_i64(r.get(0, 1))),
                       std::string{r.get(0, 2)}};
}

/// "numeric(12,2)" -> {"numeric", {12, 2}}.
std::pair<std::string, std::vector<long>> split_type(const std::string& label) {
    const auto open = label.find('(');
    if (open == std::string::npos) return {label, {}};
    std::vector<long> mods;
    std::size_t i = open + 1;
    while (i < label.size()) {
        char* end = nullptr;
        mods.push_back(std::strtol(label.c_str() + i, &end, 10));
        i = static_cast<std::size_t>(end - label.c_str()) + 1;
    }
    return {label.substr(0, open), mods};
}

/// The typmod PostgreSQL stores for varchar(n), char(n) and numeric(p[,s]); -1 otherwise.
int typmod_of(const std::string& name, const std::vector<long>& mods) {
    if (mods.empty()) return -1;
    if ((name == "varchar" || name == "bpchar") && mods.size() == 1 && mods[0] > 0 &&
        mods[0] <= 10'485'760) {
        return static_cast<int>(mods[0]) + 4;
    }
    if (name == "numeric" && mods.size() <= 2 && mods[0] > 0 && mods[0] <= 1000) {
        const long scale = mods.size() == 2 ? mods[1] : 0;
        return static_cast<int>(((mods[0] << 16) | (scale & 0x7ff)) + 4);
    }
    return -1;
}

/// Whether changing a column from `old` to the new type (name and typmod) is binary-coercible
/// without a length or precision check, so PostgreSQL (9.2+) only updates the catalogue.
bool metadata_only(const column_type& old, const std::string& name, int typmod) {
    if (old.name == name && old.typmod == typmod) return true;  // unchanged
    const bool old_chars = old.name == "varchar" || old.name == "text";
    if (name == "text") return old_chars;
    if (name == "varchar") {
        if (typmod < 0) return old_chars;  // unbounded
        return old.name == "varchar" && old.typmod >= 0 && typmod >= old.typmod;
    }
    if (name == "numeric" && old.name == "numeric") {
        if (typmod < 0) return true;  // unconstrained
        if (old.typmod < 0) return false;
        const int old_p = ((old.typmod - 4) >> 16) & 0xffff;
        const int new_p = ((typmod - 4) >> 16) & 0xffff;
        return ((old.typmod - 4) & 0x7ff) == ((typmod - 4) & 0x7ff) && new_p >= old_p;
    }
    return false;
}

/// changing-column-type with the column's current type: names old -> new and says whether it
/// rewrites on this server; a metadata-only change becomes info (nothing waits for long).
void judge_type_change(pg_connection& c, const std::string& relation, finding& f, table_risk& r) {
    const auto old = column_type_of(c, relation, f.column_name);
    if (!old) {
        r.note = "column not in the catalogue (added by an earlier pending migration?)";
        return;
    }
    const auto [name, mods] = split_type(f.new_type);
    const int typmod = typmod_of(name, mods);
    std::string shown = f.new_type;
    auto t = c.exec_params("SELECT pg_catalog.format_type(pg_catalog.to_regtype($1), $2::int)",
                           {name, std::to_string(typmod)});
    if (t.rows() == 1 && !t.is_null(0, 0)) shown = std::string{t.get(0, 0)};
    const std::string change = "type of \"" + f.table + "\".\"" + f.column_name + "\" changes " +
                               old->display + " -> " + shown;
    if (!f.with_using && metadata_only(*old, name, typmod)) {
        f.message =
            change + ": metadata-only on this server (binary-coercible: no rewrite, no scan)";
        if (f.level > severity::info) f.level = severity::info;
        r.effect = "metadata";
        r.worst_case_seconds = 0;
        r.note = "ACCESS EXCLUSIVE is held only for the catalogue update";
        return;
    }
    f.message = change + ": rewrites the table and its indexes under ACCESS EXCLUSIVE";
    if (f.with_using) f.message += " (USING expression)";
}

}  // namespace

pending_result lint_pending(const migration_set& set, const options& opts) {
    pending_result out;
    ratchet::options eo;
    eo.url = opts.url;
    eo.schema = opts.db_schema;
    eo.migrations = set;
    eo.deadline = opts.deadline;
    ratchet::engine eng{std::move(eo)};
    out.pending = eng.plan().to_apply;

    ratchet::detail::redactor secrets;
    auto target = ratchet::detail::parse_connection(opts.url, secrets);
    if (opts.db_schema) target.schema = opts.db_schema;
    const std::string schema = target.schema.value_or("public");
    pg_connection c{target, secrets, opts.deadline, {}};
    c.exec(
        "SET lock_timeout = '2s'; SET statement_timeout = '30s'; SET default_transaction_read_only "
        "= on");
    out.server_version = static_cast<int>(to_i64(c.exec("SHOW server_version_num").get(0, 0)));

    std::map<std::string, table_facts> cache;
    const double rate = opts.settings.rate_mb_per_s * 1e6;
    for (const auto& name : out.pending) {
        const migration* m = set.find(name);
        if (m == nullptr) continue;
        for (auto& f : lint_migration(*m, opts.settings)) {
            if (f.table.empty()) {
                out.findings.push_back(std::move(f));
                continue;
            }
            auto it = cache.find(f.table);
            if (it == cache.end()) it = cache.emplace(f.table, inspect(c, f.table, schema)).first;
            const table_facts& t = it->second;
            // Created by an earlier pending migration: not at risk.
            if (!t.exists) continue;
            table_risk r;
            r.exists = true;
            r.empty = t.empty;
            r.bytes = t.bytes;
            r.rows = t.rows;
            const rule_info* rule = find_rule(f.rule);
            r.effect = rule != nullptr ? std::string{rule->effect} : "";
            const bool breaking = r.effect == "breaking";
            // Still empty: nothing to scan, rewrite or lose; a rename still breaks the app.
            if (t.empty && f.rule != "renaming-column" && f.rule != "renaming-table") continue;
            if (f.rule == "setting-not-null" && out.server_version >= 120000 &&
                t.validated_not_null.count(f.column_name) > 0) {
                continue;  // metadata-only: PostgreSQL 12+ uses the validated CHECK
            }
            if (f.rule == "require-timeout-settings") r.effect = "lock queue";
            if (r.effect == "rewrite") {
                r.worst_case_seconds = 2.0 * static_cast<double>(t.bytes) / rate;
                r.note = "read and write of table and indexes at " +
                         std::to_string(static_cast<int>(opts.settings.rate_mb_per_s)) + " MB/s";
            } else if (r.effect == "scan" || r.effect == "index build") {
                r.worst_case_seconds = static_cast<double>(t.bytes) / rate;
                r.note = "read of table and indexes at " +
                         std::to_string(static_cast<int>(opts.settings.rate_mb_per_s)) + " MB/s";
            } else if (r.effect == "fails") {
                r.note = "the table has rows: the statement fails and the deploy stops";
            } else if (breaking) {
                r.note = "metadata-only; the risk is the running application";
            }
            if (f.rule == "adding-field-with-default" && out.server_version < 110000) {
                r.note += r.note.empty() ? "" : "; ";
                r.note += "PostgreSQL < 11 rewrites for any default";
            }
            if (f.rule == "setting-not-null" && out.server_version >= 120000) {
                r.note += "; a validated CHECK (" + f.column_name +
                          " IS NOT NULL) would make it metadata-only";
            }
            if (f.rule == "changing-column-type" && !f.column_name.empty() && !f.new_type.empty())
                judge_type_change(c, t.relation, f, r);
            f.risk = std::move(r);
            out.findings.push_back(std::move(f));
        }
    }
    return out;
}

}  // namespace ratchet::lint
