// Migrations that cannot run in a transaction block: Prisma-style bookkeeping, failures block.
#include "db_test.hpp"

using namespace ratchet_test;
namespace utf = boost::unit_test;

BOOST_AUTO_TEST_SUITE(autocommit_apply, *utf::label("db") * utf::precondition(server_available))

BOOST_AUTO_TEST_CASE(create_index_concurrently_applies) {
    scratch_db db;
    migrations_dir dir;
    dir.add("1_table", "CREATE TABLE t (id int); INSERT INTO t SELECT generate_series(1, 100);");
    dir.add("2_index",
            "CREATE INDEX CONCURRENTLY t_id_idx ON t (id);\nCREATE INDEX CONCURRENTLY t_id2_idx ON "
            "t ((id * 2));");
    const auto r = make_engine(db, dir).deploy();
    BOOST_TEST_REQUIRE(r.applied.size() == 2U);
    BOOST_TEST(!r.applied[1].transactional);
    BOOST_TEST(db.scalar("SELECT count(*) FROM pg_indexes WHERE tablename = 't'") == "2");
    BOOST_TEST(db.scalar("SELECT applied_steps_count || ' ' || (logs IS NULL) FROM "
                         "_prisma_migrations WHERE migration_name = '2_index'") == "1 true");
}

BOOST_AUTO_TEST_CASE(failure_leaves_a_blocking_row_until_resolved_rolled_back) {
    scratch_db db;
    migrations_dir dir;
    dir.add("1_t", "CREATE TABLE t (id int);");
    dir.add("2_idx",
            "-- ratchet:no-transaction\nCREATE INDEX CONCURRENTLY t_idx ON t (id);\nCREATE INDEX "
            "CONCURRENTLY bad_idx ON missing (id);");
    dir.add("3_after", "CREATE TABLE after_it (id int);");
    BOOST_TEST(error_code_of([&] { make_engine(db, dir).deploy(); }) == "P3018");
    BOOST_TEST(db.scalar("SELECT count(*) FROM pg_indexes WHERE indexname = 't_idx'") ==
               "1");  // half changed
    const auto logs =
        db.scalar("SELECT logs FROM _prisma_migrations WHERE migration_name = '2_idx'");
    BOOST_TEST_REQUIRE(logs.has_value());
    BOOST_TEST(logs->find("line 3") != std::string::npos, *logs);
    BOOST_TEST(logs->find("CREATE INDEX CONCURRENTLY bad_idx ON missing") != std::string::npos);

    // Blocks: P3009, naming the migration.
    try {
        make_engine(db, dir).deploy();
        BOOST_FAIL("expected P3009");
    } catch (const ratchet::error& e) {
        BOOST_TEST(e.code_name() == "P3009");
        BOOST_TEST(std::string{e.what()}.find("The `2_idx` migration started at ") !=
                   std::string::npos);
    }
    // The operator cleans up by hand, fixes the file and marks it rolled back.
    db.exec("DROP INDEX t_idx");
    dir.add("2_idx", "-- ratchet:no-transaction\nCREATE INDEX CONCURRENTLY t_idx ON t (id);");
    make_engine(db, dir).resolve_rolled_back("2_idx");
    const auto r = make_engine(db, dir).deploy();
    BOOST_TEST(r.applied.size() == 2U);
    BOOST_TEST(db.table_exists("after_it"));
}

BOOST_AUTO_TEST_CASE(failure_resolved_as_applied_after_a_manual_hotfix) {
    scratch_db db;
    migrations_dir dir;
    dir.add("1_t", "CREATE TABLE t (id int);");
    dir.add("2_idx", "CREATE INDEX CONCURRENTLY t_idx ON t (nope);");
    BOOST_TEST(error_code_of([&] { make_engine(db, dir).deploy(); }) == "P3018");
    db.exec("CREATE INDEX t_idx ON t (id)");  // the hotfix
    make_engine(db, dir).resolve_applied("2_idx");
    BOOST_TEST(make_engine(db, dir).deploy().applied.empty());
    BOOST_TEST(db.scalar("SELECT count(*) FROM _prisma_migrations WHERE migration_name = '2_idx' "
                         "AND rolled_back_at IS NOT NULL") == "1");
    BOOST_TEST(db.scalar("SELECT count(*) FROM _prisma_migrations WHERE migration_name = '2_idx' "
                         "AND finished_at IS NOT NULL") == "1");
}

BOOST_AUTO_TEST_CASE(vacuum_and_explicit_transactions_mix) {
    scratch_db db;
    migrations_dir dir;
    dir.add("1_mix",
            "CREATE TABLE m (id int);\nVACUUM m;\nBEGIN;\nINSERT INTO m VALUES (1);\nCOMMIT;");
    BOOST_TEST(make_engine(db, dir).deploy().applied.size() == 1U);
    BOOST_TEST(db.scalar("SELECT count(*) FROM m") == "1");
}

BOOST_AUTO_TEST_SUITE_END()
