// What every subcommand shares: the common flags, the engine built from them, output and
// the mapping of errors to exit codes.
#pragma once

#include "prisma_project.hpp"

#include <ratchet/json.hpp>
#include <ratchet/ratchet.hpp>

#include <CLI/CLI.hpp>

#include <functional>
#include <optional>
#include <string>

namespace ratchet_cli {

/// Exit codes (documented in the README).
enum exit_code : int {
    exit_ok = 0,       ///< success (status: up to date)
    exit_failure = 1,  ///< any failure, as Prisma (status: something pending or failed)
    exit_usage = 2     ///< bad flags or input: nothing was attempted
};

/// Flags shared by all subcommands.
struct common_flags {
    std::string url;
    std::string dir;
    std::string schema_file;
    std::string config_file;
    std::string db_schema;
    std::string lock_timeout;
    std::string migration_lock_timeout;
    int lock_retries = 0;
    bool strict = false;
    std::string wait;               ///< --wait: keep trying to connect this long
    std::string pooler = "detect";  ///< --pooler detect|direct|transaction
    bool json = false;
    bool quiet = false;
    bool verbose = false;
    std::string log_format = "text";
};

/// Adds the shared flags to a subcommand.
void add_common_flags(CLI::App& sub, common_flags& flags, bool needs_database);

/// Thrown for bad input found after parsing (missing URL, bad duration, missing directory).
struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// The resolved inputs of one run.
class cli_context {
public:
    /// read_while_connecting: the directory is read by the engine while it connects
    /// (options::migrations_loader) unless migrations() is called before make_engine().
    cli_context(const common_flags& flags, std::string command, bool needs_database,
                bool read_while_connecting = false);

    /// What make_engine() calls with the set once it has been read (on the engine's reading
    /// thread, before anything is decided), e.g. to print "N migrations found".
    using on_read_callback = std::function<void(const ratchet::migration_set&)>;

    /// Builds the engine, handing it the migration set (call once; migrations() is empty after).
    /// on_read is called with the set, at once when it has been read already.
    [[nodiscard]] ratchet::engine make_engine(const on_read_callback& on_read = {}) const;
    /// The migration set, read now if the context deferred reading.
    [[nodiscard]] const ratchet::migration_set& migrations() const;
    [[nodiscard]] const std::string& dir_label() const { return dir_label_; }
    [[nodiscard]] const common_flags& flags() const { return flags_; }
    [[nodiscard]] const std::string& command() const { return command_; }
    /// The resolved database URL (may hold a password: never print it).
    [[nodiscard]] const std::string& url() const { return url_; }
    /// Where the URL, schema, config, .env files and migrations came from (for --json).
    [[nodiscard]] const resolved_project& project() const { return project_; }
    /// The same facts for --json: "target" and "config" of ratchet::to_json's run_facts.
    [[nodiscard]] ratchet::run_facts facts() const;
    /// Prisma's opening lines (config, env files, schema, `Datasource "db": ...`), no secrets.
    [[nodiscard]] const std::vector<std::string>& opening_lines() const { return opening_lines_; }

    /// Human text to stdout unless --quiet or --json.
    void say(const std::string& text) const;

private:
    common_flags flags_;
    std::string command_;
    std::string url_;
    resolved_project project_;
    std::vector<std::string> opening_lines_;
    std::string dir_label_;
    mutable ratchet::migration_set migrations_;  // moved into the engine by make_engine()
    mutable bool read_ = false;                  // migrations_ holds the directory's set
};

/// Builds the context and runs `body`, printing any error once (human text on stderr, or the
/// JSON result object) and mapping it to an exit code.
int run_guarded(const common_flags& flags, const std::string& command, bool needs_database,
                const std::function<int(const cli_context&)>& body,
                bool read_while_connecting = false);

}  // namespace ratchet_cli
