#define BOOST_TEST_MODULE ratchet_db_tests
#include <boost/test/unit_test.hpp>
