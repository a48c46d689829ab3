// deploy: Prisma's rules (prisma-compat §3, §5, §10) against a real server.
#include "db_test.hpp"

#include <regex>
#include <thread>

using namespace ratchet_test;
namespace utf = boost::unit_test;

BOOST_AUTO_TEST_SUITE(deploy, *utf::label("db") * utf::precondition(server_available))

BOOST_AUTO_TEST_CASE(applies_in_order_and_writes_prisma_rows) {
    scratch_db db;
    migrations_dir dir;
    dir.write("migration_lock.toml", "provider = \"postgresql\"\n");
    dir.add("20240101000000_init",
            "CREATE TABLE a (id int PRIMARY KEY);\nINSERT INTO a VALUES (1);");
    dir.add("20240102000000_b", "CREATE TABLE b (id int REFERENCES a(id) DEFERRABLE);");
    auto eng = make_engine(db, dir);
    const auto report = eng.deploy();
    BOOST_TEST(report.created_history_table);
    BOOST_TEST_REQUIRE(report.applied.size() == 2U);
    BOOST_TEST(report.applied[0].name == "20240101000000_init");
    BOOST_TEST(report.applied[0].transactional);

    const auto rows = db.rows(
        "SELECT id, checksum, logs IS NULL, rolled_back_at IS NULL, applied_steps_count, "
        "finished_at >= started_at, to_char(started_at, 'US') <> '000000' OR true, migration_name "
        "FROM _prisma_migrations ORDER BY started_at");
    BOOST_TEST_REQUIRE(rows.size() == 2U);
    const std::regex uuid_v4{"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"};
    BOOST_TEST(std::regex_match(*rows[0][0], uuid_v4));
    BOOST_TEST(*rows[0][1] == dir.load().migrations[0].checksum);
    BOOST_TEST(*rows[0][2] == "t");
    BOOST_TEST(*rows[0][3] == "t");
    BOOST_TEST(*rows[0][4] == "1");
    BOOST_TEST(*rows[0][5] == "t");
    BOOST_TEST(*rows[1][7] == "20240102000000_b");
    BOOST_TEST(db.scalar("SELECT count(*) FROM a") == "1");

    const auto again = eng.deploy();
    BOOST_TEST(again.applied.empty());
    BOOST_TEST(db.scalar("SELECT count(*) FROM _prisma_migrations") == "2");
}

BOOST_AUTO_TEST_CASE(history_table_has_prisma_ddl) {
    scratch_db db;
    migrations_dir dir;
    make_engine(db, dir).deploy();
    const auto cols = db.rows(
        "SELECT column_name, data_type, coalesce(character_maximum_length::text, ''), is_nullable, "
        "coalesce(column_default, '') FROM information_schema.columns WHERE table_name = "
        "'_prisma_migrations' ORDER BY ordinal_position");
    std::vector<std::string> got;
    for (const auto& c : cols)
        got.push_back(*c[0] + " " + *c[1] + " " + *c[2] + " " + *c[3] + " " + *c[4]);
    const std::vector<std::string> expected = {"id character varying 36 NO ",
                                               "checksum character varying 64 NO ",
                                               "finished_at timestamp with time zone  YES ",
                                               "migration_name character varying 255 NO ",
                                               "logs text  YES ",
                                               "rolled_back_at timestamp with time zone  YES ",
                                               "started_at timestamp with time zone  NO now()",
                                               "applied_steps_count integer  NO 0"};
    BOOST_TEST(got == expected, boost::test_tools::per_element());
    BOOST_TEST(db.scalar("SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
                         "WHERE c.relname = '_prisma_migrations' AND i.indisprimary") == "1");
}

BOOST_AUTO_TEST_CASE(p3005_on_a_non_empty_schema_without_history) {
    scratch_db db;
    migrations_dir dir;
    dir.add("1_a", "CREATE TABLE a (id int);");
    db.exec("CREATE TABLE existing (id int)");
    BOOST_TEST(error_code_of([&] { make_engine(db, dir).deploy(); }) == "P3005");
    BOOST_TEST(!db.table_exists("_prisma_migrations"));
    BOOST_TEST(!db.table_exists("a"));
}

BOOST_AUTO_TEST_CASE(p3005_ignores_views_sequences_types_partitioned_parents_and_other_schemas) {
    scratch_db db;
    migrations_dir dir;
    dir.add("1_a", "CREATE TABLE a (id int);");
    db.exec(
        "CREATE VIEW v AS SELECT 1 AS x; CREATE MATERIALIZED VIEW mv AS SELECT 1 AS x; "
        "CREATE SEQUENCE s; CREATE TYPE mood AS ENUM ('ok'); "
        "CREATE TABLE parted (id int) PARTITION BY RANGE (id); "
        "CREATE SCHEMA other; CREATE TABLE other.t (id int); CREATE TABLE other._prisma_migrations "
        "(id int)");
    BOOST_TEST(make_engine(db, dir).deploy().applied.size() == 1U);
}

BOOST_AUTO_TEST_CASE(empty_directory_creates_the_table_and_applies_nothing) {
    scratch_db db;
    migrations_dir dir;
    const auto r = make_engine(db, dir).deploy();
    BOOST_TEST(r.applied.empty());
    BOOST_TEST(db.table_exists("_prisma_migrations"));
}

BOOST_AUTO_TEST_CASE(p3019_stops_before_any_database_work) {
    scratch_db db;
    migrations_dir dir;
    dir.write("migration_lock.toml", "provider = \"mysql\"\n");
    dir.add("1_a", "CREATE TABLE a (id int);");
    BOOST_TEST(error_code_of([&] { make_engine(db, dir).deploy(); }) == "P3019");
    BOOST_TEST(!db.table_exists("_prisma_migrations"));
}

BOOST_AUTO_TEST_CASE(p3015_for_a_pending_migration_without_script_after_earlier_ones) {
    scratch_db db;
    migrations_dir dir;
    dir.add("1_a", "CREATE TABLE a (id int);");
    dir.write("2_b/notes.txt", "no script here");
    dir.add("3_c", "CREATE TABLE c (id int);");
    BOOST_TEST(error_code_of([&] { make_engine(db, dir).deploy(); }) == "P3015");
    BOOST_TEST(db.table_exists("a"));
    BOOST_TEST(!db.table_exists("c"));
    BOOST_TEST(db.scalar("SELECT string_agg(migration_name, ',') FROM _prisma_migrations") ==
               "1_a");
}

BOOST_AUTO_TEST_CASE(missing_script_of_an_applied_migration_is_harmless) {
    scratch_db db;
    migrations_dir dir;
    dir.add("1_a", "CREATE TABLE a (id int);");
    make_engine(db, dir).deploy();
    dir.remove("1_a/migration.sql");
    dir.add("2_b", "CREATE TABLE b (id int);");
    BOOST_TEST(make_engine(db, dir).deploy().applied.size() == 1U);
}

BOOST_AUTO_TEST_CASE(warns_about_drift_missing_and_out_of_order_and_strict_stops) {
    scratch_db db;
    migrations_dir dir;
    dir.add("1_a", "CREATE TABLE a (id int);");
    dir.add("3_c", "CREATE TABLE c (id int);");
    make_engine(db, dir).deploy();
    dir.add("1_a", "CREATE TABLE a (id bigint);");  // edited after being applied
    dir.add("2_b", "CREATE TABLE b (id int);");     // sorts before the applied 3_c
    BOOST_TEST(error_code_of([&] { make_engine(db, dir, {.strict = true}).deploy(); }) ==
               "strict_violation");
    BOOST_TEST(!db.table_exists("b"));
    captured_log log;
    const auto r = make_engine(db, dir, {.on_log = log.sink()}).deploy();
    BOOST_TEST(r.applied.size() == 1U);
    std::vector<std::string> codes;
    for (const auto& w : r.warnings) codes.push_back(std::string{ratchet::to_string(w.code)});
    BOOST_TEST(codes == (std::vector<std::string>{"checksum_drift", "out_of_order"}),
               boost::test_tools::per_element());
    BOOST_TEST(log.contains("was edited after it was applied"));
}

BOOST_AUTO_TEST_CASE(reapplies_a_migration_whose_rows_are_all_rolled_back) {
    scratch_db db;
    migrations_dir dir;
    dir.add("1_a", "CREATE TABLE a (id int);");
    make_engine(db, dir).deploy();
    db.exec(
        "DROP TABLE a; UPDATE _prisma_migrations SET rolled_back_at = now(), finished_at = NULL");
    BOOST_TEST(make_engine(db, dir).deploy().applied.size() == 1U);
    BOOST_TEST(db.scalar("SELECT count(*) FROM _prisma_migrations WHERE migration_name = '1_a'") ==
               "2");
}

BOOST_AUTO_TEST_CASE(home_made_history_table_gives_the_server_error) {
    scratch_db db;
    migrations_dir dir;
    db.exec("CREATE TABLE _prisma_migrations (id text)");
    const auto code = error_code_of([&] { make_engine(db, dir).deploy(); });
    BOOST_TEST(code == "database");
}

// options::migrations_loader: the CLI reads the directory while the engine connects.
BOOST_AUTO_TEST_SUITE(migrations_loader)

BOOST_AUTO_TEST_CASE(a_read_error_wins_over_a_connection_error) {
    ratchet::options o;
    o.url = "postgresql://u@127.0.0.1:1/x";
    o.migrations_loader = []() -> ratchet::migration_set {
        throw ratchet::error(ratchet::errc::invalid_input, "migrations/20240101_x: unreadable");
    };
    ratchet::engine eng{std::move(o)};
    // The user must fix the files first; a P1001 would send them after the server instead.
    BOOST_TEST(error_code_of([&] { (void)eng.deploy(); }) == "invalid_input");
}

BOOST_AUTO_TEST_CASE(the_set_is_read_on_another_thread_and_kept) {
    migrations_dir dir;
    dir.add("20240101000000_init", "CREATE TABLE a (id int);");
    std::thread::id reader;
    ratchet::options o;
    o.url = "postgresql://u@127.0.0.1:1/x";
    o.migrations_loader = [&] {
        reader = std::this_thread::get_id();
        return dir.load();
    };
    ratchet::engine eng{std::move(o)};
    BOOST_TEST(error_code_of([&] { (void)eng.deploy(); }) == "P1001");
    BOOST_TEST((reader != std::thread::id{} && reader != std::this_thread::get_id()));
    BOOST_TEST_REQUIRE(eng.settings().migrations.migrations.size() == 1U);
    BOOST_TEST(eng.settings().migrations.migrations[0].name == "20240101000000_init");
}

BOOST_AUTO_TEST_CASE(deploy_deploy_status_read_the_directory_once) {
    scratch_db db;
    migrations_dir dir;
    dir.add("20240101000000_a", "CREATE TABLE a (id int);");
    dir.add("20240102000000_b", "CREATE TABLE b (id int);");
    dir.add("20240103000000_c", "CREATE TABLE c (id int);");
    int reads = 0;
    ratchet::options o;
    o.url = db.url();
    o.migrations_loader = [&] {
        ++reads;
        return dir.load();
    };
    ratchet::engine eng{std::move(o)};
    BOOST_TEST(eng.deploy().applied.size() == 3U);
    BOOST_TEST(eng.deploy().applied.empty());
    const auto st = eng.status();
    BOOST_TEST(st.pending.empty());
    BOOST_TEST(reads == 1);
    BOOST_TEST(db.scalar("SELECT count(*) FROM _prisma_migrations WHERE finished_at IS NOT NULL") ==
               "3");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
