// status: every migration's state and Prisma's summary; no lock, no table created.
#include "db_test.hpp"

using namespace ratchet_test;
namespace utf = boost::unit_test;
using ratchet::migration_state;
using ratchet::status_summary;

BOOST_AUTO_TEST_SUITE(status, *utf::label("db") * utf::precondition(server_available))

BOOST_AUTO_TEST_CASE(reports_each_state_and_never_creates_the_table) {
    scratch_db db;
    migrations_dir dir;
    dir.add("1_a", "CREATE TABLE a (id int);");
    auto st = make_engine(db, dir).status();
    BOOST_TEST(!st.has_history_table);
    BOOST_TEST(static_cast<int>(st.summary) ==
               static_cast<int>(status_summary::database_is_behind));
    BOOST_TEST(!db.table_exists("_prisma_migrations"));

    make_engine(db, dir).deploy();
    dir.add("2_b", "CREATE TABLE b (id int);");
    st = make_engine(db, dir).status();
    BOOST_TEST_REQUIRE(st.migrations.size() == 2U);
    BOOST_TEST(static_cast<int>(st.migrations[0].state) ==
               static_cast<int>(migration_state::applied));
    BOOST_TEST(static_cast<int>(st.migrations[1].state) ==
               static_cast<int>(migration_state::pending));
    BOOST_TEST(st.pending == std::vector<std::string>{"2_b"}, boost::test_tools::per_element());

    make_engine(db, dir).deploy();
    BOOST_TEST(static_cast<int>(make_engine(db, dir).status().summary) ==
               static_cast<int>(status_summary::up_to_date));
}

BOOST_AUTO_TEST_CASE(not_managed_when_no_table_and_no_migrations) {
    scratch_db db;
    migrations_dir dir;
    BOOST_TEST(static_cast<int>(make_engine(db, dir).status().summary) ==
               static_cast<int>(status_summary::not_managed));
}

BOOST_AUTO_TEST_CASE(works_while_another_session_holds_the_migration_lock) {
    scratch_db db;
    migrations_dir dir;
    dir.add("1_a", "CREATE TABLE a (id int);");
    make_engine(db, dir).deploy();
    session holder{db.url()};
    holder.exec("SELECT pg_advisory_lock(72707369)");
    const auto st = make_engine(db, dir, {.lock_timeout = std::chrono::milliseconds{100}}).status();
    BOOST_TEST(static_cast<int>(st.summary) == static_cast<int>(status_summary::up_to_date));
}

BOOST_AUTO_TEST_CASE(failed_and_missing_locally_and_edited) {
    scratch_db db;
    migrations_dir dir;
    dir.add("1_a", "CREATE TABLE a (id int);");
    dir.add("2_gone", "CREATE TABLE g (id int);");
    make_engine(db, dir).deploy();
    dir.remove("2_gone");
    dir.add("1_a", "CREATE TABLE a (id int);\r\n");  // edited (not just CRLF-converted)
    db.exec(
        "INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at) "
        "VALUES ('00000000-0000-4000-8000-000000000002', 'x', '3_failed', now())");
    const auto st = make_engine(db, dir).status();
    BOOST_TEST(static_cast<int>(st.summary) == static_cast<int>(status_summary::has_failed));
    BOOST_TEST(st.missing_locally == (std::vector<std::string>{"2_gone", "3_failed"}),
               boost::test_tools::per_element());
    BOOST_TEST(st.failed == std::vector<std::string>{"3_failed"}, boost::test_tools::per_element());
    BOOST_TEST(st.edited == std::vector<std::string>{"1_a"}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(plan_and_verify_change_nothing) {
    scratch_db db;
    migrations_dir dir;
    dir.add("1_a", "CREATE TABLE a (id int);");
    dir.add("2_idx", "CREATE INDEX CONCURRENTLY a_idx ON a (id);");
    const auto p = make_engine(db, dir).plan();
    BOOST_TEST(p.to_apply.size() == 2U);
    BOOST_TEST(p.autocommit == std::vector<std::string>{"2_idx"}, boost::test_tools::per_element());
    BOOST_TEST(p.would_create_history_table);
    BOOST_TEST(!p.blocking.has_value());
    BOOST_TEST(!db.table_exists("_prisma_migrations"));
    BOOST_TEST(make_engine(db, dir).verify().ok);
    db.exec("CREATE TABLE x (id int)");
    BOOST_TEST(make_engine(db, dir).plan().blocking.value().code_name() == "P3005");
}

BOOST_AUTO_TEST_SUITE_END()
