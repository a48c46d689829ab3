// resolve --applied / --rolled-back exactly as Prisma (prisma-compat §6).
#include "db_test.hpp"

using namespace ratchet_test;
namespace utf = boost::unit_test;

BOOST_AUTO_TEST_SUITE(resolve, *utf::label("db") * utf::precondition(server_available))

BOOST_AUTO_TEST_CASE(baseline_on_a_non_empty_database) {
    scratch_db db;
    migrations_dir dir;
    db.exec("CREATE TABLE legacy (id int)");
    dir.add("1_baseline", "CREATE TABLE legacy (id int);");
    dir.add("2_next", "ALTER TABLE legacy ADD COLUMN x int;");
    const auto r = make_engine(db, dir).resolve_applied("1_baseline");
    BOOST_TEST(r.created_history_table);
    const auto row = db.rows(
        "SELECT logs, started_at = finished_at, applied_steps_count, checksum "
        "FROM _prisma_migrations");
    BOOST_TEST_REQUIRE(row.size() == 1U);
    BOOST_TEST(row[0][0].has_value());  // '' not NULL
    BOOST_TEST(*row[0][0] == "");
    BOOST_TEST(*row[0][1] == "t");
    BOOST_TEST(*row[0][2] == "0");
    BOOST_TEST(*row[0][3] == dir.load().find("1_baseline")->checksum);
    const auto d = make_engine(db, dir).deploy();
    BOOST_TEST_REQUIRE(d.applied.size() == 1U);
    BOOST_TEST(d.applied[0].name == "2_next");
}

BOOST_AUTO_TEST_CASE(error_codes) {
    scratch_db db;
    migrations_dir dir;
    dir.add("1_a", "CREATE TABLE a (id int);");
    BOOST_TEST(error_code_of([&] { make_engine(db, dir).resolve_rolled_back("1_a"); }) ==
               "no_history_table");
    make_engine(db, dir).deploy();
    dir.write("2_noscript/readme", "x");
    BOOST_TEST(error_code_of([&] { make_engine(db, dir).resolve_applied("1_a"); }) == "P3008");
    BOOST_TEST(error_code_of([&] { make_engine(db, dir).resolve_applied("nope"); }) == "P3017");
    BOOST_TEST(error_code_of([&] { make_engine(db, dir).resolve_applied("2_noscript"); }) ==
               "P3017");
    BOOST_TEST(error_code_of([&] { make_engine(db, dir).resolve_rolled_back("nope"); }) == "P3011");
    BOOST_TEST(error_code_of([&] { make_engine(db, dir).resolve_rolled_back("1_a"); }) == "P3012");
}

BOOST_AUTO_TEST_CASE(rolled_back_works_without_local_files_and_repeats_silently) {
    scratch_db db;
    migrations_dir dir;
    make_engine(db, dir).deploy();
    db.exec(
        "INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at) "
        "VALUES ('00000000-0000-4000-8000-000000000001', 'x', 'gone', now())");
    dir.write("migration_lock.toml", "provider = \"mysql\"");  // not checked by --rolled-back
    BOOST_TEST(make_engine(db, dir).resolve_rolled_back("gone").changed);
    BOOST_TEST(
        db.scalar(
            "SELECT rolled_back_at IS NOT NULL AND finished_at IS NULL FROM _prisma_migrations") ==
        "t");
    BOOST_TEST(!make_engine(db, dir).resolve_rolled_back("gone").changed);
    BOOST_TEST(error_code_of([&] { make_engine(db, dir).resolve_applied("gone"); }) == "P3019");
}

BOOST_AUTO_TEST_SUITE_END()
