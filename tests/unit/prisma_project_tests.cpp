// The CLI's project configuration, resolved as Prisma 6/7 resolve it: schema location, .env
// files, datasource block, prisma.config.* read statically, directUrl over url, migrations dir.
#include "../../cli/dotenv.hpp"
#include "../../cli/prisma_project.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <string>

using namespace ratchet_cli;
namespace fs = std::filesystem;

namespace {

/// A temporary project directory, removed at the end; variables set here are restored.
class project_dir {
public:
    project_dir() {
        std::random_device rd;
        root_ = fs::temp_directory_path() / ("ratchet-project-" + std::to_string(rd()));
        fs::create_directories(root_);
        // Never let the machine's node or a real Prisma install decide a unit test.
        set_env("RATCHET_PRISMA_CONFIG_NODE", "0");
        for (const char* v : {"DATABASE_URL", "DIRECT_URL", "SHADOW_URL", "BASE", "OTHER"})
            unset_env(v);
    }
    ~project_dir() {
        std::error_code ec;
        fs::remove_all(root_, ec);
        for (const auto& [k, v] : saved_) {
            if (v) {
                ::setenv(k.c_str(), v->c_str(), 1);
            } else {
                ::unsetenv(k.c_str());
            }
        }
    }
    project_dir(const project_dir&) = delete;
    project_dir& operator=(const project_dir&) = delete;

    void write(const std::string& rel, const std::string& text) const {
        const fs::path p = root_ / rel;
        fs::create_directories(p.parent_path());
        std::ofstream{p, std::ios::binary} << text;
    }
    void mkdir(const std::string& rel) const { fs::create_directories(root_ / rel); }
    void set_env(const std::string& k, const std::string& v) {
        save(k);
        ::setenv(k.c_str(), v.c_str(), 1);
    }
    void unset_env(const std::string& k) {
        save(k);
        ::unsetenv(k.c_str());
    }
    /// Remembers variables a .env file may set, so the test leaves the environment as it was.
    void track(const std::string& k) { save(k); }

    [[nodiscard]] resolved_project resolve(project_inputs in = {}) const {
        if (in.cwd.empty()) in.cwd = root_.string();
        return resolve_project(in);
    }
    [[nodiscard]] const fs::path& root() const { return root_; }

private:
    fs::path root_;
    std::map<std::string, std::optional<std::string>> saved_;
    void save(const std::string& k) {
        if (saved_.count(k) != 0) return;
        const char* v = std::getenv(k.c_str());
        saved_[k] = v ? std::optional<std::string>{v} : std::nullopt;
    }
};

const char* const schema_with_direct = R"(// url = env("WRONG") in a comment does not count
generator client {
  provider = "prisma-client-js"
}

datasource db {
  provider          = "postgresql"
  url               = env("DATABASE_URL") // the pooler
  directUrl         = env("DIRECT_URL")
  shadowDatabaseUrl = env("SHADOW_URL")
}

model User {
  id   Int    @id
  name String @default("} not the end")
}
)";

template <class F>
std::string error_of(F&& f) {
    try {
        f();
    } catch (const config_error& e) {
        return e.what();
    }
    return "<no error>";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(prisma_project, *boost::unit_test::label("unit"))

BOOST_AUTO_TEST_CASE(dotenv_syntax) {
    const auto e = parse_dotenv(
        "# comment\r\nA=1\r\nexport B = two words  # trailing comment\n"
        "C=\"line1\\nline2\"\nD='single ${X}'\nE=\"multi\nline\"\nF: colon\n"
        "G=\nnot a line\nA=again\nH=`back # tick`\n");
    std::map<std::string, std::string> m;
    for (const auto& [k, v] : e) m[k] = v;
    BOOST_TEST(m["A"] == "again");  // a later duplicate wins, as dotenv
    BOOST_TEST(m["B"] == "two words");
    BOOST_TEST(m["C"] == "line1\nline2");
    BOOST_TEST(m["D"] == "single ${X}");
    BOOST_TEST(m["E"] == "multi\nline");
    BOOST_TEST(m["F"] == "colon");
    BOOST_TEST(m["G"] == "");
    BOOST_TEST(m["H"] == "back # tick");
    BOOST_TEST(m.count("not") == 0u);
}

BOOST_AUTO_TEST_CASE(dotenv_never_overrides_and_expands_as_prisma) {
    project_dir d;
    d.set_env("OTHER", "from-env");
    d.track("BASE");
    d.track("DATABASE_URL");
    d.track("DIRECT_URL");
    d.write(".env",
            "BASE=postgresql://u@h:5432\nDATABASE_URL=${BASE}/app?x=${OTHER}\n"
            "DIRECT_URL=\\${BASE}\nOTHER=from-file\n");
    (void)load_dotenv_file((d.root() / ".env").string(), true);
    BOOST_TEST(std::getenv("DATABASE_URL") == std::string{"postgresql://u@h:5432/app?x=from-env"});
    BOOST_TEST(std::getenv("DIRECT_URL") == std::string{"${BASE}"});
    BOOST_TEST(std::getenv("OTHER") == std::string{"from-env"});
}

BOOST_AUTO_TEST_CASE(datasource_block_is_parsed_not_grepped) {
    const auto ds = parse_datasource(schema_with_direct, "schema.prisma");
    BOOST_REQUIRE(ds.has_value());
    BOOST_TEST(ds->name == "db");
    BOOST_TEST(ds->provider == "postgresql");
    BOOST_TEST(ds->url.env_var == "DATABASE_URL");
    BOOST_TEST(ds->url.line == 8);
    BOOST_TEST(ds->direct_url.env_var == "DIRECT_URL");
    BOOST_TEST(ds->shadow_database_url.present);

    const auto lit = parse_datasource(
        "datasource  pg {\n provider = \"postgresql\"\n url = \"postgresql://a@b/c?x=\\\"}\"\n}\n",
        "s.prisma");
    BOOST_REQUIRE(lit.has_value());
    BOOST_TEST(lit->url.literal == "postgresql://a@b/c?x=\"}");
    BOOST_TEST(!lit->direct_url.present);

    BOOST_TEST(!parse_datasource("model A {\n id Int @id\n}\n", "m.prisma").has_value());
    BOOST_TEST(error_of([] {
                   (void)parse_datasource("datasource db {\n url = env(DB)\n}\n", "x.prisma");
               }) == "x.prisma:2: `url` must be a string or env(\"NAME\")");
    BOOST_TEST(error_of([] {
                   (void)parse_datasource("\ndatasource db {\n url = \"x\"\n", "y.prisma");
               }) == "y.prisma:2: `datasource db` block is not closed");
}

BOOST_AUTO_TEST_CASE(prisma6_layout_env_file_and_direct_url) {
    project_dir d;
    d.track("DATABASE_URL");
    d.track("DIRECT_URL");
    d.write("package.json", R"({"name": "app"})");
    d.write("prisma/schema.prisma", schema_with_direct);
    d.mkdir("prisma/migrations");
    d.write(".env",
            "DATABASE_URL=postgresql://app:pw@pooler:6543/app?pgbouncer=true\n"
            "DIRECT_URL=postgresql://app:pw@db:5432/app\n");
    const auto p = d.resolve();
    BOOST_TEST(p.url == "postgresql://app:pw@db:5432/app");
    BOOST_TEST(p.url_source == "directUrl env(\"DIRECT_URL\") in prisma/schema.prisma:9");
    BOOST_TEST(p.schema_path.value() == "prisma/schema.prisma");
    BOOST_TEST(p.schema_source == "default");
    BOOST_TEST(p.migrations_dir == "prisma/migrations");
    BOOST_REQUIRE(p.env_files.size() == 1u);
    BOOST_TEST(p.env_files[0] == ".env");
    BOOST_TEST(p.notes.size() == 1u);  // shadowDatabaseUrl ignored
}

BOOST_AUTO_TEST_CASE(real_environment_beats_env_file_and_url_flag_beats_all) {
    project_dir d;
    d.track("DATABASE_URL");
    d.write("prisma/schema.prisma", schema_with_direct);
    d.write("prisma/.env",
            "DATABASE_URL=postgresql://file/a\nDIRECT_URL=postgresql://file/direct\n");
    d.set_env("DIRECT_URL", "postgresql://real/direct");
    BOOST_TEST(d.resolve().url == "postgresql://real/direct");
    BOOST_TEST(d.resolve().env_files.at(0) == "prisma/.env");
    project_inputs in;
    in.url_flag = "postgresql://flag/x";
    const auto p = d.resolve(in);
    BOOST_TEST(p.url == "postgresql://flag/x");
    BOOST_TEST(p.url_source == "--url");
}

BOOST_AUTO_TEST_CASE(missing_variable_names_file_line_and_variable) {
    project_dir d;
    d.write("schema.prisma", schema_with_direct);
    d.set_env("DATABASE_URL", "postgresql://x/y");
    BOOST_TEST(
        error_of([&] { (void)d.resolve(); }) ==
        "schema.prisma:9: Environment variable not found: DIRECT_URL (no .env file was found); "
        "set it or pass --url");
    // Commands without a database (hash, verify) do not need it.
    project_inputs in;
    in.needs_url = false;
    BOOST_TEST(d.resolve(in).migrations_dir == "migrations");
}

BOOST_AUTO_TEST_CASE(schema_folder_migrations_next_to_the_datasource_file) {
    project_dir d;
    d.write("prisma/schema/models.prisma", "model A {\n  id Int @id\n}\n");
    d.write(
        "prisma/schema/base/db.prisma",
        "datasource db {\n  provider = \"postgresql\"\n  url = \"postgresql://u@h/folder\"\n}\n");
    project_inputs in;
    in.schema_flag = "prisma/schema";
    const auto p = d.resolve(in);
    BOOST_TEST(p.url == "postgresql://u@h/folder");
    BOOST_TEST(p.schema_path.value() == "prisma/schema");
    BOOST_TEST(p.migrations_dir == "prisma/schema/base/migrations");  // Prisma 6
    d.write("prisma/schema/two.prisma",
            "datasource other {\n  provider = \"postgresql\"\n  url = \"x\"\n}\n");
    BOOST_TEST(error_of([&] { (void)d.resolve(in); }).find("a second datasource block") !=
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(monorepo_package_json_prisma_schema) {
    project_dir d;
    d.write("package.json", R"({"name": "mono", "prisma": {"schema": "packages/db/db.prisma"}})");
    d.write("packages/db/db.prisma",
            "datasource db {\n  provider = \"postgresql\"\n  url = env(\"DATABASE_URL\")\n}\n");
    d.write("schema.prisma",
            "datasource db {\n  provider = \"postgresql\"\n  url = \"postgresql://wrong\"\n}\n");
    d.write(".env", "DATABASE_URL=postgresql://u@h/mono\n");
    d.track("DATABASE_URL");
    const auto p = d.resolve();
    BOOST_TEST(p.schema_source == "package.json");
    BOOST_TEST(p.schema_path.value() == "packages/db/db.prisma");
    BOOST_TEST(p.url == "postgresql://u@h/mono");
    BOOST_TEST(p.migrations_dir == "packages/db/migrations");
}

BOOST_AUTO_TEST_CASE(default_schema_order_is_root_first) {
    project_dir d;
    d.write("schema.prisma",
            "datasource db {\n  provider = \"postgresql\"\n  url = \"postgresql://root\"\n}\n");
    d.write("prisma/schema.prisma",
            "datasource db {\n  provider = \"postgresql\"\n  url = \"postgresql://p\"\n}\n");
    BOOST_TEST(d.resolve().url == "postgresql://root");
    BOOST_TEST(d.resolve().migrations_dir == "migrations");
}

BOOST_AUTO_TEST_CASE(static_config_with_dotenv_and_paths) {
    project_dir d;
    d.track("DATABASE_URL");
    d.write(".env", "DATABASE_URL=postgresql://u@h/seven\n");
    d.write("db/schema.prisma", "datasource db {\n  provider = \"postgresql\"\n}\n");
    d.write("prisma.config.ts", R"(import "dotenv/config";
import path from "node:path";
import { defineConfig, env } from "prisma/config";

// schema: "wrong.prisma" in a comment
export default defineConfig({
  schema: path.join("db", "schema.prisma"),
  migrations: {
    path: "sql/migrations",
    seed: `tsx prisma/seed.ts`,
  },
  datasource: {
    url: env("DATABASE_URL"),
    shadowDatabaseUrl: process.env.SHADOW_URL,
  },
});
)");
    const auto p = d.resolve();
    BOOST_TEST(p.config_file.value() == "prisma.config.ts");
    BOOST_TEST(p.config_read_by == "static");
    BOOST_TEST(p.schema_path.value() == "db/schema.prisma");
    BOOST_TEST(p.schema_source == "config");
    BOOST_TEST(p.migrations_dir == "sql/migrations");
    BOOST_TEST(p.url == "postgresql://u@h/seven");
    BOOST_TEST(p.url_source == "datasource.url in prisma.config.ts");
    BOOST_REQUIRE(p.env_files.size() == 1u);  // loaded by the config's dotenv/config, not by Prisma
}

BOOST_AUTO_TEST_CASE(config_present_means_no_env_file_loading) {
    project_dir d;
    d.track("DATABASE_URL");
    d.write(".env", "DATABASE_URL=postgresql://u@h/from-env-file\n");
    d.write("prisma/schema.prisma",
            "datasource db {\n  provider = \"postgresql\"\n  url = env(\"DATABASE_URL\")\n}\n");
    // Paths in a config are relative to the config file's directory.
    d.write(".config/prisma.ts", "export default { schema: '../prisma/schema.prisma' }\n");
    const auto msg = error_of([&] { (void)d.resolve(); });
    BOOST_TEST(msg.find("Environment variable not found: DATABASE_URL") != std::string::npos);
    BOOST_TEST(d.resolve({.url_flag = "postgresql://x/y"}).config_file.value() ==
               ".config/prisma.ts");
}

BOOST_AUTO_TEST_CASE(unreadable_config_names_file_expression_and_flag) {
    project_dir d;
    d.write("prisma.config.mjs", R"(import { defineConfig } from "prisma/config";
const cfg = defineConfig({
  schema: "prisma/schema.prisma",
  datasource: { url: await getSecret("db") },
});
export default cfg;
)");
    d.write("prisma/schema.prisma", "datasource db {\n  provider = \"postgresql\"\n}\n");
    BOOST_TEST(error_of([&] { (void)d.resolve(); }) ==
               "prisma.config.mjs: cannot read `datasource.url: await getSecret(\"db\")` "
               "without node and the project's prisma package; pass --url or set the variable");
    // --url makes the URL expression irrelevant.
    BOOST_TEST(d.resolve({.url_flag = "postgresql://x/y"}).migrations_dir == "prisma/migrations");

    d.write("prisma.config.mjs", "export default { schema: schemaPath() }\n");
    BOOST_TEST(
        error_of([&] { (void)d.resolve({.url_flag = "postgresql://x/y"}); })
            .find(
                "cannot read `schema: schemaPath()` without node and the project's prisma package; "
                "pass --schema instead") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(unset_env_in_config_matters_only_when_the_url_is_needed) {
    project_dir d;
    d.write("prisma.config.ts",
            "import { defineConfig, env } from 'prisma/config';\n"
            "export default defineConfig({\n  migrations: { path: 'sql' },\n"
            "  datasource: { url: env('DATABASE_URL') ?? 'postgresql://never' },\n});\n");
    project_inputs hash;
    hash.needs_url = false;
    BOOST_TEST(d.resolve(hash).migrations_dir == "sql");  // `ratchet hash` needs no database
    BOOST_TEST(error_of([&] { (void)d.resolve(); }) ==
               "prisma.config.ts: Cannot resolve environment variable: DATABASE_URL "
               "(datasource.url: env(\"DATABASE_URL\")); set it or pass --url");
    d.set_env("DATABASE_URL", "postgresql://u@h/db");
    BOOST_TEST(d.resolve().url == "postgresql://u@h/db");
}

BOOST_AUTO_TEST_CASE(prisma7_needs_datasource_url_in_the_config) {
    project_dir d;
    d.write("node_modules/prisma/package.json", R"({"name": "prisma", "version": "7.10.1"})");
    d.write("prisma/schema.prisma", "datasource db {\n  provider = \"postgresql\"\n}\n");
    d.write(".env", "DATABASE_URL=postgresql://u@h/not-loaded-by-prisma-7\n");
    d.track("DATABASE_URL");
    BOOST_TEST(error_of([&] { (void)d.resolve(); }) ==
               "Prisma 7.10.1 reads the database URL from `datasource.url` in prisma.config.ts, "
               "and the project "
               "has no config file; set it there or pass --url");
    d.write("prisma7.config.ts",
            "export default { datasource: { url: 'postgresql://u@h/seven' } }\n");
    d.write("prisma.config.ts",
            "export default { datasource: { url: 'postgresql://u@h/legacy-name' } }\n");
    const auto p = d.resolve();
    BOOST_TEST(p.prisma_major == 7);
    BOOST_TEST(p.url == "postgresql://u@h/seven");  // 7.x tries prisma7.config.* first
    BOOST_TEST(p.env_files.empty());
}

BOOST_AUTO_TEST_CASE(no_project_falls_back_to_database_url) {
    project_dir d;
    BOOST_TEST(
        error_of([&] { (void)d.resolve(); }).find("no database URL: no Prisma schema found") == 0u);
    d.set_env("DATABASE_URL", "postgresql://env/x");
    const auto p = d.resolve();
    BOOST_TEST(p.url == "postgresql://env/x");
    BOOST_TEST(p.url_source == "$DATABASE_URL");
    BOOST_TEST(p.migrations_dir == "prisma/migrations");
}

BOOST_AUTO_TEST_CASE(env_file_conflict_is_an_error_as_in_prisma) {
    project_dir d;
    d.track("DATABASE_URL");
    d.write("package.json", "{}");
    d.write(".env", "DATABASE_URL=postgresql://same\n");
    d.write("prisma/.env", "DATABASE_URL=postgresql://same\n");
    d.write("prisma/schema.prisma",
            "datasource db {\n  provider = \"postgresql\"\n  url = env(\"DATABASE_URL\")\n}\n");
    BOOST_TEST(error_of([&] {
                   (void)d.resolve();
               }).find("There is a conflict between env var in .env and prisma/.env") == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
