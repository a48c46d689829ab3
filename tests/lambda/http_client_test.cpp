// The HTTP/1.1 client (lambda/aws/http_client.cpp: sockets + OpenSSL, no libcurl) against
// loopback servers: request framing, Content-Length, chunked and close-delimited responses,
// deadlines, refused schemes, errors that never quote the URL, and TLS verification.
#define BOOST_TEST_MODULE lambda_http_client
#include "aws/http_client.hpp"
#include "http_server.hpp"
#include "support/net.hpp"

#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <thread>

using namespace ratchet::lambda;
using ratchet::lambda::test::http_message;
using ratchet::lambda::test::http_reply;
using ratchet::lambda::test::http_server;
using std::chrono::milliseconds;
namespace fs = std::filesystem;

namespace {

/// A raw TCP server on 127.0.0.1: reads one request head (and a Content-Length body), then
/// writes what `answer` returns, piece by piece, and closes; an empty list: never answers
/// (the connection stays open until the server is destroyed).
class raw_server {
public:
    using answer_fn = std::function<std::vector<std::string>(const std::string& request)>;
    explicit raw_server(answer_fn answer) : answer_(std::move(answer)) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        BOOST_REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        BOOST_REQUIRE(::listen(fd_, 8) == 0);
        socklen_t len = sizeof a;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
        port_ = ntohs(a.sin_port);
        thread_ = std::thread([this] { serve(); });
    }
    ~raw_server() {
        stopping_ = true;
        ::shutdown(fd_, SHUT_RDWR);
        ::close(fd_);
        thread_.join();
    }
    raw_server(const raw_server&) = delete;
    raw_server& operator=(const raw_server&) = delete;

    [[nodiscard]] std::string url(const std::string& target) const {
        return "http://127.0.0.1:" + std::to_string(port_) + target;
    }
    [[nodiscard]] int requests() const { return requests_; }
    [[nodiscard]] std::string last_request() const {
        const std::lock_guard lock(mu_);
        return last_;
    }

private:
    void serve() {
        while (!stopping_) {
            const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (c < 0) return;
            std::string req;
            char buf[4096];
            std::size_t head_end;
            while ((head_end = req.find("\r\n\r\n")) == std::string::npos) {
                const ssize_t n = ::recv(c, buf, sizeof buf, 0);
                if (n <= 0) break;
                req.append(buf, static_cast<std::size_t>(n));
            }
            if (head_end != std::string::npos) {
                std::size_t want = 0;
                if (const auto p = req.find("Content-Length: "); p != std::string::npos)
                    want = std::stoul(req.substr(p + 16));
                while (req.size() < head_end + 4 + want) {
                    const ssize_t n = ::recv(c, buf, sizeof buf, 0);
                    if (n <= 0) break;
                    req.append(buf, static_cast<std::size_t>(n));
                }
            }
            {
                const std::lock_guard lock(mu_);
                last_ = req;
            }
            ++requests_;
            const auto pieces = answer_(req);
            if (pieces.empty()) {
                while (!stopping_ && ::recv(c, buf, sizeof buf, 0) > 0) {
                }
            }
            for (const auto& p : pieces) {
                (void)::send(c, p.data(), p.size(), MSG_NOSIGNAL);
                std::this_thread::sleep_for(milliseconds{5});
            }
            ::close(c);
        }
    }

    answer_fn answer_;
    int fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stopping_{false};
    std::atomic<int> requests_{0};
    mutable std::mutex mu_;
    std::string last_;
    std::thread thread_;
};

std::string transport_error_of(const http_request& req) {
    try {
        (void)http_send(req);
    } catch (const http_transport_error& e) {
        return e.what();
    }
    BOOST_ERROR("no transport error");
    return {};
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_request_carries_method_target_headers_and_body) {
    http_message seen;
    http_server server([&](const http_message& m) {
        seen = m;
        return http_reply{
            201, {{"X-Amz-Request-Id", "abc"}, {"Content-Type", "text/plain"}}, "created"};
    });
    http_request req;
    req.method = "PUT";
    req.url = server.base_url() + "/bucket/key?X-Amz-Signature=s%2Fig&b=1";
    req.headers = {{"Content-Type", ""}, {"X-Custom", "v 1"}};
    req.body = std::string(100'000, 'x') + "end";
    const auto resp = http_send(req);
    BOOST_TEST(resp.status == 201);
    BOOST_TEST(resp.body == "created");
    BOOST_TEST(resp.header("x-amz-request-id") == "abc");
    BOOST_TEST(resp.header("content-type") == "text/plain");
    BOOST_TEST(seen.method == "PUT");
    BOOST_TEST(seen.target == "/bucket/key?X-Amz-Signature=s%2Fig&b=1");
    BOOST_TEST(seen.body == req.body);
    BOOST_REQUIRE(seen.header("Content-Type") != nullptr);
    BOOST_TEST(*seen.header("Content-Type") == "");
    BOOST_REQUIRE(seen.header("X-Custom") != nullptr);
    BOOST_TEST(*seen.header("X-Custom") == "v 1");
    BOOST_REQUIRE(seen.header("Host") != nullptr);
    BOOST_TEST(*seen.header("Host") == "127.0.0.1:" + std::to_string(server.port()));
    BOOST_TEST(seen.header("Proxy-Authorization") == nullptr);
}

BOOST_AUTO_TEST_CASE(chunked_and_close_delimited_bodies_are_read_whole) {
    raw_server chunked([](const std::string&) {
        return std::vector<std::string>{"HTTP/1.1 100 Continue\r\n\r\n",
                                        "HTTP/1.1 200 OK\r\nTransfer-Encoding: "
                                        "chunked\r\nLambda-Runtime-Aws-Request-Id: r-1\r\n\r\n",
                                        "5\r\nhel", "lo\r\n7;ext=1\r\n, world\r\n",
                                        "0\r\nX-Trailer: t\r\n\r\n"};
    });
    http_request req;
    req.url = chunked.url("/2018-06-01/runtime/invocation/next");
    auto resp = http_send(req);
    BOOST_TEST(resp.status == 200);
    BOOST_TEST(resp.body == "hello, world");
    BOOST_TEST(resp.header("lambda-runtime-aws-request-id") == "r-1");
    BOOST_TEST(chunked.last_request().rfind("GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\n",
                                            0) == 0);
    BOOST_TEST(chunked.last_request().find("Content-Length") == std::string::npos);

    raw_server until_close([](const std::string&) {
        return std::vector<std::string>{"HTTP/1.0 500 Oops\r\nX-A:  b \r\n\r\npart one,",
                                        " part two"};
    });
    req.url = until_close.url("/");
    resp = http_send(req);
    BOOST_TEST(resp.status == 500);
    BOOST_TEST(resp.header("x-a") == "b");
    BOOST_TEST(resp.body == "part one, part two");
}

BOOST_AUTO_TEST_CASE(a_truncated_response_is_a_transport_error) {
    raw_server short_body([](const std::string&) {
        return std::vector<std::string>{"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"};
    });
    http_request req;
    req.url = short_body.url("/");
    BOOST_TEST(transport_error_of(req).find("ended early") != std::string::npos);
    raw_server short_chunk([](const std::string&) {
        return std::vector<std::string>{
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\nabc"};
    });
    req.url = short_chunk.url("/");
    BOOST_TEST(transport_error_of(req).find("ended early") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_server_that_never_answers_hits_the_total_timeout) {
    raw_server silent([](const std::string&) { return std::vector<std::string>{}; });
    http_request req;
    req.method = "POST";
    req.url = silent.url("/x");
    req.body = "{}";
    req.total_timeout = milliseconds{300};
    BOOST_TEST(transport_error_of(req).find("timed out") != std::string::npos);
    BOOST_TEST(silent.requests() == 1);
}

BOOST_AUTO_TEST_CASE(unlimited_waits_past_the_total_timeout) {
    // Runtime API /next blocks until an invoke arrives: no total limit.
    raw_server slow([](const std::string&) {
        std::this_thread::sleep_for(milliseconds{400});
        return std::vector<std::string>{"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"};
    });
    http_request req;
    req.url = slow.url("/next");
    req.unlimited = true;
    req.total_timeout = milliseconds{1};
    const auto resp = http_send(req);
    BOOST_TEST(resp.status == 200);
    BOOST_TEST(resp.body == "{}");
}

BOOST_AUTO_TEST_CASE(transport_errors_never_quote_the_url) {
    const std::string secret = "X-Amz-Signature=0123456789abcdef-secret";
    http_request req;
    req.method = "PUT";
    req.url = "http://127.0.0.1:" + std::to_string(ratchet_test::closed_loopback_port()) +
              "/stack-secret-path?" + secret;
    const std::string refused = transport_error_of(req);
    BOOST_TEST_MESSAGE("refused: " << refused);
    BOOST_TEST(refused.find("refused") != std::string::npos);
    for (const std::string& e :
         {refused,
          transport_error_of(http_request{"GET", "http://no-such-host.invalid/p?" + secret}),
          transport_error_of(http_request{"GET", "http://127.0.0.1:99999/p?" + secret}),
          transport_error_of(http_request{"GET", "http://u:pw@127.0.0.1/p?" + secret}),
          transport_error_of(http_request{"GET", "ftp://127.0.0.1/p?" + secret})}) {
        BOOST_TEST_CONTEXT(e) {
            BOOST_TEST(!e.empty());
            BOOST_TEST(e.find("secret") == std::string::npos);
            BOOST_TEST(e.find("127.0.0.1") == std::string::npos);
            BOOST_TEST(e.find("no-such-host") == std::string::npos);
        }
    }
}

BOOST_AUTO_TEST_CASE(other_schemes_are_refused_before_connecting) {
    raw_server server([](const std::string&) {
        return std::vector<std::string>{"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"};
    });
    const std::string hostport = "127.0.0.1:" + server.url("").substr(17);
    for (const std::string scheme : {"gopher", "ftp", "dict", "telnet", "file", "https"}) {
        http_request req;
        req.url = scheme + "://" + hostport + "/x";
        req.protocols = "http";
        BOOST_TEST_CONTEXT(scheme) {
            BOOST_TEST(transport_error_of(req).find("not allowed") != std::string::npos);
        }
    }
    // Even when listed: this client speaks http and https only.
    http_request gopher;
    gopher.url = "gopher://" + hostport + "/x";
    gopher.protocols = "gopher,http";
    BOOST_TEST(transport_error_of(gopher).find("not allowed") != std::string::npos);
    BOOST_TEST(server.requests() == 0);
}

namespace {

struct tls_fixture {
    fs::path dir = fs::temp_directory_path() / ("ratchet-http-tls-" + std::to_string(::getpid()));
    pid_t server = -1;
    std::string port;

    tls_fixture() {
        fs::remove_all(dir);
        fs::create_directories(dir);
        const std::string d = dir.string();
        const std::string gen =
            "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
            "-addext subjectAltName=IP:127.0.0.1 -keyout " +
            d + "/key.pem -out " + d +
            "/cert.pem 2>/dev/null && openssl req -x509 -newkey rsa:2048 -nodes -days 1 "
            "-subj /CN=other-ca -keyout " +
            d + "/other.key -out " + d + "/other.pem 2>/dev/null";
        BOOST_REQUIRE(std::system(gen.c_str()) == 0);
        // python3 tls_secrets_manager.py CERT KEY PORT_FILE, SECRET_STRING=tls-ok.
        const char* path = std::getenv("PATH");
        const std::string env_path = std::string("PATH=") + (path ? path : "/usr/bin:/bin");
        const std::string cert = d + "/cert.pem", key = d + "/key.pem", port_file = d + "/port";
        std::vector<char*> argv{
            const_cast<char*>("python3"),         const_cast<char*>(RATCHET_LAMBDA_TLS_FAKE),
            const_cast<char*>(cert.c_str()),      const_cast<char*>(key.c_str()),
            const_cast<char*>(port_file.c_str()), nullptr};
        std::vector<char*> envp{const_cast<char*>(env_path.c_str()),
                                const_cast<char*>("SECRET_STRING=tls-ok"), nullptr};
        BOOST_REQUIRE(
            ::posix_spawnp(&server, "python3", nullptr, nullptr, argv.data(), envp.data()) == 0);
        for (int i = 0; i < 200 && port.empty(); ++i) {
            std::this_thread::sleep_for(milliseconds{50});
            std::ifstream in(d + "/port");
            std::getline(in, port);
        }
        BOOST_REQUIRE_MESSAGE(!port.empty(), "the TLS server did not start");
    }
    ~tls_fixture() {
        if (server > 0) {
            ::kill(server, SIGKILL);
            ::waitpid(server, nullptr, 0);
        }
        ::unsetenv("SSL_CERT_FILE");
        fs::remove_all(dir);
    }
    [[nodiscard]] http_request request(const std::string& host) const {
        http_request req;
        req.method = "POST";
        req.url = "https://" + host + ":" + port + "/?secret-query";
        req.headers = {{"X-Amz-Target", "secretsmanager.GetSecretValue"},
                       {"Authorization", "AWS4-HMAC-SHA256 test"}};
        req.body = "{}";
        return req;
    }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(https_verifies_the_chain_and_the_host_name, tls_fixture) {
    // A CA that did not sign the server's certificate.
    ::setenv("SSL_CERT_FILE", (dir / "other.pem").c_str(), 1);
    const std::string wrong_ca = transport_error_of(request("127.0.0.1"));
    BOOST_TEST_MESSAGE("wrong CA: " << wrong_ca);
    BOOST_TEST(wrong_ca.find("certificate verification failed") != std::string::npos);
    BOOST_TEST(wrong_ca.find("secret") == std::string::npos);

    ::setenv("SSL_CERT_FILE", (dir / "cert.pem").c_str(), 1);
    const auto resp = http_send(request("127.0.0.1"));
    BOOST_TEST(resp.status == 200);
    BOOST_TEST(resp.body.find("tls-ok") != std::string::npos);

    // The right CA but another name: the certificate is for IP 127.0.0.1 only.
    const std::string wrong_name = transport_error_of(request("localhost"));
    BOOST_TEST_MESSAGE("wrong name: " << wrong_name);
    BOOST_TEST(wrong_name.find("verification failed") != std::string::npos);

    // Plain HTTP to a TLS port is not silently accepted.
    http_request plain = request("127.0.0.1");
    plain.url = "http://127.0.0.1:" + port + "/";
    plain.total_timeout = milliseconds{2'000};
    BOOST_CHECK_THROW((void)http_send(plain), http_transport_error);
}
