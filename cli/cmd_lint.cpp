// `ratchet lint`: migration safety checks (ratchet::lint). Without --url it never connects.
#include "cli_context.hpp"
#include "commands.hpp"

#include <ratchet/lint.hpp>

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <memory>

namespace ratchet_cli {
namespace {

struct lint_flags {
    std::string dir;
    std::string schema_file;
    std::string url;
    std::string db_schema;
    std::string config;
    std::string format = "human";
    std::string color = "auto";
    bool json = false;
    bool quiet = false;
};

/// One clear error: text on stderr, or with --json / --format json the result object on stdout.
int fail(const lint_flags& f, int code, const std::string& error_code, const std::string& message) {
    if (f.json || f.format == "json") {
        const nlohmann::json j{{"schema_version", 1},
                               {"command", "lint"},
                               {"ok", false},
                               {"findings", nlohmann::json::array()},
                               {"error", {{"code", error_code}, {"message", message}}}};
        std::cout << j.dump(2) << '\n';
    } else {
        std::cerr << "ratchet lint: " << message << '\n';
    }
    return code;
}

int run_lint(const lint_flags& f) {
    namespace fs = std::filesystem;
    namespace lint = ratchet::lint;
    std::string dir = f.dir;
    if (dir.empty()) {
        dir = f.schema_file.empty()
                  ? "prisma/migrations"
                  : (fs::path{f.schema_file}.parent_path() / "migrations").string();
    }
    const std::string format = f.json ? "json" : f.format;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        return fail(
            f, exit_usage, "usage",
            "migrations directory " + dir + " does not exist or is not a directory; pass --dir");
    }
    try {
        lint::options opts;
        const fs::path config_path =
            f.config.empty() ? fs::path{dir} / lint::config_file_name : fs::path{f.config};
        if (auto c = lint::config::load(config_path)) {
            opts.settings = std::move(*c);
        } else if (!f.config.empty()) {
            return fail(f, exit_usage, "usage", "config file " + f.config + " does not exist");
        }
        const auto set = ratchet::load_directory(dir);
        std::vector<lint::finding> findings;
        if (f.url.empty()) {
            findings = lint::lint_migrations(set, opts);
        } else {
            opts.url = f.url;
            if (!f.db_schema.empty()) opts.db_schema = f.db_schema;
            auto result = lint::lint_pending(set, opts);
            if (format == "human" && !f.quiet) {
                std::cerr << result.pending.size() << " pending migration(s) of "
                          << set.migrations.size() << " linted against the database (server "
                          << result.server_version << ")\n";
            }
            findings = std::move(result.findings);
        }
        if (format == "json") {
            std::cout << lint::format_json(findings);
        } else if (format == "github") {
            std::cout << lint::format_github(findings, dir);
        } else if (format == "sarif") {
            std::cout << lint::format_sarif(findings, dir);
        } else if (!f.quiet || lint::has_errors(findings)) {
            const bool color =
                f.color == "always" || (f.color == "auto" && isatty(STDOUT_FILENO) == 1 &&
                                        std::getenv("NO_COLOR") == nullptr);
            std::cout << lint::format_human(findings, dir, color);
        }
        return lint::has_errors(findings) ? exit_failure : exit_ok;
    } catch (const ratchet::error& e) {
        return fail(f, e.code() == ratchet::errc::invalid_input ? exit_usage : exit_failure,
                    std::string{e.code_name()}, e.what());
    }
}

}  // namespace

void setup_lint(CLI::App& app, int& exit_code) {
    auto flags = std::make_shared<lint_flags>();
    auto* sub = app.add_subcommand(
        "lint", "Check migrations for dangerous operations (locks, rewrites, breaking changes)");
    sub->add_option("--dir", flags->dir,
                    "Migrations directory (default prisma/migrations, or next to --schema)");
    sub->add_option("--schema", flags->schema_file,
                    "Path to schema.prisma (its migrations folder)");
    sub->add_option("--url", flags->url,
                    "Database URL: lint only pending migrations and judge findings with the "
                    "catalogue (never read from DATABASE_URL: without --url nothing connects)");
    sub->add_option("--db-schema", flags->db_schema, "PostgreSQL schema (overrides ?schema=)");
    sub->add_option("--config", flags->config, "Config file (default DIR/ratchet-lint.json)");
    sub->add_option("--format", flags->format, "Output: human, json, github or sarif")
        ->check(CLI::IsMember({"human", "json", "github", "sarif"}));
    sub->add_flag("--json", flags->json, "Same as --format json");
    sub->add_option("--color", flags->color, "Colour human output: auto, always or never")
        ->check(CLI::IsMember({"auto", "always", "never"}));
    sub->add_flag("-q,--quiet", flags->quiet, "Print human output only when there are errors");
    sub->callback([flags, &exit_code] { exit_code = run_lint(*flags); });
}

}  // namespace ratchet_cli
