// The `ratchet` binary as operators and CI pipelines use it: texts, exit codes, JSON.
#include "db_test.hpp"

#include <algorithm>

using namespace ratchet_test;
namespace utf = boost::unit_test;

namespace {

// Runs the CLI with DATABASE_URL unset unless given, capturing both streams.
run_result run_cli(const std::vector<std::string>& args, const std::string& database_url = {}) {
    std::vector<std::string> argv{RATCHET_CLI_PATH};
    argv.insert(argv.end(), args.begin(), args.end());
    spawn_options o;
    o.separate_stderr = true;
    o.env_set["DATABASE_URL"] =
        database_url.empty() ? std::nullopt : std::optional<std::string>{database_url};
    return run(argv, std::move(o));
}

bool has(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

// stderr without Prisma's opening lines (config, env files, schema, `Datasource ...`), which
// the CLI prints before the command's own output, as Prisma does.
std::string after_banner(const std::string& err) {
    static const std::vector<std::string> banner = {
        "Loaded Prisma config from ", "Environment variables loaded from ",
        "Prisma schema loaded from ", "Datasource", "note: "};
    std::size_t at = 0;
    for (bool more = true; more && at < err.size();) {
        more = false;
        for (const auto& b : banner) {
            if (err.compare(at, b.size(), b) == 0) {
                const auto nl = err.find('\n', at);
                at = nl == std::string::npos ? err.size() : nl + 1;
                more = true;
                break;
            }
        }
    }
    return err.substr(at);
}

std::size_t line_count(const std::string& s) {
    return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n'));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli, *utf::label("db") * utf::precondition(server_available))

BOOST_AUTO_TEST_CASE(usage_errors_are_one_line_and_exit_2) {
    if (std::string{RATCHET_CLI_PATH}.empty()) return;
    migrations_dir dir;
    const std::string d = dir.path().string();
    const std::vector<std::vector<std::string>> cases = {
        {"deploy", "--dir", d},  // no URL
        {"deploy", "--bogus"},   // unknown flag
        {"resolve", "--url", "postgresql://h/d", "--dir", d, "--applied", "a", "--rolled-back",
         "b"},
        {"resolve", "--url", "postgresql://h/d", "--dir", d},                     // neither flag
        {"deploy", "--url", "postgresql://u:TopSecretPw9@h:port/d", "--dir", d},  // malformed URL
        {"deploy", "--url", "postgresql://h/d", "--dir", d + "/does-not-exist"},
        {"deploy", "--url", "postgresql://h/d", "--dir", d, "--lock-timeout", "soon"},
    };
    for (const auto& args : cases) {
        const auto r = run_cli(args);
        BOOST_TEST_CONTEXT(args[0] << " " << args[1] << " ... -> " << r.err) {
            BOOST_TEST(r.code == 2);
            BOOST_TEST(line_count(after_banner(r.err)) == 1U);
            BOOST_TEST(!has(r.err, "TopSecretPw9"));
        }
    }
    BOOST_TEST(has(run_cli({"deploy", "--dir", d}).err, "DATABASE_URL"));
    BOOST_TEST(run_cli({"--version"}).code == 0);
    BOOST_TEST(run_cli({"deploy", "--help"}).code == 0);
}

BOOST_AUTO_TEST_CASE(deploy_and_status_speak_prisma) {
    if (std::string{RATCHET_CLI_PATH}.empty()) return;
    scratch_db db;
    migrations_dir dir;
    dir.add("1_a", "CREATE TABLE a (id int);");
    const std::string d = dir.path().string();
    auto st = run_cli({"status", "--dir", d}, db.url());
    BOOST_TEST(st.code == 1);
    BOOST_TEST(has(st.out, "Following migration have not yet been applied:\n1_a\n"));

    auto r = run_cli({"deploy", "--dir", d}, db.url());
    BOOST_TEST(r.code == 0, r.err);
    BOOST_TEST(has(r.out, "1 migration found in " + d));
    BOOST_TEST(has(r.out, "Applying migration `1_a`"));
    BOOST_TEST(has(r.out, "  └─ 1_a/\n    └─ migration.sql\n"));
    BOOST_TEST(has(r.out, "All migrations have been successfully applied."));
    r = run_cli({"deploy", "--url", db.url(), "--dir", d});
    BOOST_TEST(has(r.out, "No pending migrations to apply."));
    st = run_cli({"status", "--dir", d}, db.url());
    BOOST_TEST(st.code == 0);
    BOOST_TEST(has(st.out, "Database schema is up to date!"));
}

BOOST_AUTO_TEST_CASE(failures_print_prisma_error_blocks_and_exit_1) {
    if (std::string{RATCHET_CLI_PATH}.empty()) return;
    scratch_db db;
    migrations_dir dir;
    dir.add("1_bad", "CREATE INDEX CONCURRENTLY x ON missing (id);");
    const std::string d = dir.path().string();
    auto r = run_cli({"deploy", "--dir", d}, db.url());
    BOOST_TEST(r.code == 1);
    BOOST_TEST(after_banner(r.err).rfind("Error: P3018\n\nA migration failed to apply.", 0) == 0U,
               r.err);
    r = run_cli({"deploy", "--dir", d}, db.url());
    BOOST_TEST(has(r.err, "Error: P3009\n\nmigrate found failed migrations"));
    auto st = run_cli({"status", "--dir", d}, db.url());
    BOOST_TEST(st.code == 1);
    BOOST_TEST(has(st.err, "Following migration have failed:\n1_bad\n"));
    r = run_cli({"resolve", "--rolled-back", "1_bad", "--dir", d}, db.url());
    BOOST_TEST(r.code == 0);
    BOOST_TEST(has(r.out, "Migration 1_bad marked as rolled back."));
}

BOOST_AUTO_TEST_CASE(json_output_is_one_object_with_a_versioned_schema) {
    if (std::string{RATCHET_CLI_PATH}.empty()) return;
    scratch_db db;
    migrations_dir dir;
    dir.add("1_a", "CREATE TABLE a (id int);");
    const std::string d = dir.path().string();
    const auto r = run_cli({"deploy", "--dir", d, "--json"}, db.url());
    BOOST_TEST(r.code == 0);
    BOOST_TEST(r.out.front() == '{');
    BOOST_TEST(r.out.substr(r.out.size() - 2) == "}\n");
    BOOST_TEST(has(r.out, "\"schema_version\": 2"));
    BOOST_TEST(has(r.out, "\"name\": \"1_a\""));
    const auto e = run_cli(
        {"deploy", "--dir", d, "--json", "--url", "postgresql://u:TopSecretPw9@127.0.0.1:1/x"});
    BOOST_TEST(e.code == 1);
    BOOST_TEST(has(e.out, "\"code\": \"P1001\""));
    BOOST_TEST(!has(e.out + e.err, "TopSecretPw9"));
    const auto logs = run_cli({"plan", "--dir", d, "--log-format", "json", "-v"}, db.url());
    BOOST_TEST(logs.code == 0);
}

BOOST_AUTO_TEST_CASE(hash_matches_the_library) {
    if (std::string{RATCHET_CLI_PATH}.empty()) return;
    const std::string blog = std::string{RATCHET_SOURCE_DIR} + "/examples/blog/migrations";
    const auto r = run_cli({"hash", "--dir", blog});
    BOOST_TEST(r.code == 0);
    BOOST_TEST(r.out == ratchet::migrations_hash(ratchet::load_directory(blog)) + "\n");
}

BOOST_AUTO_TEST_SUITE_END()
