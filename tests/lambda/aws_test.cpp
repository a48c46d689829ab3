// The aws/ library on its own: the HTTP client's limits (schemes, deadlines), SigV4 header
// canonicalisation, Secrets Manager retries and endpoints. Loopback servers only.
#define BOOST_TEST_MODULE lambda_aws
#include "aws/aws_env.hpp"
#include "aws/http_client.hpp"
#include "aws/sigv4.hpp"
#include "http_server.hpp"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <cstdlib>

using namespace ratchet::lambda;
using ratchet::lambda::test::http_message;
using ratchet::lambda::test::http_reply;
using ratchet::lambda::test::http_server;
using std::chrono::milliseconds;

BOOST_AUTO_TEST_CASE(a_request_without_time_left_is_not_sent) {
    std::atomic<int> seen{0};
    http_server server([&](const http_message&) {
        ++seen;
        return http_reply{200, {}, "ok"};
    });
    http_request req;
    req.url = server.base_url() + "/secretsmanager";
    req.total_timeout = milliseconds{0};  // libcurl reads 0 as "no limit"
    BOOST_CHECK_THROW((void)http_send(req), http_transport_error);
    req.total_timeout = milliseconds{-5};
    BOOST_CHECK_THROW((void)http_send(req), http_transport_error);
    req.total_timeout = milliseconds{5'000};
    req.connect_timeout = milliseconds{0};
    BOOST_CHECK_THROW((void)http_send(req), http_transport_error);
    BOOST_TEST(seen == 0);
    req.connect_timeout = milliseconds{2'000};
    BOOST_TEST(http_send(req).status == 200);
}

BOOST_AUTO_TEST_CASE(header_values_collapse_every_whitespace_run_including_line_breaks) {
    sigv4::request req{"GET", "/", {}, {}, ""};
    req.headers = {{"Host", "example.amazonaws.com"},
                   {"My-Header1", "  a\r\n   b\tc  "},
                   {"My-Header2", "value\n\tcontinued"},
                   {"My-Header3", "\r\n x \r\n"}};
    sigv4::settings s{"us-east-1", "service", std::chrono::system_clock::time_point{std::chrono::seconds{1'440'938'160}}};
    const auto r = sigv4::sign_headers(req, {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""}, s);
    BOOST_TEST(r.canonical_request.find("my-header1:a b c\n") != std::string::npos);
    BOOST_TEST(r.canonical_request.find("my-header2:value continued\n") != std::string::npos);
    BOOST_TEST(r.canonical_request.find("my-header3:x\n") != std::string::npos);
    BOOST_TEST(r.canonical_request.find('\r') == std::string::npos);
}

