// Lets BOOST_TEST print the types our assertions compare.
#pragma once

#include <ratchet/error.hpp>

#include <boost/test/unit_test.hpp>

#include <optional>
#include <ostream>
#include <string>

namespace boost::test_tools::tt_detail {

template <>
struct print_log_value<std::optional<std::string>> {
    void operator()(std::ostream& os, const std::optional<std::string>& v) {
        if (v) {
            os << '"' << *v << '"';
        } else {
            os << "NULL";
        }
    }
};

template <>
struct print_log_value<ratchet::errc> {
    void operator()(std::ostream& os, ratchet::errc c) { os << ratchet::code_name(c); }
};

}  // namespace boost::test_tools::tt_detail
