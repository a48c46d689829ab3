// Better than Prisma: a migration and its history row commit together or not at all.
#include "db_test.hpp"

#include <thread>

using namespace ratchet_test;
namespace utf = boost::unit_test;

BOOST_AUTO_TEST_SUITE(transactional_apply, *utf::label("db") * utf::precondition(server_available))

BOOST_AUTO_TEST_CASE(failing_migration_leaves_nothing_and_does_not_block_after_the_fix) {
    scratch_db db;
    migrations_dir dir;
    dir.add("1_ok", "CREATE TABLE ok (id int);");
    dir.add("2_bad",
            "CREATE TABLE half (id int);\nINSERT INTO half VALUES (1);\n\n  SELECT * FROM "
            "nope;\nCREATE TABLE never (id int);");
    dir.add("3_later", "CREATE TABLE later (id int);");
    try {
        make_engine(db, dir).deploy();
        BOOST_FAIL("expected P3018");
    } catch (const ratchet::error& e) {
        BOOST_TEST(e.code_name() == "P3018");
        BOOST_TEST(e.sqlstate() == "42P01");
        BOOST_TEST(e.migration() == "2_bad");
        const std::string text = e.what();
        BOOST_TEST(text.find("Migration name: 2_bad") != std::string::npos);
        BOOST_TEST(text.find("Database error code: 42P01") != std::string::npos);
        BOOST_TEST(text.find("relation \"nope\" does not exist") != std::string::npos);
        BOOST_TEST(text.find("2_bad/migration.sql line 4, column 17") != std::string::npos, text);
    }
    BOOST_TEST(db.table_exists("ok"));      // earlier migrations stay applied
    BOOST_TEST(!db.table_exists("half"));   // nothing of the failed one remains
    BOOST_TEST(!db.table_exists("later"));  // stop at the first failure
    const auto rows = db.rows(
        "SELECT finished_at IS NULL, rolled_back_at IS NOT NULL, logs, applied_steps_count "
        "FROM _prisma_migrations WHERE migration_name = '2_bad'");
    BOOST_TEST_REQUIRE(rows.size() == 1U);  // the evidence is kept...
    BOOST_TEST(*rows[0][0] == "t");
    BOOST_TEST(*rows[0][1] == "t");  // ...as a rolled-back row, which does not block
    BOOST_TEST(rows[0][2]->find("Database error code: 42P01") != std::string::npos);
    BOOST_TEST(*rows[0][3] == "0");

    dir.add("2_bad", "CREATE TABLE half (id int);");
    const auto r = make_engine(db, dir).deploy();
    BOOST_TEST(r.applied.size() == 2U);
    BOOST_TEST(db.table_exists("half"));
    BOOST_TEST(db.table_exists("later"));
}

BOOST_AUTO_TEST_CASE(error_without_a_server_position_names_the_failing_statement) {
    scratch_db db;
    migrations_dir dir;
    dir.add("1_dup",
            "CREATE TABLE u (id int PRIMARY KEY);\nINSERT INTO u VALUES (1);\nINSERT INTO u VALUES "
            "(1);\n");
    try {
        make_engine(db, dir).deploy();
        BOOST_FAIL("expected P3018");
    } catch (const ratchet::error& e) {
        BOOST_TEST(e.sqlstate() == "23505");
        BOOST_TEST(
            std::string{e.what()}.find("line 3, column 1 (statement 3)") != std::string::npos,
            e.what());
    }
}

BOOST_AUTO_TEST_CASE(script_with_its_own_begin_commit_runs_outside_our_transaction) {
    scratch_db db;
    migrations_dir dir;
    dir.add(
        "1_own_tx",
        "BEGIN;\nCREATE TABLE t1 (id int);\nCOMMIT;\nBEGIN;\nCREATE TABLE t2 (id int);\nCOMMIT;\n");
    const auto r = make_engine(db, dir).deploy();
    BOOST_TEST_REQUIRE(r.applied.size() == 1U);
    BOOST_TEST(!r.applied[0].transactional);
    BOOST_TEST(db.table_exists("t1"));
    BOOST_TEST(db.table_exists("t2"));
    BOOST_TEST(db.scalar("SELECT applied_steps_count FROM _prisma_migrations") == "1");
}

BOOST_AUTO_TEST_CASE(dollar_quoted_bodies_and_comments_are_sent_unchanged) {
    scratch_db db;
    migrations_dir dir;
    dir.add("1_fn",
            "-- a comment; with a semicolon\nCREATE FUNCTION f() RETURNS int AS $$\nBEGIN\n  "
            "RETURN 1; -- inner;\nEND;\n$$ LANGUAGE plpgsql;\n");
    make_engine(db, dir).deploy();
    BOOST_TEST(db.scalar("SELECT f()") == "1");
}

BOOST_AUTO_TEST_CASE(a_bom_reaches_the_server_like_native_prisma) {
    scratch_db db;
    migrations_dir dir;
    dir.add("1_bom",
            "\xEF\xBB\xBF"
            "CREATE TABLE bom (id int);");
    BOOST_TEST(error_code_of([&] { make_engine(db, dir).deploy(); }) == "P3018");
}

BOOST_AUTO_TEST_CASE(empty_and_comment_only_scripts_succeed) {
    scratch_db db;
    migrations_dir dir;
    dir.add("1_empty", "");
    dir.add("2_comments", "-- nothing to do\n/* really */\n");
    BOOST_TEST(make_engine(db, dir).deploy().applied.size() == 2U);
}

BOOST_AUTO_TEST_CASE(migration_lock_timeout_retries_then_applies_once_the_blocker_leaves) {
    scratch_db db;
    migrations_dir dir;
    dir.add("0_busy", "CREATE TABLE busy (id int);");
    make_engine(db, dir).deploy();
    dir.add("1_alter", "-- ratchet:lock-timeout=100ms\nALTER TABLE busy ADD COLUMN x int;");
    session blocker{db.url()};
    blocker.exec("BEGIN; LOCK TABLE busy IN ACCESS SHARE MODE");
    // Without retries: fails fast on 55P03, nothing applied, nothing blocking.
    try {
        make_engine(db, dir).deploy();
        BOOST_FAIL("expected a lock timeout");
    } catch (const ratchet::error& e) {
        BOOST_TEST(e.sqlstate() == "55P03", e.what());
    }
    BOOST_TEST(db.scalar("SELECT count(*) FROM _prisma_migrations WHERE migration_name = '1_alter' "
                         "AND rolled_back_at IS NULL") == "0");
    // With retries: the blocker commits while ratchet backs off.
    std::thread release{[&] {
        std::this_thread::sleep_for(std::chrono::milliseconds{400});
        blocker.exec("COMMIT");
    }};
    captured_log log;
    const auto r = make_engine(db, dir,
                               {.lock_retries = 10,
                                .lock_retry_backoff = std::chrono::milliseconds{100},
                                .on_log = log.sink()})
                       .deploy();
    release.join();
    BOOST_TEST(r.applied.size() == 1U);
    BOOST_TEST(log.contains("hit lock_timeout"));
    BOOST_TEST(db.scalar("SELECT count(*) FROM information_schema.columns WHERE table_name = "
                         "'busy' AND column_name = 'x'") == "1");
}

BOOST_AUTO_TEST_CASE(deadline_cancels_the_running_statement_and_rolls_back) {
    scratch_db db;
    migrations_dir dir;
    dir.add("1_slow", "CREATE TABLE slow (id int);\nSELECT pg_sleep(30);");
    const auto deadline = std::chrono::system_clock::now() + std::chrono::milliseconds{800};
    try {
        make_engine(db, dir, {.deadline = deadline}).deploy();
        BOOST_FAIL("expected deadline_exceeded");
    } catch (const ratchet::error& e) {
        BOOST_TEST(e.code_name() == "deadline_exceeded");
        BOOST_TEST(e.migration() == "1_slow");
        BOOST_TEST(e.retryable());
    }
    BOOST_TEST(!db.table_exists("slow"));
    BOOST_TEST(db.scalar("SELECT count(*) FROM _prisma_migrations WHERE rolled_back_at IS NULL") ==
               "0");
}

BOOST_AUTO_TEST_SUITE_END()
