// The static pass: every statement through libpg_query (PostgreSQL 15's parser), the rules on
// its parse tree, suppressions applied.
#include "lint_internal.hpp"

#include "sql_lexer.hpp"  // core: ratchet::detail::split_statements

#include <pg_query.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <set>

namespace ratchet::lint {
namespace detail {

std::vector<parsed_statement> parse_script(std::string_view script) {
    std::vector<parsed_statement> out;
    for (const auto& s : ratchet::detail::split_statements(script)) {
        parsed_statement p;
        p.begin = s.begin;
        p.end = s.end;
        p.line = s.line;
        p.column = s.column;
        const std::string text{s.text(script)};
        PgQueryParseResult r = pg_query_parse(text.c_str());
        if (r.error != nullptr) {
            p.error = r.error->message != nullptr ? r.error->message : "syntax error";
        } else {
            auto tree = nlohmann::json::parse(r.parse_tree, nullptr, false);
            if (tree.is_discarded() || !tree.contains("stmts")) {
                // An empty statement (only a comment) has no stmts: nothing to check.
                if (tree.is_discarded()) p.error = "unreadable parse tree";
            } else {
                for (auto& st : tree["stmts"]) {
                    if (st.contains("stmt")) p.trees.push_back(std::move(st["stmt"]));
                }
            }
        }
        pg_query_free_parse_result(r);
        out.push_back(std::move(p));
    }
    return out;
}

}  // namespace detail

namespace {

using detail::parsed_statement;
using nlohmann::json;

const json& member(const json& j, const char* key) {
    static const json null_json;
    if (!j.is_object()) return null_json;
    const auto it = j.find(key);
    return it == j.end() ? null_json : *it;
}

bool flag(const json& j, const char* key) {
    const auto& v = member(j, key);
    return v.is_boolean() && v.get<bool>();
}

std::string str(const json& j, const char* key) {
    const auto& v = member(j, key);
    return v.is_string() ? v.get<std::string>() : std::string{};
}

/// "schema.table" or "table" of a RangeVar.
std::string relation_name(const json& rv) {
    const std::string schema = str(rv, "schemaname");
    const std::string rel = str(rv, "relname");
    return schema.empty() ? rel : schema + "." + rel;
}

/// The table name without schema, for same-migration comparisons.
std::string bare(const std::string& name) {
    const auto dot = name.rfind('.');
    return dot == std::string::npos ? name : name.substr(dot + 1);
}

/// Last component of a TypeName ("int4", "varchar", "serial").
std::string type_name(const json& type) {
    const auto& names = member(type, "names");
    if (!names.is_array() || names.empty()) return {};
    return str(member(names.back(), "String"), "sval");
}

bool has_typmods(const json& type) {
    return member(type, "typmods").is_array();
}

/// "varchar(100)", "numeric(10,2)", "int8": the type as written, for messages.
std::string type_label(const json& type) {
    std::string out = type_name(type);
    std::string mods;
    for (const auto& m : member(type, "typmods")) {
        const auto& v = member(member(member(m, "A_Const"), "ival"), "ival");
        if (!mods.empty()) mods += ',';
        mods += v.is_number_integer() ? std::to_string(v.get<long long>()) : "0";
    }
    return mods.empty() ? out : out + "(" + mods + ")";
}

bool is_int_key_type(const std::string& t) {
    return t == "int4" || t == "int2" || t == "serial" || t == "serial4" || t == "smallserial" ||
           t == "serial2" || t == "int" || t == "integer" || t == "smallint";
}

bool is_serial(const std::string& t) {
    return t == "serial" || t == "serial4" || t == "bigserial" || t == "serial8" ||
           t == "smallserial" || t == "serial2";
}

/// Functions known not to be volatile, commonly used as defaults.
bool known_non_volatile(const std::string& f) {
    static const std::set<std::string, std::less<>> ok{"now",
                                                       "transaction_timestamp",
                                                       "statement_timestamp",
                                                       "current_setting",
                                                       "lower",
                                                       "upper",
                                                       "to_timestamp",
                                                       "to_date",
                                                       "to_char",
                                                       "jsonb_build_object",
                                                       "json_build_object",
                                                       "jsonb_build_array",
                                                       "json_build_array",
                                                       "array_fill",
                                                       "make_interval",
                                                       "date_trunc",
                                                       "concat",
                                                       "coalesce",
                                                       "length",
                                                       "abs",
                                                       "round",
                                                       "trim",
                                                       "btrim",
                                                       "md5"};
    return ok.count(f) > 0;
}

/// The first function in a default expression that is (or may be) volatile, or "".
std::string volatile_function(const json& expr) {
    if (expr.is_object()) {
        if (const auto& fc = member(expr, "FuncCall"); fc.is_object()) {
            const auto& names = member(fc, "funcname");
            std::string name;
            if (names.is_array() && !names.empty())
                name = str(member(names.back(), "String"), "sval");
            if (!known_non_volatile(name)) return name.empty() ? "a function" : name + "()";
        }
        for (const auto& [k, v] : expr.items()) {
            if (auto f = volatile_function(v); !f.empty()) return f;
        }
    } else if (expr.is_array()) {
        for (const auto& v : expr) {
            if (auto f = volatile_function(v); !f.empty()) return f;
        }
    }
    return {};
}

std::string one_line(std::string_view text) {
    std::string out;
    bool space = false;
    for (const char c : text) {
        if (std::isspace(static_cast<unsigned char>(c)) != 0) {
            space = !out.empty();
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += c;
        if (out.size() >= 200) break;
    }
    while (out.size() > 200 || (!out.empty() && out.size() == 200 &&
                                (static_cast<unsigned char>(out.back()) & 0xC0U) == 0x80U)) {
        out.pop_back();
    }
    return out;
}

/// Per-migration state while walking its statements in order.
struct walker {
    const migration& m;
    const config& cfg;
    std::string_view script;
    std::vector<finding>& out;

    std::set<std::string, std::less<>> created_tables;    // bare names
    std::set<std::string, std::less<>> created_indexes;   // bare names
    std::set<std::string, std::less<>> validated_tables;  // VALIDATE CONSTRAINT seen
    bool lock_timeout = false;
    bool timeout_reported = false;
    const parsed_statement* current = nullptr;

    bool is_new(const std::string& table) const { return created_tables.count(bare(table)) > 0; }

    void report(std::string_view rule, std::string message, std::string table = {},
                std::string column = {}, const json* located = nullptr) {
        const severity level = cfg.level_of(rule);
        if (level == severity::off) return;
        finding f;
        f.rule = std::string{rule};
        f.level = level;
        f.migration = m.name;
        f.file = m.name + "/migration.sql";
        f.line = current->line;
        f.column = current->column;
        if (located != nullptr) {
            const auto& loc = member(*located, "location");
            if (loc.is_number_integer() && loc.get<long long>() >= 0) {
                const auto pos = ratchet::detail::position_of_byte(
                    script, current->begin + static_cast<std::size_t>(loc.get<long long>()));
                f.line = pos.line;
                f.column = pos.column;
            }
        }
        f.message = std::move(message);
        f.table = std::move(table);
        f.column_name = std::move(column);
        f.statement = one_line(current->text(script));
        out.push_back(std::move(f));
    }

    /// Lock-taking DDL on an existing table: needs a lock_timeout.
    void ddl_on(const std::string& table) {
        if (lock_timeout || timeout_reported || cfg.assume_lock_timeout || is_new(table)) return;
        timeout_reported = true;
        report("require-timeout-settings",
               "DDL on existing table \"" + table +
                   "\" without lock_timeout: while it waits for its lock, every query on the "
                   "table queues behind it",
               table);
    }

    void column_style(const json& coldef, bool primary_key_elsewhere) {
        const auto& type = member(coldef, "typeName");
        const std::string t = type_name(type);
        const std::string col = str(coldef, "colname");
        if (t == "varchar" && has_typmods(type)) {
            report("prefer-text-field", "column \"" + col + "\" is varchar(n); prefer text", {},
                   col, &coldef);
        }
        if (t == "timestamp") {
            report("prefer-timestamptz",
                   "column \"" + col + "\" is timestamp without time zone; prefer timestamptz", {},
                   col, &coldef);
        }
        bool pk = primary_key_elsewhere;
        for (const auto& c : member(coldef, "constraints")) {
            if (str(member(c, "Constraint"), "contype") == "CONSTR_PRIMARY") pk = true;
        }
        if (pk && is_int_key_type(t)) {
            report(
                "prefer-bigint-keys",
                "primary key column \"" + col + "\" is " + t + " (32-bit or less); prefer bigint",
                {}, col, &coldef);
        }
    }

    void create_table(const json& cs) {
        const std::string table = relation_name(member(cs, "relation"));
        std::set<std::string, std::less<>> pk_columns;
        for (const auto& elt : member(cs, "tableElts")) {
            const auto& c = member(elt, "Constraint");
            if (str(c, "contype") != "CONSTR_PRIMARY") continue;
            for (const auto& k : member(c, "keys"))
                pk_columns.insert(str(member(k, "String"), "sval"));
        }
        for (const auto& elt : member(cs, "tableElts")) {
            if (const auto& cd = member(elt, "ColumnDef"); cd.is_object()) {
                column_style(cd, pk_columns.count(str(cd, "colname")) > 0);
            }
        }
        created_tables.insert(bare(table));
    }

    void add_column(const std::string& table, const json& cd) {
        const std::string col = str(cd, "colname");
        const std::string t = type_name(member(cd, "typeName"));
        bool has_default = false;
        bool not_null = false;
        for (const auto& cw : member(cd, "constraints")) {
            const auto& c = member(cw, "Constraint");
            const std::string type = str(c, "contype");
            if (type == "CONSTR_DEFAULT") {
                has_default = true;
                if (auto f = volatile_function(member(c, "raw_expr")); !f.empty()) {
                    report("adding-field-with-default",
                           "column \"" + col + "\" added to \"" + table +
                               "\" with volatile default " + f +
                               ": rewrites the table under ACCESS EXCLUSIVE",
                           table, col, &c);
                }
            } else if (type == "CONSTR_NOTNULL") {
                not_null = true;
            } else if (type == "CONSTR_IDENTITY" || type == "CONSTR_GENERATED") {
                has_default = true;
                report("adding-field-with-default",
                       "column \"" + col + "\" added to \"" + table +
                           "\" as identity/generated column: rewrites the table under ACCESS "
                           "EXCLUSIVE",
                       table, col, &c);
            } else if (type == "CONSTR_PRIMARY") {
                report("adding-primary-key-constraint",
                       "primary key on new column \"" + col + "\" of \"" + table +
                           "\" builds its index under ACCESS EXCLUSIVE",
                       table, col, &c);
            } else if (type == "CONSTR_UNIQUE") {
                report("disallowed-unique-constraint",
                       "unique column \"" + col + "\" added to \"" + table +
                           "\" builds its index under ACCESS EXCLUSIVE",
                       table, col, &c);
            } else if (type == "CONSTR_FOREIGN") {
                report("adding-foreign-key-constraint",
                       "column \"" + col + "\" added to \"" + table +
                           "\" with REFERENCES: validated at once, writes to both tables wait",
                       table, col, &c);
            }
        }
        if (is_serial(t)) {
            has_default = true;
            report("adding-field-with-default",
                   "column \"" + col + "\" added to \"" + table + "\" as " + t +
                       " (default nextval()): rewrites the table under ACCESS EXCLUSIVE",
                   table, col, &cd);
        }
        if (not_null && !has_default) {
            report("adding-required-field",
                   "column \"" + col + "\" added to \"" + table +
                       "\" as NOT NULL without a default: fails if the table has rows",
                   table, col, &cd);
        }
        column_style(cd, false);
    }

    void add_constraint(const std::string& table, const json& c) {
        const std::string type = str(c, "contype");
        const std::string name = str(c, "conname");
        const std::string label = name.empty() ? std::string{} : " \"" + name + "\"";
        const bool not_valid = flag(c, "skip_validation");
        const bool using_index = !str(c, "indexname").empty();
        if (type == "CONSTR_FOREIGN" && !not_valid) {
            report(
                "adding-foreign-key-constraint",
                "foreign key" + label + " on \"" + table + "\" referencing \"" +
                    relation_name(member(c, "pktable")) +
                    "\" without NOT VALID: every row is checked while writes to both tables wait",
                table, {}, &c);
        } else if (type == "CONSTR_CHECK" && !not_valid) {
            report("constraint-missing-not-valid",
                   "check constraint" + label + " on \"" + table +
                       "\" without NOT VALID: every row is checked under ACCESS EXCLUSIVE",
                   table, {}, &c);
        } else if (type == "CONSTR_PRIMARY" && !using_index) {
            report("adding-primary-key-constraint",
                   "primary key" + label + " on \"" + table +
                       "\" without USING INDEX: the index is built under ACCESS EXCLUSIVE",
                   table, {}, &c);
        } else if (type == "CONSTR_UNIQUE" && !using_index) {
            report("disallowed-unique-constraint",
                   "unique constraint" + label + " on \"" + table +
                       "\" without USING INDEX: the index is built under ACCESS EXCLUSIVE",
                   table, {}, &c);
        }
    }

    void alter_table(const json& at) {
        if (str(at, "objtype") != "OBJECT_TABLE") return;
        const std::string table = relation_name(member(at, "relation"));
        if (is_new(table)) return;
        ddl_on(table);
        for (const auto& cw : member(at, "cmds")) {
            const auto& cmd = member(cw, "AlterTableCmd");
            const std::string sub = str(cmd, "subtype");
            const std::string col = str(cmd, "name");
            const auto& def = member(cmd, "def");
            if (sub == "AT_AddColumn") {
                add_column(table, member(def, "ColumnDef"));
            } else if (sub == "AT_AddConstraint") {
                add_constraint(table, member(def, "Constraint"));
            } else if (sub == "AT_AlterColumnType") {
                const json& cd = member(def, "ColumnDef");
                const std::string to = type_label(member(cd, "typeName"));
                const std::size_t before = out.size();
                report("changing-column-type",
                       "type of \"" + table + "\".\"" + col + "\" changed to " + to +
                           ": most type changes rewrite the table and its indexes under ACCESS "
                           "EXCLUSIVE",
                       table, col, &cd);
                if (out.size() > before) {
                    out.back().new_type = to;
                    out.back().with_using = !member(cd, "raw_default").is_null();
                }
            } else if (sub == "AT_SetNotNull") {
                if (validated_tables.count(bare(table)) == 0) {
                    report("setting-not-null",
                           "SET NOT NULL on \"" + table + "\".\"" + col +
                               "\": scans the table under ACCESS EXCLUSIVE unless a validated "
                               "CHECK (" +
                               col + " IS NOT NULL) exists (PostgreSQL 12+)",
                           table, col);
                }
            } else if (sub == "AT_DropColumn") {
                report("ban-drop-column",
                       "column \"" + table + "\".\"" + col +
                           "\" dropped: application code still using it fails",
                       table, col);
            } else if (sub == "AT_ValidateConstraint") {
                validated_tables.insert(bare(table));
            }
        }
    }

    void statement(const json& tree) {
        if (!tree.is_object() || tree.empty()) return;
        const std::string kind = tree.begin().key();
        const json& n = tree.begin().value();
        if (kind == "CreateStmt") {
            create_table(n);
        } else if (kind == "CreateTableAsStmt") {
            created_tables.insert(bare(relation_name(member(member(n, "into"), "rel"))));
        } else if (kind == "AlterTableStmt") {
            alter_table(n);
        } else if (kind == "IndexStmt") {
            const std::string table = relation_name(member(n, "relation"));
            const std::string index = str(n, "idxname");
            if (!index.empty()) created_indexes.insert(index);
            if (is_new(table)) return;
            // CONCURRENTLY waits for SHARE UPDATE EXCLUSIVE, which no read or write queues behind.
            if (!flag(n, "concurrent")) ddl_on(table);
            if (!flag(n, "concurrent")) {
                report("require-concurrent-index-creation",
                       "index" + (index.empty() ? std::string{} : " \"" + index + "\"") +
                           " created on \"" + table +
                           "\" without CONCURRENTLY: writes wait for the whole build",
                       table, {}, &member(n, "relation"));
            }
        } else if (kind == "DropStmt") {
            const std::string type = str(n, "removeType");
            for (const auto& obj : member(n, "objects")) {
                std::string name;
                for (const auto& part : member(member(obj, "List"), "items")) {
                    if (!name.empty()) name += '.';
                    name += str(member(part, "String"), "sval");
                }
                if (type == "OBJECT_INDEX") {
                    if (created_indexes.count(bare(name)) > 0) continue;
                    if (!flag(n, "concurrent")) {
                        ddl_on(name);
                        report("require-concurrent-index-deletion",
                               "index \"" + name +
                                   "\" dropped without CONCURRENTLY: blocks reads and writes of "
                                   "its table",
                               name);
                    }
                } else if (type == "OBJECT_TABLE") {
                    if (is_new(name)) continue;
                    ddl_on(name);
                    report(
                        "ban-drop-table",
                        "table \"" + name + "\" dropped: its data is gone and code using it fails",
                        name);
                }
            }
        } else if (kind == "RenameStmt") {
            const std::string type = str(n, "renameType");
            const std::string table = relation_name(member(n, "relation"));
            if (table.empty() || is_new(table)) return;
            if (type == "OBJECT_COLUMN") {
                ddl_on(table);
                report("renaming-column",
                       "column \"" + table + "\".\"" + str(n, "subname") + "\" renamed to \"" +
                           str(n, "newname") +
                           "\": the running application still uses the old name",
                       table, str(n, "subname"));
            } else if (type == "OBJECT_TABLE") {
                ddl_on(table);
                report("renaming-table",
                       "table \"" + table + "\" renamed to \"" + str(n, "newname") +
                           "\": the running application still uses the old name",
                       table);
            }
        } else if (kind == "ClusterStmt") {
            const std::string table = relation_name(member(n, "relation"));
            if (!table.empty() && is_new(table)) return;
            if (!table.empty()) ddl_on(table);
            report("ban-cluster",
                   "CLUSTER" + (table.empty() ? std::string{} : " \"" + table + "\"") +
                       " rewrites the table under ACCESS EXCLUSIVE",
                   table);
        } else if (kind == "VacuumStmt") {
            bool full = false;
            for (const auto& o : member(n, "options")) {
                if (str(member(o, "DefElem"), "defname") == "full") full = true;
            }
            if (!full) return;
            std::string table;
            for (const auto& r : member(n, "rels")) {
                table = relation_name(member(member(r, "VacuumRelation"), "relation"));
                break;
            }
            if (!table.empty() && is_new(table)) return;
            report("ban-vacuum-full",
                   "VACUUM FULL" + (table.empty() ? std::string{} : " \"" + table + "\"") +
                       " rewrites the table under ACCESS EXCLUSIVE",
                   table);
        } else if (kind == "RefreshMatViewStmt") {
            const std::string view = relation_name(member(n, "relation"));
            if (is_new(view) || flag(n, "concurrent")) return;
            ddl_on(view);
            report("require-concurrent-refresh",
                   "materialized view \"" + view +
                       "\" refreshed without CONCURRENTLY: its readers wait for the whole query",
                   view);
        } else if (kind == "TransactionStmt") {
            const std::string k = str(n, "kind");
            if (k == "TRANS_STMT_BEGIN" || k == "TRANS_STMT_START" || k == "TRANS_STMT_COMMIT" ||
                k == "TRANS_STMT_ROLLBACK") {
                report("transaction-nesting",
                       "transaction control in a migration: ratchet then runs the file in "
                       "autocommit, statement by statement, and a failure leaves it half-applied");
            }
        } else if (kind == "VariableSetStmt") {
            if (str(n, "name") == "lock_timeout") {
                const std::string k = str(n, "kind");
                lock_timeout = k == "VAR_SET_VALUE";
                for (const auto& a : member(n, "args")) {
                    const auto& c = member(a, "A_Const");
                    // SET lock_timeout = 0 (or '0') disables it.
                    if (member(member(c, "ival"), "ival").is_null() && c.contains("ival"))
                        lock_timeout = false;
                    if (str(member(c, "sval"), "sval") == "0") lock_timeout = false;
                }
            }
        }
    }
};

void apply_suppressions(const migration& m, const std::vector<parsed_statement>& stmts,
                        const config& cfg, std::vector<finding>& found) {
    auto scan = scan_ignore_directives(m.name, m.sql);
    for (auto& e : scan.errors) {
        e.level = cfg.level_of(e.rule);
        if (e.level != severity::off) found.push_back(std::move(e));
    }
    if (scan.directives.empty()) return;
    // A directive belongs to the statement that contains it or, failing that, the next one.
    std::vector<std::pair<std::size_t, std::size_t>> ranges;  // statement lines [first, last]
    for (const auto& s : stmts) {
        ranges.emplace_back(s.line, ratchet::detail::position_of_byte(m.sql, s.end).line);
    }
    std::vector<bool> used(scan.directives.size(), false);
    std::vector<finding> kept;
    for (auto& f : found) {
        bool suppressed = false;
        for (std::size_t i = 0; i < scan.directives.size() && !suppressed; ++i) {
            const auto& d = scan.directives[i];
            if (d.rule != f.rule) continue;
            const auto it =
                std::find_if(stmts.begin(), stmts.end(),
                             [&](const parsed_statement& s) { return s.end > d.offset; });
            if (it == stmts.end()) continue;
            const auto& r = ranges[static_cast<std::size_t>(it - stmts.begin())];
            if (f.line >= std::min(r.first, d.line) && f.line <= r.second) {
                suppressed = true;
                used[i] = true;
            }
        }
        if (!suppressed) kept.push_back(std::move(f));
    }
    for (std::size_t i = 0; i < scan.directives.size(); ++i) {
        if (used[i]) continue;
        const severity level = cfg.level_of("unused-lint-ignore");
        if (level == severity::off) continue;
        finding f;
        f.rule = "unused-lint-ignore";
        f.level = level;
        f.migration = m.name;
        f.file = m.name + "/migration.sql";
        f.line = scan.directives[i].line;
        f.column = 1;
        f.message = "lint-ignore " + scan.directives[i].rule +
                    " suppresses nothing on the statement that follows it";
        kept.push_back(std::move(f));
    }
    std::stable_sort(kept.begin(), kept.end(), [](const finding& a, const finding& b) {
        return std::tie(a.line, a.column) < std::tie(b.line, b.column);
    });
    found = std::move(kept);
}

}  // namespace

std::vector<finding> lint_migration(const migration& m, const config& settings) {
    std::vector<finding> found;
    if (!m.readable) {
        if (settings.level_of("not-checked") != severity::off) {
            finding f;
            f.rule = "not-checked";
            f.level = settings.level_of("not-checked");
            f.migration = m.name;
            f.file = m.name + "/migration.sql";
            f.message = "not checked: " + m.read_error;
            found.push_back(std::move(f));
        }
        return found;
    }
    const auto stmts = detail::parse_script(m.sql);
    walker w{m, settings, m.sql, found};
    w.lock_timeout = m.settings.lock_timeout.has_value() && m.settings.lock_timeout->count() > 0;
    for (const auto& s : stmts) {
        w.current = &s;
        if (!s.error.empty()) {
            w.report("not-checked", "not checked: the PostgreSQL 15 parser says: " + s.error);
            continue;
        }
        for (const auto& t : s.trees) w.statement(t);
    }
    apply_suppressions(m, stmts, settings, found);
    return found;
}

std::vector<finding> lint_migrations(const migration_set& set, const options& opts) {
    std::vector<finding> all;
    for (const auto& m : set.migrations) {
        auto f = lint_migration(m, opts.settings);
        all.insert(all.end(), std::make_move_iterator(f.begin()), std::make_move_iterator(f.end()));
    }
    return all;
}

}  // namespace ratchet::lint
