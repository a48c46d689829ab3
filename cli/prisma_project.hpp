// Where a Prisma project keeps its database URL and its migrations, resolved as the project's
// own Prisma CLI (6.x or 7.x) resolves them. The rules are in migrations-format.md,
// "Configuration".
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ratchet_cli {

/// Bad or unreadable project configuration: one message naming the file (and line or
/// expression) and the flag or variable to use instead. The CLI exits 2 on it.
struct config_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// A `url = …` style field of a datasource block.
struct datasource_value {
    bool present = false;
    std::string literal;  ///< the string literal, when not env(…)
    std::string env_var;  ///< NAME of env("NAME")
    int line = 0;
    /// `env("NAME")` or `a literal string` (never the value itself).
    [[nodiscard]] std::string describe() const;
};

/// The `datasource` block of a Prisma schema.
struct datasource_block {
    std::string name;      ///< e.g. "db"
    std::string provider;  ///< e.g. "postgresql"
    datasource_value url, direct_url, shadow_database_url;
    std::string file;  ///< the schema file that declares it
    int line = 0;
};

/// Parses Prisma schema text (comments, strings, nested blocks) and returns its datasource.
/// @throws config_error on a malformed block (naming file:line).
[[nodiscard]] std::optional<datasource_block> parse_datasource(std::string_view text,
                                                               const std::string& file);

/// What a prisma.config.* file says (paths absolute, relative to the file's directory).
struct config_values {
    std::string file;
    std::optional<std::string> schema;
    std::optional<std::string> migrations_path;
    std::optional<std::string> url;
    std::optional<std::string> direct_url;  ///< Prisma 6 `engine: "classic"` configs only
    bool has_shadow_database_url = false;
    std::vector<std::string> env_files;  ///< .env files the config loaded (static reading)
    std::string unreadable_url;  ///< `datasource.url: EXPR` the static reader could not read
    std::string read_by;         ///< "prisma" (the project's own loader) or "static"
};

/// Reads the common static forms of a config file without node: string literals, env("X"),
/// process.env.X, path.join/resolve of literals, `import "dotenv/config"`.
/// @throws config_error naming the file and the expression it could not read (for the URL only
/// when it is needed: see config_values::unreadable_url).
[[nodiscard]] config_values read_config_static(const std::string& file, const std::string& cwd);

/// The inputs: flags (empty when not given) and the working directory.
struct project_inputs {
    std::string cwd;
    std::string url_flag;
    std::string schema_flag;
    std::string config_flag;
    std::string dir_flag;
    bool needs_url = true;
};

/// The resolved project: what to connect to, where the migrations are, and where each came from.
struct resolved_project {
    int prisma_major = 0;  ///< 6 or 7 from the project's node_modules/prisma; 0 when absent
    std::string prisma_version;
    std::optional<std::string> config_file;  ///< as shown (relative to cwd when inside)
    std::string config_read_by;              ///< "prisma", "static" or empty
    std::optional<std::string> schema_path;  ///< file or folder, as shown
    std::string schema_source;               ///< "--schema", "config", "package.json", "default"
    std::vector<std::string> env_files;      ///< .env files loaded, as shown
    std::optional<std::string> datasource_name;
    std::string url;  ///< empty when not needed
    std::string
        url_source;  ///< e.g. `--url`, `directUrl env("DIRECT_URL") in prisma/schema.prisma`
    std::string migrations_dir;      ///< as shown (relative to cwd when inside)
    std::string migrations_source;   ///< "--dir", "config", "schema", "default"
    std::vector<std::string> notes;  ///< e.g. shadowDatabaseUrl ignored
};

/// Resolves everything as the project's Prisma would.
/// @throws config_error on unreadable or contradictory configuration, or no URL when needed.
[[nodiscard]] resolved_project resolve_project(const project_inputs& in);

}  // namespace ratchet_cli
