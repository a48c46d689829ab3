#define BOOST_TEST_MODULE ratchet_fleet_tests
#include <boost/test/unit_test.hpp>
