// Prisma's ordering of migration directories (prisma-compat §1): ICU root collation for ASCII.
#include "collation.hpp"

#include <ratchet/migration.hpp>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <random>

BOOST_AUTO_TEST_SUITE(collation, *boost::unit_test::label("unit"))

// The order verified against Prisma 6.19 (localeCompare), non-ASCII name left out.
const std::vector<std::string> prisma_order = {"_u",
                                               "-v",
                                               ".hidden",
                                               "~t",
                                               "01_w",
                                               "1_x",
                                               "10_y",
                                               "2_z",
                                               "20240101000000_a",
                                               "20240101000000_A",
                                               "20240101000000_a_b",
                                               "20240101000000_ab",
                                               "20240101000000_b",
                                               "20240101000000_B",
                                               "20240101000000-dash",
                                               "a",
                                               "B",
                                               "with space",
                                               "Z"};

BOOST_AUTO_TEST_CASE(sorts_the_verified_prisma_example) {
    std::vector<std::string> names = prisma_order;
    std::mt19937 rng{42};
    for (int round = 0; round < 20; ++round) {
        std::shuffle(names.begin(), names.end(), rng);
        BOOST_TEST(ratchet::sort_like_prisma(names));
        BOOST_TEST(names == prisma_order, boost::test_tools::per_element());
    }
}

BOOST_AUTO_TEST_CASE(differs_from_byte_order_where_prisma_does) {
    BOOST_TEST(ratchet::detail::prisma_less("_u", "-v"));     // bytes: '-' < '_'
    BOOST_TEST(ratchet::detail::prisma_less("1_x", "10_y"));  // bytes: '0' < '_'
    BOOST_TEST(ratchet::detail::prisma_less("a", "B"));
    BOOST_TEST(!ratchet::detail::prisma_less("B", "a"));
}

BOOST_AUTO_TEST_CASE(case_decides_only_after_all_letters_compare_equal) {
    BOOST_TEST(ratchet::detail::prisma_less("ab", "AC"));
    BOOST_TEST(ratchet::detail::prisma_less("ab", "Ab"));
    BOOST_TEST(ratchet::detail::prisma_less("aB", "Ab"));     // first difference in case decides
    BOOST_TEST(ratchet::detail::prisma_less("abc", "ABCD"));  // shorter prefix first
}

BOOST_AUTO_TEST_CASE(non_ascii_names_sort_after_ascii_and_report_it) {
    std::vector<std::string> names = {"\xC3\xA9_accent", "z", "a"};
    BOOST_TEST(!ratchet::sort_like_prisma(names));
    BOOST_TEST(names == (std::vector<std::string>{"a", "z", "\xC3\xA9_accent"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(the_usual_timestamp_names_sort_chronologically) {
    std::vector<std::string> names = {"20240301000000_c", "20240101000000_a", "20240201000000_b"};
    ratchet::sort_like_prisma(names);
    BOOST_TEST(names.front() == "20240101000000_a");
    BOOST_TEST(names.back() == "20240301000000_c");
}

BOOST_AUTO_TEST_SUITE_END()
