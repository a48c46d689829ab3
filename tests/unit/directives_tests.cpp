// `-- ratchet:` directives in the leading comment block (migrations-format.md).
#include "directives.hpp"

#include <ratchet/error.hpp>
#include <ratchet/options.hpp>

#include <boost/test/unit_test.hpp>

#include "../support/printing.hpp"

using ratchet::detail::parse_directives;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(directives, *boost::unit_test::label("unit"))

BOOST_AUTO_TEST_CASE(reads_directives_from_the_leading_comment_block) {
    const auto d = parse_directives(
        "m",
        "\xEF\xBB\xBF-- A comment\n\n-- ratchet:no-transaction\n"
        "--ratchet:lock-timeout=5s\n-- ratchet:statement-timeout = 2min\nSELECT 1;");
    BOOST_TEST(d.no_transaction);
    BOOST_TEST(d.lock_timeout.value().count() == 5000);
    BOOST_TEST(d.statement_timeout.value().count() == 120000);
}

BOOST_AUTO_TEST_CASE(ignores_directives_after_the_first_statement) {
    const auto d = parse_directives("m", "SELECT 1;\n-- ratchet:no-transaction\n");
    BOOST_TEST(!d.no_transaction);
}

BOOST_AUTO_TEST_CASE(unknown_directive_names_file_and_line) {
    try {
        (void)parse_directives("20240101_x", "-- hello\n-- ratchet:no-transction\n");
        BOOST_FAIL("expected an error");
    } catch (const ratchet::error& e) {
        BOOST_TEST((e.code() == ratchet::errc::invalid_input));
        BOOST_TEST(std::string{e.what()}.find("20240101_x/migration.sql line 2") !=
                   std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(lint_suppressions_are_left_to_the_linter) {
    // A deploy must accept what `ratchet lint` accepts: the linter validates these lines.
    const auto d = parse_directives("m",
                                    "-- ratchet:lint-ignore ban-drop-table archived in 2023\n"
                                    "-- ratchet:no-transaction\nDROP TABLE legacy;");
    BOOST_TEST(d.no_transaction);
    BOOST_CHECK_THROW(parse_directives("m", "-- ratchet:lint-ignored x y\n"), ratchet::error);
}

BOOST_AUTO_TEST_CASE(bad_duration_is_an_error) {
    BOOST_CHECK_THROW(parse_directives("m", "-- ratchet:lock-timeout=soon\n"), ratchet::error);
}

BOOST_AUTO_TEST_CASE(durations_as_users_write_them) {
    BOOST_TEST(ratchet::parse_duration("500ms").value() == 500ms);
    BOOST_TEST(ratchet::parse_duration("10s").value() == 10s);
    BOOST_TEST(ratchet::parse_duration("10").value() == 10s);
    BOOST_TEST(ratchet::parse_duration("2min").value() == 2min);
    BOOST_TEST(ratchet::parse_duration("1.5s").value() == 1500ms);
    BOOST_TEST(!ratchet::parse_duration("ten").has_value());
    BOOST_TEST(!ratchet::parse_duration("-1s").has_value());
    BOOST_TEST(!ratchet::parse_duration("5 parsecs").has_value());
}

BOOST_AUTO_TEST_SUITE_END()
