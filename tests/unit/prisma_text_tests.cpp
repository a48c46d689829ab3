// Timestamps as Prisma prints them in P3009 (chrono's UTC Display).
#include "prisma_text.hpp"

#include <boost/test/unit_test.hpp>

using namespace std::chrono;
using ratchet::detail::prisma_text::iso8601;
using ratchet::detail::prisma_text::utc_display;

BOOST_AUTO_TEST_SUITE(prisma_text, *boost::unit_test::label("unit"))

BOOST_AUTO_TEST_CASE(started_at_display_drops_zero_fractions) {
    const auto base = sys_days{2024y / 1 / 2} + 1h + 4min + 5s;
    BOOST_TEST(utc_display(time_point_cast<microseconds>(base)) == "2024-01-02 01:04:05 UTC");
    BOOST_TEST(utc_display(time_point_cast<microseconds>(base + 123456us)) ==
               "2024-01-02 01:04:05.123456 UTC");
    BOOST_TEST(utc_display(time_point_cast<microseconds>(base + 750ms)) ==
               "2024-01-02 01:04:05.750 UTC");
    BOOST_TEST(iso8601(time_point_cast<microseconds>(base + 7us)) == "2024-01-02T01:04:05.000007Z");
}

BOOST_AUTO_TEST_SUITE_END()
