// The statement splitter must never split inside a string, comment or dollar-quoted body, and
// must find what cannot run in a transaction block.
#include "sql_lexer.hpp"

#include <ratchet/migration.hpp>

#include <boost/test/unit_test.hpp>

using namespace ratchet::detail;

namespace {
std::vector<std::string> texts(std::string_view sql) {
    std::vector<std::string> out;
    for (const auto& s : split_statements(sql)) out.emplace_back(s.text(sql));
    return out;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(sql_lexer, *boost::unit_test::label("unit"))

BOOST_AUTO_TEST_CASE(splits_plain_statements_and_drops_empty_ones) {
    BOOST_TEST(texts("CREATE TABLE a (x int);\n;;  SELECT 1 ;\n-- tail comment\n") ==
                   (std::vector<std::string>{"CREATE TABLE a (x int)", "SELECT 1"}),
               boost::test_tools::per_element());
    BOOST_TEST(texts("-- only a comment\n/* and another */").empty());
}

BOOST_AUTO_TEST_CASE(never_splits_inside_quotes_comments_or_dollar_quotes) {
    const std::string sql =
        "INSERT INTO t VALUES ('a;b', 'it''s; fine', E'back\\'slash;');\n"
        "SELECT \"odd;name\" FROM t; -- comment; with semicolon\n"
        "/* block; /* nested; */ still comment; */ SELECT 2;\n"
        "CREATE FUNCTION f() RETURNS int AS $body$ BEGIN RETURN 1; END; $body$ LANGUAGE plpgsql;\n"
        "DO $$ BEGIN PERFORM 1; END $$;\n"
        "SELECT $1abc, a$b FROM (SELECT 1 AS a$b, 2; ) q";
    const auto got = texts(sql);
    BOOST_TEST_REQUIRE(got.size() == 6U);
    BOOST_TEST(got[0].find("E'back\\'slash;'") != std::string::npos);
    BOOST_TEST(got[2] == "SELECT 2");
    BOOST_TEST(got[3].find("$body$ LANGUAGE plpgsql") != std::string::npos);
    BOOST_TEST(got[4] == "DO $$ BEGIN PERFORM 1; END $$");
}

BOOST_AUTO_TEST_CASE(keeps_begin_atomic_function_bodies_whole) {
    const std::string sql =
        "CREATE OR REPLACE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql\n"
        "BEGIN ATOMIC\n  SELECT CASE WHEN a > 0 THEN a ELSE 0 END + b;\nEND;\nSELECT 1;";
    const auto got = texts(sql);
    BOOST_TEST_REQUIRE(got.size() == 2U);
    BOOST_TEST(got[0].substr(got[0].size() - 3) == "END");
}

BOOST_AUTO_TEST_CASE(unterminated_string_is_one_statement_to_the_end) {
    BOOST_TEST(texts("SELECT 'abc; SELECT 2;").size() == 1U);
    BOOST_TEST(texts("SELECT $x$ abc; SELECT 2;").size() == 1U);
}

BOOST_AUTO_TEST_CASE(reports_line_and_column_of_each_statement) {
    const auto st = split_statements("SELECT 1;\n  -- c\n  SELECT é, 2; SELECT 3;");
    BOOST_TEST_REQUIRE(st.size() == 3U);
    BOOST_TEST(st[1].line == 3U);
    BOOST_TEST(st[1].column == 3U);
    BOOST_TEST(st[2].column == 16U);  // characters, not bytes
}

BOOST_AUTO_TEST_CASE(detects_statements_refused_in_a_transaction_block) {
    const std::vector<std::string> autocommit = {"CREATE INDEX CONCURRENTLY i ON t (x);",
                                                 "create unique index concurrently i on t(x)",
                                                 "DROP INDEX CONCURRENTLY i;",
                                                 "REINDEX TABLE CONCURRENTLY t;",
                                                 "REINDEX (VERBOSE) DATABASE d;",
                                                 "VACUUM t;",
                                                 "CREATE DATABASE d;",
                                                 "DROP DATABASE d;",
                                                 "ALTER SYSTEM SET work_mem = '8MB';",
                                                 "CREATE TABLESPACE s LOCATION '/x';",
                                                 "ALTER TABLE p DETACH PARTITION c CONCURRENTLY;",
                                                 "BEGIN; SELECT 1; COMMIT;",
                                                 "START TRANSACTION; COMMIT;"};
    for (const auto& sql : autocommit) {
        BOOST_TEST_CONTEXT(sql) {
            BOOST_TEST(!autocommit_reason(split_statements(sql)).empty());
        }
    }
    const std::vector<std::string> transactional = {
        "CREATE INDEX i ON t (x);",
        "SELECT 'CREATE INDEX CONCURRENTLY';",
        "-- VACUUM\nSELECT 1;",
        "DO $$ BEGIN COMMIT; END $$;",
        "CREATE TABLE concurrently (x int);",
        "REFRESH MATERIALIZED VIEW CONCURRENTLY v;",
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;"};
    for (const auto& sql : transactional) {
        BOOST_TEST_CONTEXT(sql) {
            BOOST_TEST(autocommit_reason(split_statements(sql)).empty());
        }
    }
}

BOOST_AUTO_TEST_CASE(reason_names_the_statement_and_line) {
    const auto m =
        ratchet::make_migration("m", "SELECT 1;\n\nCREATE INDEX CONCURRENTLY i ON t (x);\n");
    BOOST_TEST(m.needs_autocommit);
    BOOST_TEST(m.autocommit_reason == "CREATE INDEX CONCURRENTLY at line 3");
    BOOST_TEST(
        ratchet::make_migration("m", "-- ratchet:no-transaction\nSELECT 1;").needs_autocommit);
}

BOOST_AUTO_TEST_CASE(maps_server_character_positions_to_lines) {
    const std::string sql = "SELECT é;\nSELEC 2;";
    const auto byte = byte_of_char_position(sql, 11);  // 'S' of SELEC: 11th character
    BOOST_TEST(byte == 11U);
    const auto pos = position_of_byte(sql, byte);
    BOOST_TEST(pos.line == 2U);
    BOOST_TEST(pos.column == 1U);
}

BOOST_AUTO_TEST_SUITE_END()
