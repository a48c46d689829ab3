// ratchet_embed_migrations() compiles a directory into the binary; the compiled-in set must be
// exactly what ratchet::load_directory() reads from the same directory (names, order, text,
// checksums, readability, directives, lock file, warnings). The fixture (make_fixture.cpp)
// holds a BOM, CRLF, Latin-1 bytes, NUL bytes, an empty script, a hidden directory, a
// directory without migration.sql, symlinked and dangling directories and a ~5 MB script.
#define BOOST_TEST_MODULE ratchet_embed
#include <ratchet/ratchet.hpp>

#include <boost/test/unit_test.hpp>

#include <blog_migrations.hpp>
#include <empty_migrations.hpp>
#include <fixture_migrations.hpp>
#include <lock_only_migrations.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace {

std::vector<std::string> names_of(const ratchet::migration_set& s) {
    std::vector<std::string> out;
    for (const auto& m : s.migrations) out.push_back(m.name);
    return out;
}

void require_same(const ratchet::migration_set& embedded, const ratchet::migration_set& loaded) {
    BOOST_TEST(names_of(embedded) == names_of(loaded), boost::test_tools::per_element());
    BOOST_REQUIRE_EQUAL(embedded.migrations.size(), loaded.migrations.size());
    for (std::size_t i = 0; i < loaded.migrations.size(); ++i) {
        const auto& e = embedded.migrations[i];
        const auto& l = loaded.migrations[i];
        BOOST_TEST_CONTEXT("migration " << l.name) {
            BOOST_TEST(e.readable == l.readable);
            BOOST_TEST((e.sql == l.sql));  // not printed: megabytes, NUL bytes
            BOOST_TEST(e.sql.size() == l.sql.size());
            BOOST_TEST(e.checksum == l.checksum);
            BOOST_TEST(e.read_error.empty() == l.read_error.empty());
            BOOST_TEST(e.settings.no_transaction == l.settings.no_transaction);
            BOOST_TEST((e.settings.lock_timeout == l.settings.lock_timeout));
            BOOST_TEST((e.settings.statement_timeout == l.settings.statement_timeout));
            BOOST_TEST(e.needs_autocommit == l.needs_autocommit);
            BOOST_TEST(e.autocommit_reason == l.autocommit_reason);
        }
    }
    BOOST_TEST(embedded.lock_file.has_value() == loaded.lock_file.has_value());
    if (embedded.lock_file && loaded.lock_file)
        BOOST_TEST(*embedded.lock_file == *loaded.lock_file);
    BOOST_TEST(embedded.warnings.size() == loaded.warnings.size());
    BOOST_TEST(ratchet::migrations_hash(embedded) == ratchet::migrations_hash(loaded));
}

const ratchet::migration& get(const ratchet::migration_set& s, std::string_view name) {
    const auto* m = s.find(name);
    BOOST_REQUIRE_MESSAGE(m != nullptr, "no migration " << name);
    return *m;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(embed, *boost::unit_test::label("unit"))

BOOST_AUTO_TEST_CASE(tricky_fixture_equals_load_directory) {
    const auto embedded = embed_test::fixture_migrations();
    const auto loaded = ratchet::load_directory(RATCHET_EMBED_FIXTURE);
    require_same(embedded, loaded);
    BOOST_TEST(embedded.origin == "embedded:fixture_migrations");
    BOOST_TEST(embedded.migrations.size() == 15U);
}

BOOST_AUTO_TEST_CASE(tricky_content_survives) {
    const auto s = embed_test::fixture_migrations();
    BOOST_TEST(get(s, "20240102000000_bom").sql.starts_with("\xEF\xBB\xBF"));
    BOOST_TEST(get(s, "20240103000000_crlf").sql == "SELECT 1;\r\nSELECT 2;\r\n");
    BOOST_TEST(get(s, "20240104000000_latin1").sql.find("\xEF\xBF\xBD") != std::string::npos);
    const std::string_view nul{"SELECT 'a';\n\0\0-- after NUL \x01\x7f\n", 30};
    BOOST_TEST((get(s, "20240105000000_nul").sql == nul));
    BOOST_TEST(get(s, "20240106000000_empty_file").readable);
    BOOST_TEST(get(s, "20240106000000_empty_file").sql.empty());
    BOOST_TEST(!get(s, "20240107000000_no_script").readable);
    BOOST_TEST(!get(s, "20240108000000_script_is_dir").readable);
    BOOST_TEST(get(s, "20240109000000_big").sql.size() > 5'000'000U);
    BOOST_TEST(get(s, "20240110000000 with space").readable);
    BOOST_TEST(get(s, "20240111000000_$dollar#hash").readable);
    BOOST_TEST(get(s, "20240112000000_caf\xC3\xA9").readable);
    BOOST_TEST(get(s, "20240113000000_seven_bytes").sql == "SELECT;\n");
    BOOST_TEST(get(s, ".hidden").sql == "SELECT 'hidden';\n");
    BOOST_TEST(get(s, "20240114000000_symlinked_script").sql == "SELECT 'via symlink';\n");
    BOOST_TEST(s.find("20240115000000_symlinked_dir") == nullptr);
    BOOST_TEST(s.find("20240116000000_dangling") == nullptr);
    BOOST_TEST(s.find("README.md") == nullptr);
    BOOST_REQUIRE(s.lock_file.has_value());
    BOOST_TEST(*s.lock_file == "# lock\r\nprovider = \"postgresql\"\r\n");
    BOOST_TEST(!s.warnings.empty());  // the non-ASCII name
}

BOOST_AUTO_TEST_CASE(empty_directory_equals_load_directory) {
    const auto embedded = empty_migrations();
    require_same(embedded, ratchet::load_directory(RATCHET_EMBED_EMPTY));
    BOOST_TEST(embedded.migrations.empty());
    BOOST_TEST(!embedded.lock_file.has_value());
}

BOOST_AUTO_TEST_CASE(lock_file_only_equals_load_directory) {
    const auto embedded = lock_only_migrations();
    require_same(embedded, ratchet::load_directory(RATCHET_EMBED_LOCK_ONLY));
    BOOST_TEST(embedded.migrations.empty());
    BOOST_TEST(embedded.lock_file.has_value());
}

BOOST_AUTO_TEST_CASE(blog_example_equals_load_directory) {
    const auto embedded = blog_migrations();
    require_same(embedded, ratchet::load_directory(RATCHET_EMBED_BLOG));
    BOOST_TEST(embedded.migrations.size() == 3U);
}

BOOST_AUTO_TEST_SUITE_END()
