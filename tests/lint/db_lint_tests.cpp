// The database-aware pass on a real server: only pending migrations, new/empty tables not at
// risk, existing tables with size, row estimate and a worst-case time.
#if __has_include("support/scratch_db.hpp")
#    include "support/scratch_db.hpp"  // ratchet_test_support
#else
#    include "../db/scratch_db.hpp"
#endif

#include <ratchet/lint.hpp>
#include <ratchet/ratchet.hpp>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <map>

namespace lint = ratchet::lint;
using ratchet_test::migrations_dir;
using ratchet_test::scratch_db;

namespace {

const lint::finding* find(const std::vector<lint::finding>& fs, std::string_view rule,
                          std::string_view table, std::string_view column = {}) {
    for (const auto& f : fs) {
        if (f.rule == rule && f.table == table && (column.empty() || f.column_name == column))
            return &f;
    }
    return nullptr;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(lint_db, *boost::unit_test::precondition(ratchet_test::server_available))

BOOST_AUTO_TEST_CASE(the_same_statement_on_a_new_an_empty_and_a_large_existing_table) {
    scratch_db db;
    migrations_dir dir;
    dir.add("20240101000000_init",
            "CREATE TABLE \"Post\" (\"id\" BIGSERIAL PRIMARY KEY, \"title\" TEXT, \"body\" TEXT);\n"
            "CREATE TABLE \"Empty\" (\"id\" BIGSERIAL PRIMARY KEY, \"a\" TEXT);\n");
    dir.add("20240102000000_retype",
            "ALTER TABLE \"Post\" ALTER COLUMN \"title\" TYPE varchar(300);\n");
    {
        ratchet::options o;
        o.url = db.url();
        o.migrations = dir.load();
        ratchet::engine{std::move(o)}.deploy();
    }
    db.exec(
        "INSERT INTO \"Post\" (\"title\", \"body\") SELECT 'title ' || g, repeat('x', 200) "
        "FROM generate_series(1, 20000) g; "
        "ALTER TABLE \"Post\" ADD CONSTRAINT \"body_nn\" CHECK (\"body\" IS NOT NULL); ANALYZE "
        "\"Post\"");
    dir.add("20240103000000_fresh",
            "CREATE TABLE \"Fresh\" (\"id\" BIGSERIAL PRIMARY KEY, \"a\" TEXT);\n");
    dir.add("20240104000000_indexes",
            "SET lock_timeout = '5s';\n"
            "CREATE INDEX \"Post_title_idx\" ON \"Post\" (\"title\");\n"
            "CREATE INDEX \"Empty_a_idx\" ON \"Empty\" (\"a\");\n"
            "CREATE INDEX \"Fresh_a_idx\" ON \"Fresh\" (\"a\");\n"
            "ALTER TABLE \"Post\" ALTER COLUMN \"title\" SET NOT NULL;\n"
            "ALTER TABLE \"Post\" ALTER COLUMN \"body\" SET NOT NULL;\n");
    const auto set = dir.load();

    // Without the database every index is suspect (and the applied migration is linted too).
    const auto statically = lint::lint_migrations(set, {});
    BOOST_TEST(find(statically, "require-concurrent-index-creation", "Post") != nullptr);
    BOOST_TEST(find(statically, "require-concurrent-index-creation", "Empty") != nullptr);
    BOOST_TEST(find(statically, "require-concurrent-index-creation", "Fresh") != nullptr);
    BOOST_TEST(find(statically, "changing-column-type", "Post") != nullptr);

    lint::options o;
    o.url = db.url();
    const auto r = lint::lint_pending(set, o);
    BOOST_TEST(
        r.pending == (std::vector<std::string>{"20240103000000_fresh", "20240104000000_indexes"}),
        boost::test_tools::per_element());
    BOOST_TEST(r.server_version >= 110000);
    BOOST_TEST(find(r.findings, "changing-column-type", "Post") == nullptr);  // applied
    BOOST_TEST(find(r.findings, "require-concurrent-index-creation", "Empty") == nullptr);  // empty
    BOOST_TEST(find(r.findings, "require-concurrent-index-creation", "Fresh") == nullptr);  // new
    const auto* post = find(r.findings, "require-concurrent-index-creation", "Post");
    BOOST_TEST_REQUIRE(post != nullptr);
    BOOST_TEST_REQUIRE(post->risk.has_value());
    BOOST_TEST(post->risk->exists);
    BOOST_TEST(!post->risk->empty);
    BOOST_TEST(post->risk->rows == 20000);
    BOOST_TEST(post->risk->bytes > 4'000'000);
    BOOST_TEST(post->risk->effect == "index build");
    BOOST_TEST(post->risk->worst_case_seconds > 0.0);
    BOOST_TEST((post->level == lint::severity::error));
    const auto human = lint::format_human(r.findings, "migrations", false);
    BOOST_TEST(human.find("risk: \"Post\": ") != std::string::npos, human);
    // SET NOT NULL: a scan, except where a validated CHECK (col IS NOT NULL) exists (PG 12+).
    BOOST_TEST(find(r.findings, "setting-not-null", "Post", "title") != nullptr);
    BOOST_TEST(find(r.findings, "setting-not-null", "Post", "body") == nullptr);
}

// changing-column-type with the column's current type from the catalogue: old -> new, and
// whether PostgreSQL rewrites (binary-coercible changes only touch the catalogue).
BOOST_AUTO_TEST_CASE(column_type_changes_name_the_old_type_and_say_whether_they_rewrite) {
    scratch_db db;
    migrations_dir dir;
    dir.add("20240101000000_init",
            "CREATE TABLE \"Item\" (\"id\" INTEGER PRIMARY KEY, \"name\" VARCHAR(100), \"code\" "
            "VARCHAR(100), \"note\" VARCHAR(100), \"tag\" VARCHAR(100), \"price\" NUMERIC(10,2), "
            "\"cost\" NUMERIC(10,2), \"body\" TEXT);\n"
            "INSERT INTO \"Item\" SELECT g, 'n', 'c', 'o', 't', 1, 2, 'b' FROM generate_series(1, "
            "1000) g;\n");
    {
        ratchet::options o;
        o.url = db.url();
        o.migrations = dir.load();
        ratchet::engine{std::move(o)}.deploy();
    }
    dir.add("20240102000000_retype",
            "SET lock_timeout = '5s';\n"
            "ALTER TABLE \"Item\" ALTER COLUMN \"name\" TYPE VARCHAR(300);\n"
            "ALTER TABLE \"Item\" ALTER COLUMN \"code\" TYPE TEXT;\n"
            "ALTER TABLE \"Item\" ALTER COLUMN \"note\" TYPE VARCHAR(50);\n"
            "ALTER TABLE \"Item\" ALTER COLUMN \"tag\" TYPE TEXT USING lower(\"tag\");\n"
            "ALTER TABLE \"Item\" ALTER COLUMN \"price\" TYPE NUMERIC(12,2);\n"
            "ALTER TABLE \"Item\" ALTER COLUMN \"cost\" TYPE NUMERIC(12,3);\n"
            "ALTER TABLE \"Item\" ALTER COLUMN \"id\" SET DATA TYPE BIGINT;\n"
            "ALTER TABLE \"Item\" ALTER COLUMN \"body\" TYPE VARCHAR;\n");
    const auto set = dir.load();

    // Without the database: today's message, the new type only.
    const auto statically = lint::lint_migrations(set, {});
    const auto* plain = find(statically, "changing-column-type", "Item", "name");
    BOOST_TEST_REQUIRE(plain != nullptr);
    BOOST_TEST(plain->message.find("changed to varchar(300): most type changes rewrite") !=
               std::string::npos);

    lint::options o;
    o.url = db.url();
    const auto r = lint::lint_pending(set, o);
    // The server's own answer: does the statement give the table a new file?
    const auto server_rewrites = [&](const char* column, const std::string& alter) {
        db.exec(
            "SET client_min_messages = warning; DROP TABLE IF EXISTS probe; CREATE TABLE probe AS "
            "SELECT * FROM \"Item\"");
        const auto before = db.scalar("SELECT pg_relation_filenode('probe')");
        db.exec("ALTER TABLE probe ALTER COLUMN \"" + std::string{column} + "\" " + alter);
        return db.scalar("SELECT pg_relation_filenode('probe')") != before;
    };
    const std::map<std::string, std::string> alters{
        {"name", "TYPE VARCHAR(300)"},   {"code", "TYPE TEXT"},
        {"note", "TYPE VARCHAR(50)"},    {"tag", "TYPE TEXT USING lower(\"tag\")"},
        {"price", "TYPE NUMERIC(12,2)"}, {"cost", "TYPE NUMERIC(12,3)"},
        {"id", "SET DATA TYPE BIGINT"},  {"body", "TYPE VARCHAR"}};
    const auto check = [&](const char* column, const std::string& change, bool rewrites) {
        BOOST_TEST(server_rewrites(column, alters.at(column)) == rewrites, column);
        const auto* f = find(r.findings, "changing-column-type", "Item", column);
        BOOST_TEST_REQUIRE(f != nullptr, column);
        BOOST_TEST_REQUIRE(f->risk.has_value());
        BOOST_TEST(f->message.find(change) != std::string::npos, f->message);
        BOOST_TEST(f->risk->effect == (rewrites ? "rewrite" : "metadata"), column);
        BOOST_TEST((f->level == (rewrites ? lint::severity::error : lint::severity::info)), column);
        BOOST_TEST((f->risk->worst_case_seconds > 0) == rewrites, column);
        BOOST_TEST(
            f->message.find(rewrites ? "rewrites the table" : "metadata-only") != std::string::npos,
            f->message);
    };
    check("name", "character varying(100) -> character varying(300)", false);
    check("code", "character varying(100) -> text", false);
    check("note", "character varying(100) -> character varying(50)", true);
    check("tag",
          "character varying(100) -> text: rewrites the table and its indexes under ACCESS "
          "EXCLUSIVE (USING expression)",
          true);
    check("price", "numeric(10,2) -> numeric(12,2)", false);
    check("cost", "numeric(10,2) -> numeric(12,3)", true);
    check("id", "integer -> bigint", true);
    check("body", "text -> character varying", false);
    // The metadata-only ones no longer stop `deploy --lint=error`; the rewrites still do.
    BOOST_TEST(lint::has_errors(r.findings));
    const auto human = lint::format_human(r.findings, "migrations", false);
    BOOST_TEST(human.find("integer -> bigint") != std::string::npos, human);
}

BOOST_AUTO_TEST_CASE(a_bad_url_is_invalid_input_and_never_shows_the_password) {
    migrations_dir dir;
    dir.add("20240101000000_init", "CREATE TABLE t (id bigint);\n");
    lint::options o;
    o.url = "postgresql://u:sup3rsecret@127.0.0.1:1/db?connect_timeout=2";
    try {
        (void)lint::lint_pending(dir.load(), o);
        BOOST_FAIL("no error");
    } catch (const ratchet::error& e) {
        BOOST_TEST(std::string{e.what()}.find("sup3rsecret") == std::string::npos);
    }
}

BOOST_AUTO_TEST_SUITE_END()
