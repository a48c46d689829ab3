// migration_lock.toml exactly as Prisma's error_on_changed_provider (prisma-compat §1).
#include "plan.hpp"

#include <ratchet/error.hpp>

#include <boost/test/unit_test.hpp>

#include "../support/printing.hpp"

using ratchet::detail::lock_file_mismatch;

BOOST_AUTO_TEST_SUITE(lock_file, *boost::unit_test::label("unit"))

BOOST_AUTO_TEST_CASE(accepted_variants) {
    BOOST_TEST(!lock_file_mismatch(std::nullopt));  // no file: no check
    BOOST_TEST(!lock_file_mismatch(std::string{"# comment\r\nprovider = \"postgresql\"\r\n"}));
    BOOST_TEST(!lock_file_mismatch(std::string{"provider = postgresql"}));
}

BOOST_AUTO_TEST_CASE(rejected_variants_report_what_prisma_reports) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"", "<PROVIDER NOT FOUND>"},
        {"  provider = \"postgresql\"", "<PROVIDER NOT FOUND>"},
        {"provider=\"postgresql\"", "provider=\"postgresql"},
        {"provider = \"postgresql\" # c", "postgresql\" # c"},
        {"provider = \"postgresql\"  ", "postgresql\"  "},
        {"provider = 'postgresql'", "'postgresql'"},
        {"provider = \"postgres\"", "postgres"},
        {"provider = \"cockroachdb\"", "cockroachdb"},
        {"providerx = \"mysql\"\nprovider = \"postgresql\"", "providerx = \"mysql"},
    };
    for (const auto& [content, found] : cases) {
        const auto got = lock_file_mismatch(content);
        BOOST_TEST_CONTEXT("content: " << content) {
            BOOST_TEST_REQUIRE(got.has_value());
            BOOST_TEST(*got == found);
        }
    }
}

BOOST_AUTO_TEST_CASE(mismatch_is_p3019_with_prisma_text) {
    ratchet::migration_set set;
    set.lock_file = "provider = \"mysql\"";
    try {
        ratchet::detail::check_lock_file(set);
        BOOST_FAIL("expected P3019");
    } catch (const ratchet::error& e) {
        BOOST_TEST(e.code_name() == "P3019");
        BOOST_TEST(std::string{e.what()}.find("does not match the one specified in the "
                                              "migration_lock.toml, `mysql`") != std::string::npos);
    }
}

BOOST_AUTO_TEST_SUITE_END()
