// The aws/ library on its own: the HTTP client's limits (schemes, deadlines), SigV4 header
// canonicalisation, Secrets Manager retries and endpoints. Loopback servers only.
#define BOOST_TEST_MODULE lambda_aws
#include "aws/aws_env.hpp"
#include "aws/http_client.hpp"
#include "aws/redact.hpp"
#include "aws/secrets.hpp"
#include "aws/sigv4.hpp"
#include "http_server.hpp"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <cstdlib>
#include <mutex>

using namespace ratchet::lambda;
using ratchet::lambda::test::http_message;
using ratchet::lambda::test::http_reply;
using ratchet::lambda::test::http_server;
using std::chrono::milliseconds;

BOOST_AUTO_TEST_CASE(only_allowed_schemes_are_ever_requested) {
    for (const std::string url :
         {"file:///etc/passwd", "gopher://127.0.0.1:1/x", "ftp://127.0.0.1/x",
          "dict://127.0.0.1:1/x", "FILE:///etc/hostname", "no-scheme", ""}) {
        http_request req;
        req.url = url;
        BOOST_TEST_CONTEXT(url) {
            try {
                (void)http_send(req);
                BOOST_ERROR("request sent");
            } catch (const http_transport_error& e) {
                BOOST_TEST(std::string(e.what()).find("not allowed") != std::string::npos);
                BOOST_TEST(std::string(e.what()).find("passwd") == std::string::npos);
            }
        }
    }
    std::atomic<int> seen{0};
    http_server server([&](const http_message&) {
        ++seen;
        return http_reply{200, {}, "ok"};
    });
    // gopher:// writes its path raw: libcurl would send an HTTP request of the attacker's
    // choosing to any host and port (the server below would record it).
    http_request gopher;
    gopher.url = "gopher://127.0.0.1:" + std::to_string(server.port()) +
                 "/_GET%20/smuggled%20HTTP/1.0%0D%0A%0D%0A";
    BOOST_CHECK_THROW((void)http_send(gopher), http_transport_error);
    BOOST_TEST(seen == 0);
    http_request req;
    req.url = server.base_url() + "/x";
    req.protocols = "https";
    BOOST_CHECK_THROW((void)http_send(req), http_transport_error);
    BOOST_TEST(seen == 0);
    req.protocols = "http,https";
    BOOST_TEST(http_send(req).status == 200);
    BOOST_TEST(seen == 1);
}

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
    sigv4::settings s{"us-east-1", "service",
                      std::chrono::system_clock::time_point{std::chrono::seconds{1'440'938'160}}};
    const auto r = sigv4::sign_headers(
        req, {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""}, s);
    BOOST_TEST(r.canonical_request.find("my-header1:a b c\n") != std::string::npos);
    BOOST_TEST(r.canonical_request.find("my-header2:value continued\n") != std::string::npos);
    BOOST_TEST(r.canonical_request.find("my-header3:x\n") != std::string::npos);
    BOOST_TEST(r.canonical_request.find('\r') == std::string::npos);
}

namespace {

struct secrets_env {
    explicit secrets_env(const std::string& url) {
        ::setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", url.c_str(), 1);
        ::setenv("AWS_REGION", "eu-west-1", 1);
        ::setenv("AWS_ACCESS_KEY_ID", "AKIDTEST", 1);
        ::setenv("AWS_SECRET_ACCESS_KEY", "test-secret-key", 1);
        ::unsetenv("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT");
    }
    ~secrets_env() { ::unsetenv("AWS_ENDPOINT_URL_SECRETS_MANAGER"); }
};

}  // namespace

BOOST_AUTO_TEST_CASE(secrets_manager_is_retried_on_throttling_and_server_errors_only) {
    std::vector<http_reply> script;
    std::mutex mu;
    int calls = 0;
    http_server server([&](const http_message&) {
        const std::lock_guard lock(mu);
        const auto i = static_cast<std::size_t>(calls++);
        return i < script.size()
                   ? script[i]
                   : http_reply{
                         200,
                         {},
                         R"({"SecretString":"{\"username\":\"u\",\"password\":\"pw-1234\"}"})"};
    });
    const secrets_env env(server.base_url());
    script = {{400, {}, R"({"__type":"ThrottlingException","message":"Rate exceeded"})"},
              {500, {}, R"({"__type":"InternalServiceError","message":"oops"})"}};
    BOOST_TEST(fetch_secret_string("db", milliseconds{5'000}).find("pw-1234") != std::string::npos);
    BOOST_TEST(calls == 3);
    calls = 0;
    script = {{503, {}, "Service Unavailable"},
              {503, {}, "Service Unavailable"},
              {503, {}, "Service Unavailable"}};
    BOOST_CHECK_THROW((void)fetch_secret_string("db", milliseconds{5'000}), secret_error);
    BOOST_TEST(calls == 3);  // bounded
    calls = 0;
    script = {{400, {}, R"({"__type":"AccessDeniedException","message":"no"})"}};
    try {
        (void)fetch_secret_string("db", milliseconds{5'000});
        BOOST_ERROR("no error");
    } catch (const secret_error& e) {
        BOOST_TEST(e.code() == "AccessDeniedException");
    }
    BOOST_TEST(calls == 1);  // final: not retried
    clear_invoke_secrets();
}

BOOST_AUTO_TEST_CASE(endpoints_use_the_partition_dns_suffix) {
    ::unsetenv("AWS_ENDPOINT_URL_SECRETS_MANAGER");
    ::unsetenv("AWS_ENDPOINT_URL");
    BOOST_TEST(endpoint_for("SECRETS_MANAGER", "secretsmanager", "eu-west-1") ==
               "https://secretsmanager.eu-west-1.amazonaws.com");
    BOOST_TEST(endpoint_for("SECRETS_MANAGER", "secretsmanager", "cn-north-1") ==
               "https://secretsmanager.cn-north-1.amazonaws.com.cn");
    BOOST_TEST(endpoint_for("SECRETS_MANAGER", "secretsmanager", "us-gov-west-1") ==
               "https://secretsmanager.us-gov-west-1.amazonaws.com");
    BOOST_TEST(endpoint_for("SECRETS_MANAGER", "secretsmanager", "us-iso-east-1") ==
               "https://secretsmanager.us-iso-east-1.c2s.ic.gov");
    BOOST_TEST(endpoint_for("SECRETS_MANAGER", "secretsmanager", "us-isob-east-1") ==
               "https://secretsmanager.us-isob-east-1.sc2s.sgov.gov");
}
