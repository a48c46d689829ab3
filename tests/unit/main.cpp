#define BOOST_TEST_MODULE ratchet_unit_tests
#include <boost/test/unit_test.hpp>
