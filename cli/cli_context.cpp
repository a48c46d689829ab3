#include "cli_context.hpp"

#include "prisma_project.hpp"

#include <ratchet/target.hpp>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>

#include <nlohmann/json.hpp>

namespace ratchet_cli {
namespace {

namespace fs = std::filesystem;

std::string utc_now_iso() {
    const auto now = std::chrono::system_clock::now();
    const auto secs = std::chrono::system_clock::to_time_t(now);
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() %
        1000;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[96];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(ms));
    return buf;
}

ratchet::log_callback make_log_sink(const common_flags& f) {
    if (f.log_format == "json") {
        return [verbose = f.verbose](ratchet::log_level l, std::string_view msg) {
            if (!verbose && l < ratchet::log_level::info) return;
            std::cerr << nlohmann::json{{"time", utc_now_iso()},
                                        {"level", ratchet::to_string(l)},
                                        {"logger", "ratchet"},
                                        {"message", msg}}
                             .dump()
                      << '\n';
        };
    }
    return [f](ratchet::log_level l, std::string_view msg) {
        if (l >= ratchet::log_level::warn) {
            std::cerr << (l == ratchet::log_level::warn ? "warning: " : "error: ") << msg << '\n';
        } else if (l == ratchet::log_level::info) {
            if (f.quiet) return;
            (f.json ? std::cerr : std::cout) << msg << std::endl;
        } else if (f.verbose) {
            std::cerr << "debug: " << msg << '\n';
        }
    };
}

std::chrono::milliseconds duration_flag(const std::string& value, const std::string& flag) {
    const auto d = ratchet::parse_duration(value);
    if (!d)
        throw usage_error("invalid " + flag + " '" + value + "': write e.g. 500ms, 10s or 2min");
    return *d;
}

/// Prisma's banner: where the config, env files and schema were loaded from, and the target.
std::vector<std::string> make_opening_lines(const resolved_project& p, const std::string& url,
                                            bool needs_database) {
    std::vector<std::string> lines;
    if (p.config_file) lines.push_back("Loaded Prisma config from " + *p.config_file + ".");
    for (const auto& f : p.env_files) lines.push_back("Environment variables loaded from " + f);
    if (p.schema_path) lines.push_back("Prisma schema loaded from " + *p.schema_path);
    if (needs_database) {
        const ratchet::target_description t = ratchet::describe_target(url);
        std::string line = "Datasource";
        if (p.datasource_name && p.url_source != "--url") line += " \"" + *p.datasource_name + "\"";
        line += ": PostgreSQL database \"" + t.database + "\", schema \"" +
                t.schema.value_or("public") + "\" at \"" +
                (t.unix_socket() ? "unix:" + t.host : t.address()) + "\"";
        if (p.url_source == "--url" || p.url_source == "$DATABASE_URL")
            line += " (" + p.url_source + ")";
        lines.push_back(std::move(line));
    }
    for (const auto& n : p.notes) lines.push_back("note: " + n);
    return lines;
}

}  // namespace

void add_common_flags(CLI::App& sub, common_flags& f, bool needs_database) {
    if (needs_database) {
        sub.add_option(
            "--url", f.url,
            "Database URL (Prisma form or libpq keywords); default: the project's, as Prisma "
            "(directUrl over url), else $DATABASE_URL");
        sub.add_option("--db-schema", f.db_schema,
                       "PostgreSQL schema for _prisma_migrations (overrides ?schema=)");
        sub.add_option("--lock-timeout", f.lock_timeout,
                       "How long to wait for the migration lock (default 60s)");
        sub.add_option("--wait", f.wait,
                       "Keep trying to connect this long while the database is starting or "
                       "unreachable (e.g. 30s); never on authentication errors");
        sub.add_option("--pooler", f.pooler,
                       "detect (default): deploy pooler-safe behind a connection pooler; direct: "
                       "never; transaction: always")
            ->check(CLI::IsMember({"detect", "direct", "transaction"}));
    }
    sub.add_option("--dir", f.dir,
                   "Migrations directory (default prisma/migrations, or next to --schema)");
    sub.add_option("--schema", f.schema_file,
                   "Prisma schema file or folder (default: as Prisma: prisma.config, package.json, "
                   "./schema.prisma, ./prisma/schema.prisma)");
    sub.add_option("--config", f.config_file,
                   "Prisma config file (default: prisma.config.ts etc., as Prisma)");
    sub.add_flag("--json", f.json, "Print one JSON result object on stdout (schema_version 2)");
    sub.add_flag("-q,--quiet", f.quiet, "Print only errors");
    sub.add_flag("-v,--verbose", f.verbose, "Print debug details on stderr");
    sub.add_option("--log-format", f.log_format, "Log lines as text or json (on stderr for json)")
        ->check(CLI::IsMember({"text", "json"}));
}

cli_context::cli_context(const common_flags& flags, std::string command, bool needs_database,
                         bool read_while_connecting)
    : flags_{flags}, command_{std::move(command)} {
    try {
        project_ = resolve_project({.cwd = {},
                                    .url_flag = flags_.url,
                                    .schema_flag = flags_.schema_file,
                                    .config_flag = flags_.config_file,
                                    .dir_flag = flags_.dir,
                                    .needs_url = needs_database});
    } catch (const config_error& e) {
        throw usage_error(e.what());
    }
    url_ = project_.url;
    dir_label_ = project_.migrations_dir;
    opening_lines_ = make_opening_lines(project_, url_, needs_database);
    // Every usage error before the opening lines, so that one stays the only line on stderr.
    if (!flags_.lock_timeout.empty()) (void)duration_flag(flags_.lock_timeout, "--lock-timeout");
    if (!flags_.wait.empty()) (void)duration_flag(flags_.wait, "--wait");
    if (!flags_.migration_lock_timeout.empty()) {
        (void)duration_flag(flags_.migration_lock_timeout, "--migration-lock-timeout");
    }
    std::error_code ec;
    if (!fs::is_directory(dir_label_, ec)) {
        throw usage_error("migrations directory " + dir_label_ +
                          " does not exist or is not a directory; pass --dir");
    }
    // Deferred: the engine reads the directory while it connects (a no-op deploy spends as long
    // reading and hashing 200 files as connecting), and a read error then follows these lines.
    if (!read_while_connecting) (void)migrations();
    if (!flags_.json && !flags_.quiet) {
        for (const auto& line : opening_lines_) std::cerr << line << '\n';
    }
}

ratchet::run_facts cli_context::facts() const {
    ratchet::run_facts f;
    if (!url_.empty()) f.target = ratchet::describe_target(url_);
    const resolved_project& p = project_;
    const auto add = [&f](const char* k, const std::string& v) {
        if (!v.empty()) f.config.emplace_back(k, v);
    };
    add("prisma_version", p.prisma_version);
    add("config_file", p.config_file.value_or(""));
    add("config_loader", p.config_read_by);
    add("schema", p.schema_path.value_or(""));
    add("schema_from", p.schema_source);
    std::string env_files;
    for (const auto& e : p.env_files) env_files += (env_files.empty() ? "" : ", ") + e;
    add("env_files", env_files);
    add("datasource", p.datasource_name.value_or(""));
    add("url_from", p.url_source);
    add("migrations_dir", p.migrations_dir);
    add("migrations_from", p.migrations_source);
    std::string notes;
    for (const auto& n : p.notes) notes += (notes.empty() ? "" : "; ") + n;
    add("notes", notes);
    return f;
}

const ratchet::migration_set& cli_context::migrations() const {
    if (!read_) {
        migrations_ = ratchet::load_directory(dir_label_);
        read_ = true;
    }
    return migrations_;
}

ratchet::engine cli_context::make_engine(const on_read_callback& on_read) const {
    ratchet::options o;
    o.url = url_;
    if (!flags_.db_schema.empty()) o.schema = flags_.db_schema;
    if (read_) {
        if (on_read) on_read(migrations_);
        o.migrations = std::move(migrations_);
    } else {
        o.migrations_loader = [dir = dir_label_, on_read] {
            auto set = ratchet::load_directory(dir);
            if (on_read) on_read(set);
            return set;
        };
    }
    if (!flags_.lock_timeout.empty())
        o.lock_timeout = duration_flag(flags_.lock_timeout, "--lock-timeout");
    if (!flags_.migration_lock_timeout.empty()) {
        o.migration_lock_timeout =
            duration_flag(flags_.migration_lock_timeout, "--migration-lock-timeout");
    }
    o.lock_retries = flags_.lock_retries;
    o.strict = flags_.strict;
    if (!flags_.wait.empty()) o.connect_wait = duration_flag(flags_.wait, "--wait");
    o.pooler = flags_.pooler == "direct"        ? ratchet::pooler_mode::direct
               : flags_.pooler == "transaction" ? ratchet::pooler_mode::transaction_pooler
                                                : ratchet::pooler_mode::detect;
    o.on_log = make_log_sink(flags_);
    return ratchet::engine{std::move(o)};
}

void cli_context::say(const std::string& text) const {
    if (!flags_.quiet && !flags_.json) std::cout << text << std::flush;
}

int run_guarded(const common_flags& flags, const std::string& command, bool needs_database,
                const std::function<int(const cli_context&)>& body, bool read_while_connecting) {
    try {
        const cli_context ctx{flags, command, needs_database, read_while_connecting};
        return body(ctx);
    } catch (const usage_error& e) {
        if (flags.json) {
            std::cout << ratchet::to_json(ratchet::error{ratchet::errc::invalid_input, e.what()},
                                          command)
                      << '\n';
        } else {
            std::cerr << "ratchet " << command << ": " << e.what() << '\n';
        }
        return exit_usage;
    } catch (const ratchet::error& e) {
        const int code = e.code() == ratchet::errc::invalid_input ? exit_usage : exit_failure;
        if (flags.json) {
            std::cout << ratchet::to_json(e, command) << '\n';
        } else if (ratchet::is_prisma_code(e.code())) {
            std::cerr << "Error: " << e.code_name() << "\n\n" << e.what() << '\n';
        } else if (code == exit_usage) {
            std::cerr << "ratchet " << command << ": " << e.what() << '\n';
        } else {
            std::cerr << "Error: " << e.what() << '\n';
        }
        return code;
    } catch (const std::exception& e) {
        std::cerr << "Error: internal error: " << e.what() << '\n';
        return exit_failure;
    }
}

}  // namespace ratchet_cli
