#define BOOST_TEST_MODULE ratchet_lint_tests
#include <boost/test/unit_test.hpp>
