// `deploy --lint` and `plan --lint`: ratchet::lint's database-aware pass as a gate that stops a
// dangerous pending migration before anything is applied (only when the CLI has ratchet::lint).
#include "db_test.hpp"

using namespace ratchet_test;
namespace utf = boost::unit_test;

namespace {

run_result ratchet_cli(const std::vector<std::string>& args) {
    std::vector<std::string> argv{RATCHET_CLI_PATH};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, {.env_set = {{"DATABASE_URL", std::nullopt}}, .separate_stderr = true});
}

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

bool cli_has_lint() {
    return !std::string{RATCHET_CLI_PATH}.empty() && ratchet_cli({"lint", "--help"}).code == 0;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(lint_gate, *utf::label("db") * utf::precondition(server_available))

BOOST_AUTO_TEST_CASE(deploy_lint_error_stops_a_blocking_index_on_a_populated_table) {
    if (!cli_has_lint()) return;
    scratch_db db;
    migrations_dir dir;
    dir.add("0_big", "CREATE TABLE big AS SELECT g AS id FROM generate_series(1, 20000) g;");
    const std::string d = dir.path().string();
    BOOST_TEST_REQUIRE(ratchet_cli({"deploy", "--dir", d, "--url", db.url()}).code == 0);
    db.exec("ANALYZE big");
    dir.add("1_index", "CREATE INDEX big_id ON big (id);");
    const auto stopped = ratchet_cli({"deploy", "--dir", d, "--url", db.url(), "--lint", "error"});
    BOOST_TEST(stopped.code == 1, stopped.err);
    BOOST_TEST(has(stopped.err, "require-concurrent-index-creation"), stopped.err);
    BOOST_TEST(has(stopped.err, "nothing was applied"), stopped.err);
    BOOST_TEST(*db.scalar("SELECT count(*) FROM _prisma_migrations") == "1", "nothing applied");
    BOOST_TEST(
        *db.scalar("SELECT count(*) FROM pg_catalog.pg_indexes WHERE indexname = 'big_id'") == "0");

    const auto plan = ratchet_cli({"plan", "--dir", d, "--url", db.url(), "--lint"});
    BOOST_TEST(plan.code == 1, plan.err);
    BOOST_TEST(has(plan.err, "require-concurrent-index-creation"), plan.err);

    const auto warned = ratchet_cli({"deploy", "--dir", d, "--url", db.url(), "--lint", "warn"});
    BOOST_TEST(warned.code == 0, warned.err);
    BOOST_TEST(has(warned.err, "require-concurrent-index-creation"));
    BOOST_TEST(
        *db.scalar("SELECT count(*) FROM pg_catalog.pg_indexes WHERE indexname = 'big_id'") == "1");
}

BOOST_AUTO_TEST_CASE(the_same_index_on_a_table_of_the_same_migration_passes_the_gate) {
    if (!cli_has_lint()) return;
    scratch_db db;
    migrations_dir dir;
    dir.add("1_init", "CREATE TABLE fresh (id int);\nCREATE INDEX fresh_id ON fresh (id);");
    const auto r =
        ratchet_cli({"deploy", "--dir", dir.path().string(), "--url", db.url(), "--lint", "error"});
    BOOST_TEST(r.code == 0, r.err);
    BOOST_TEST(db.table_exists("fresh"));
}

BOOST_AUTO_TEST_SUITE_END()
