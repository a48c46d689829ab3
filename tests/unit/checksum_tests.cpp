// Checksums exactly as Prisma (prisma-compat §2): SHA-256 of the lossily decoded text.
#include "plan.hpp"
#include "utf8.hpp"

#include <ratchet/migration.hpp>

#include <boost/test/unit_test.hpp>

using namespace ratchet;
using ratchet::detail::checksum_matches;
using ratchet::detail::decode_utf8_lossy;

BOOST_AUTO_TEST_SUITE(checksums, *boost::unit_test::label("unit"))

BOOST_AUTO_TEST_CASE(empty_file_hashes_to_sha256_of_nothing) {
    BOOST_TEST(make_migration("m", "").checksum ==
               "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

BOOST_AUTO_TEST_CASE(bom_is_kept_in_text_and_checksum) {
    const auto m = make_migration("m", "\xEF\xBB\xBFSELECT 1;\n");
    BOOST_TEST(m.sql.substr(0, 3) == "\xEF\xBB\xBF");
    BOOST_TEST(m.checksum == "34b0bcbe990d70cd4adde7a8005ade4334f170e0625d767d78872a66515dec8a");
}

BOOST_AUTO_TEST_CASE(latin1_bytes_become_replacement_characters_before_hashing) {
    const auto m = make_migration("m", "caf\xE9");
    BOOST_TEST(m.sql == "caf\xEF\xBF\xBD");
    BOOST_TEST(m.checksum == "fb1552c13c0c349659055113e153971759608ad969bc9f4f67f4542c75ab98db");
}

BOOST_AUTO_TEST_CASE(lossy_decoding_replaces_maximal_subparts_like_whatwg) {
    BOOST_TEST(decode_utf8_lossy("\xF0\x9F\x98") == "\xEF\xBF\xBD");  // truncated 4-byte: one
    BOOST_TEST(decode_utf8_lossy("\xED\xA0\x80") ==
               "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
    BOOST_TEST(decode_utf8_lossy("\xE0\x80\xAF") ==
               "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong
    BOOST_TEST(decode_utf8_lossy("a\xF4\x90\x80\x80"
                                 "b") ==
               "a\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
               "b");                                                // above U+10FFFF
    BOOST_TEST(decode_utf8_lossy("caf\xC3\xA9") == "caf\xC3\xA9");  // valid stays
}

BOOST_AUTO_TEST_CASE(crlf_and_lf_conversions_match_both_ways) {
    const std::string crlf = "SELECT 1;\r\nSELECT 2;\r\n";
    const std::string lf = "SELECT 1;\nSELECT 2;\n";
    const std::string crlf_sum = "b5c23e54161ef79971fbb59224f4ebdb906e2a200ef2d888aadc2a5d22ece3a2";
    const std::string lf_sum = "82efb67f3010c6eb7ead02e4f6d9550633dbc1407f99aa487468e7b2567aebbc";
    BOOST_TEST(checksum_matches(lf, lf_sum));
    BOOST_TEST(checksum_matches(lf, crlf_sum));  // stored CRLF, file converted to LF
    BOOST_TEST(checksum_matches(crlf, lf_sum));  // stored LF, file converted to CRLF
    BOOST_TEST(checksum_matches(crlf, crlf_sum));
}

BOOST_AUTO_TEST_CASE(mixed_endings_trailing_newline_and_upper_case_do_not_match) {
    const std::string lf_sum = "82efb67f3010c6eb7ead02e4f6d9550633dbc1407f99aa487468e7b2567aebbc";
    // Stored from a file with mixed endings; the file is now all LF: no conversion matches.
    const std::string mixed_sum =
        "c00b2dcc9c99e6c56672652c84737a2dd2195598afd40ff2bdd1df4939a5324b";
    BOOST_TEST(!checksum_matches("SELECT 1;\nSELECT 2;\n", mixed_sum));
    BOOST_TEST(!checksum_matches("SELECT 1;\rSELECT 2;\r", lf_sum));
    BOOST_TEST(!checksum_matches("SELECT 1;\nSELECT 2;", lf_sum));
    std::string upper = lf_sum;
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    BOOST_TEST(!checksum_matches("SELECT 1;\nSELECT 2;\n", upper));
}

BOOST_AUTO_TEST_CASE(legacy_unpadded_checksums_match) {
    // Each byte as {:x} without zero padding: 58 characters for this script.
    BOOST_TEST(checksum_matches("SELECT 1;\n",
                                "b4e049784e46eabb8c31975b62152d551bac49c3c2e80932567b485dcd"));
}

BOOST_AUTO_TEST_CASE(loaded_migrations_compare_like_their_scripts) {
    // The plan compares a loaded migration through its precomputed checksum; the CRLF/LF and
    // legacy variants must still be accepted, and a different script must still be drift.
    const std::string lf_sum = "82efb67f3010c6eb7ead02e4f6d9550633dbc1407f99aa487468e7b2567aebbc";
    const std::string crlf_sum = "b5c23e54161ef79971fbb59224f4ebdb906e2a200ef2d888aadc2a5d22ece3a2";
    const auto lf = make_migration("m", "SELECT 1;\nSELECT 2;\n");
    const auto crlf = make_migration("m", "SELECT 1;\r\nSELECT 2;\r\n");
    BOOST_TEST(checksum_matches(lf, lf_sum));
    BOOST_TEST(checksum_matches(lf, crlf_sum));
    BOOST_TEST(checksum_matches(crlf, lf_sum));
    BOOST_TEST(checksum_matches(make_migration("m", "SELECT 1;\n"),
                                "b4e049784e46eabb8c31975b62152d551bac49c3c2e80932567b485dcd"));
    BOOST_TEST(!checksum_matches(make_migration("m", "SELECT 3;\n"), lf_sum));
}

BOOST_AUTO_TEST_SUITE_END()
