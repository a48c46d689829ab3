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
