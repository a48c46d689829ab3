/// @file lint.hpp
/// ratchet::lint: migration safety checks on PostgreSQL's own parser (libpg_query), optionally
/// judged against the live database. A separate library (`ratchet::lint`); the core
/// `ratchet::ratchet` does not depend on it.
#pragma once

#include <ratchet/migration.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ratchet::lint {

/// How much a finding matters. `off` disables a rule; only `error` fails `ratchet lint`.
enum class severity { off, info, warning, error };

/// "off", "info", "warning", "error".
[[nodiscard]] std::string_view to_string(severity s) noexcept;
/// Inverse of to_string(); nullopt for anything else.
[[nodiscard]] std::optional<severity> parse_severity(std::string_view s) noexcept;

/// One rule as documented in docs/lint-rules.md.
struct rule_info {
    std::string_view id;        ///< stable id, e.g. "require-concurrent-index-creation"
    severity default_severity;  ///< before the project config
    std::string_view summary;   ///< one line
    std::string_view lock;      ///< lock taken ("SHARE on the table"), or "" when none
    std::string_view blocks;    ///< what that lock blocks
    std::string_view effect;  ///< "rewrite", "scan", "index build", "metadata", "breaking", "style"
    std::string_view why;     ///< why it matters
    std::string_view rewrite;  ///< the safe way to do it
};

/// Every rule, in documentation order.
[[nodiscard]] const std::vector<rule_info>& rules() noexcept;
/// The rule with this id, or nullptr.
[[nodiscard]] const rule_info* find_rule(std::string_view id) noexcept;

/// What the database-aware pass found out about the table a finding touches.
struct table_risk {
    bool exists = false;            ///< false: created by an earlier pending migration
    bool empty = false;             ///< no row visible
    std::int64_t bytes = 0;         ///< heap + indexes + TOAST (pg_total_relation_size)
    std::int64_t rows = 0;          ///< pg_class.reltuples (0 when never analysed and empty)
    std::string effect;             ///< "rewrite", "scan", "index build", "metadata", ...
    double worst_case_seconds = 0;  ///< bytes / documented rate, for rewrite/scan/index build
    std::string note;               ///< e.g. "metadata-only since PostgreSQL 11"
};

/// One finding.
struct finding {
    std::string rule;  ///< rule id
    severity level = severity::warning;
    std::string migration;    ///< migration directory name
    std::string file;         ///< "<migration>/migration.sql"
    std::size_t line = 0;     ///< 1-based, in migration.sql
    std::size_t column = 0;   ///< 1-based, in characters
    std::string message;      ///< what was found, naming the table/column
    std::string table;        ///< the relation at risk (an index for index deletion), or ""
    std::string column_name;  ///< the column concerned, or ""
    std::string statement;    ///< the statement (first 200 bytes, one line)
    /// changing-column-type: the new type as PostgreSQL's parser resolved it, with its
    /// modifiers ("varchar(300)", "int8", "numeric(12,2)"); "" for other rules.
    std::string new_type;
    /// changing-column-type: the change has a USING expression (always a rewrite).
    bool with_using = false;
    std::optional<table_risk> risk;  ///< set by the database-aware pass
};

/// The per-project settings: `ratchet-lint.json` next to the migrations (see docs/lint-rules.md).
struct config {
    /// Severity per rule id, overriding the default ("off" disables the rule).
    std::map<std::string, severity, std::less<>> severities;
    /// Every migration runs with a lock_timeout set outside the files (e.g. `deploy
    /// --migration-lock-timeout`): require-timeout-settings never fires.
    bool assume_lock_timeout = false;
    /// Throughput assumed for the worst-case estimate of a scan or rewrite, in MB/s.
    double rate_mb_per_s = 100.0;

    /// Parses the JSON text; `origin` names the file in errors.
    /// @throws ratchet::error (invalid_input) naming the file, line and key.
    [[nodiscard]] static config parse(std::string_view text, std::string_view origin);
    /// Reads a file; nullopt when it does not exist.
    /// @throws ratchet::error (invalid_input) as parse(), or when it cannot be read.
    [[nodiscard]] static std::optional<config> load(const std::filesystem::path& file);
    /// The settings of the migrations in `dir`: its ratchet-lint.json (config_file_name) when
    /// there is one, else the defaults. What every gate (CLI, Lambda) applies.
    /// @throws ratchet::error (invalid_input) as load().
    [[nodiscard]] static config for_directory(const std::filesystem::path& dir);
    /// The effective severity of a rule.
    [[nodiscard]] severity level_of(std::string_view rule) const;
};

/// The config file name looked up in the migrations directory.
inline constexpr std::string_view config_file_name = "ratchet-lint.json";

/// A `-- ratchet:lint-ignore <rule> <reason>` directive.
struct ignore_directive {
    std::size_t line = 0;    ///< 1-based line of the comment
    std::size_t offset = 0;  ///< byte offset of the comment
    std::string rule;
    std::string reason;
};

/// Reads every lint-ignore directive of a script. A directive without a rule or a reason, or
/// naming an unknown rule, is returned in `errors` as a finding (rule "invalid-lint-ignore").
struct directive_scan {
    std::vector<ignore_directive> directives;
    std::vector<finding> errors;
};
[[nodiscard]] directive_scan scan_ignore_directives(std::string_view migration_name,
                                                    std::string_view script);

/// Options of a lint run.
struct options {
    config settings;
    /// Database-aware pass: empty = never connect. Prisma URL or libpq keyword string.
    std::string url;
    /// Overrides ?schema= of the URL (the schema that holds _prisma_migrations).
    std::optional<std::string> db_schema;
    /// The database-aware pass gives up (ratchet::error deadline_exceeded) at this time; it
    /// also bounds the connect timeout. nullopt: no deadline.
    std::optional<std::chrono::system_clock::time_point> deadline;
};

/// Lints one migration (no database).
[[nodiscard]] std::vector<finding> lint_migration(const migration& m, const config& settings);

/// Lints every migration of the set (no database), in order.
[[nodiscard]] std::vector<finding> lint_migrations(const migration_set& set, const options& opts);

/// What the database-aware pass looked at.
struct pending_result {
    std::vector<std::string> pending;  ///< migrations linted (engine::plan().to_apply)
    int server_version = 0;            ///< e.g. 150018
    std::vector<finding> findings;     ///< with risk set where a table is involved
};

/// Database-aware pass: lints only the migrations `engine::plan()` would apply and judges each
/// finding against the catalogue. Findings on tables created by an earlier pending migration
/// or still empty are dropped (not at risk); the others carry table_risk.
/// @throws ratchet::error (connection, database, invalid_input for a bad URL).
[[nodiscard]] pending_result lint_pending(const migration_set& set, const options& opts);

/// True when a finding has severity error.
[[nodiscard]] bool has_errors(const std::vector<finding>& findings) noexcept;

/// `file:line:col  level  rule  message` lines (ANSI colours when `color`), plus risk lines.
/// `dir` is prefixed to file names; ends with a summary line.
[[nodiscard]] std::string format_human(const std::vector<finding>& findings, std::string_view dir,
                                       bool color);
/// One line, no colour: `file:line:col level rule: message [risk]` (for logs and the Lambda's
/// answers).
[[nodiscard]] std::string format_line(const finding& f);
/// `{"schema_version":1,"command":"lint","ok":..,"findings":[...]}`.
[[nodiscard]] std::string format_json(const std::vector<finding>& findings);
/// GitHub workflow commands (`::error file=..,line=..,col=..,title=..::message`);
/// `dir` is prefixed to file names.
[[nodiscard]] std::string format_github(const std::vector<finding>& findings, std::string_view dir);
/// SARIF 2.1.0 log with one run, every rule in tool.driver.rules; `dir` is prefixed to URIs.
[[nodiscard]] std::string format_sarif(const std::vector<finding>& findings, std::string_view dir);

}  // namespace ratchet::lint
