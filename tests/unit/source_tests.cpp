// Discovery exactly as the Prisma CLI lists a migrations directory (prisma-compat §1), the
// migrations hash, and compiled-in sources equal to directory sources.
#include <ratchet/error.hpp>
#include <ratchet/migration.hpp>

#include <boost/test/unit_test.hpp>

#include "../support/printing.hpp"

#include <unistd.h>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace {

struct temp_dir {
    fs::path path;
    temp_dir() {
        path = fs::temp_directory_path() /
               ("ratchet_unit_" + std::to_string(::getpid()) + "_" + std::to_string(counter()++));
        fs::create_directories(path);
    }
    ~temp_dir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    static int& counter() {
        static int n = 0;
        return n;
    }
    void write(const fs::path& rel, std::string_view content) const {
        fs::create_directories((path / rel).parent_path());
        std::ofstream{path / rel, std::ios::binary} << content;
    }
};

std::vector<std::string> names_of(const ratchet::migration_set& s) {
    std::vector<std::string> out;
    for (const auto& m : s.migrations) out.push_back(m.name);
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(source, *boost::unit_test::label("unit"))

BOOST_AUTO_TEST_CASE(only_real_directories_count_hidden_ones_too) {
    temp_dir d;
    d.write("2_b/migration.sql", "SELECT 2;");
    d.write("1_a/migration.sql", "SELECT 1;");
    d.write(".hidden/migration.sql", "SELECT 0;");
    d.write("README.md", "not a migration");
    d.write("foo.sql", "not a migration");
    d.write("migration_lock.toml", "provider = \"postgresql\"\n");
    fs::create_directories(d.path / "3_empty");
    d.write("elsewhere/real/migration.sql", "SELECT 9;");
    fs::create_directory_symlink(d.path / "elsewhere" / "real", d.path / "4_symlinked");
    fs::remove_all(d.path / "elsewhere");
    fs::create_directories(d.path / "5_target");
    d.write("5_target/migration.sql", "SELECT 5;");
    fs::create_directory_symlink(d.path / "5_target", d.path / "6_link_to_dir");

    const auto set = ratchet::load_directory(d.path);
    BOOST_TEST(
        names_of(set) == (std::vector<std::string>{".hidden", "1_a", "2_b", "3_empty", "5_target"}),
        boost::test_tools::per_element());
    BOOST_TEST(set.lock_file.value() == "provider = \"postgresql\"\n");
    const auto* empty = set.find("3_empty");
    BOOST_TEST_REQUIRE(empty != nullptr);
    BOOST_TEST(!empty->readable);  // an error only when it must be read (P3015/P3017)
    BOOST_TEST(set.find("1_a")->sql == "SELECT 1;");
}

BOOST_AUTO_TEST_CASE(missing_directory_is_an_empty_set_like_prisma) {
    const auto set = ratchet::load_directory("/nonexistent/ratchet/migrations");
    BOOST_TEST(set.migrations.empty());
    BOOST_TEST(!set.lock_file.has_value());
}

BOOST_AUTO_TEST_CASE(oversized_script_is_a_clear_error_before_anything_runs) {
    temp_dir d;
    d.write("1_big/migration.sql", std::string(2048, 'x'));
    try {
        (void)ratchet::load_directory(d.path, {.max_script_bytes = 1024});
        BOOST_FAIL("expected an error");
    } catch (const ratchet::error& e) {
        BOOST_TEST((e.code() == ratchet::errc::invalid_input));
        BOOST_TEST(std::string{e.what()}.find("1_big/migration.sql is 2048 bytes") !=
                   std::string::npos);
        BOOST_TEST(e.migration() == "1_big");
    }
}

BOOST_AUTO_TEST_CASE(migrations_hash_follows_the_documented_definition) {
    temp_dir d;
    BOOST_TEST(ratchet::migrations_hash(ratchet::load_directory(d.path)) ==
               "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    d.write("b/migration.sql", "SELECT 2;");
    d.write("a/migration.sql", "caf\xE9");
    fs::create_directories(d.path / "c");
    // sha256("a\n" + sha256("caf\uFFFD") + "\nb\n" + sha256("SELECT 2;") + "\nc\n\n"), by Python.
    BOOST_TEST(ratchet::migrations_hash(ratchet::load_directory(d.path)) ==
               "8b1344d44f8ac12a85053a391e14855f7a1918dd50d29222d5c6eccfcf7e9b1a");
}

BOOST_AUTO_TEST_CASE(embedded_source_equals_directory_source) {
    temp_dir d;
    d.write("20240101_a/migration.sql", "\xEF\xBB\xBFSELECT 1;\r\n");
    d.write("20240102_B/migration.sql", "caf\xE9;");
    fs::create_directories(d.path / "20240103_none");
    d.write("migration_lock.toml", "provider = \"postgresql\"");
    const ratchet::embedded_file files[] = {
        {"20240103_none", "", false},
        {"20240102_B", "caf\xE9;", true},
        {"20240101_a", "\xEF\xBB\xBFSELECT 1;\r\n", true},
    };
    const auto embedded = ratchet::from_embedded(files, 3, "provider = \"postgresql\"", "embedded");
    const auto loaded = ratchet::load_directory(d.path);
    BOOST_TEST(names_of(embedded) == names_of(loaded), boost::test_tools::per_element());
    for (std::size_t i = 0; i < loaded.migrations.size(); ++i) {
        BOOST_TEST(embedded.migrations[i].sql == loaded.migrations[i].sql);
        BOOST_TEST(embedded.migrations[i].checksum == loaded.migrations[i].checksum);
        BOOST_TEST(embedded.migrations[i].readable == loaded.migrations[i].readable);
    }
    BOOST_TEST(ratchet::migrations_hash(embedded) == ratchet::migrations_hash(loaded));
    BOOST_TEST(embedded.lock_file == loaded.lock_file);
}

BOOST_AUTO_TEST_SUITE_END()
