/// @file http_server.hpp
/// A small HTTP/1.1 server on 127.0.0.1 (ephemeral port) for the Lambda tests: one thread per
/// connection, keep-alive, Content-Length bodies. Handlers may block (Runtime API long-poll).
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace ratchet::lambda::test {

struct http_message {
    std::string method;
    std::string target;                                        ///< path and query, as sent
    std::vector<std::pair<std::string, std::string>> headers;  ///< as sent (names not folded)
    std::string body;

    /// First header with this name (case-insensitive), or nullptr.
    [[nodiscard]] const std::string* header(std::string_view name) const;
    [[nodiscard]] std::string path() const { return target.substr(0, target.find('?')); }
};

struct http_reply {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
};

class http_server {
public:
    using handler = std::function<http_reply(const http_message&)>;
    explicit http_server(handler h);
    ~http_server();
    http_server(const http_server&) = delete;
    http_server& operator=(const http_server&) = delete;

    [[nodiscard]] int port() const noexcept { return port_; }
    [[nodiscard]] std::string base_url() const {
        return "http://127.0.0.1:" + std::to_string(port_);
    }
    /// Stops accepting and closes every connection (handlers must return by themselves).
    void stop();

private:
    void accept_loop();
    void serve(int fd);

    handler handler_;
    int listen_fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stopping_{false};
    std::mutex mu_;
    std::vector<int> conns_;
    std::vector<std::thread> threads_;
    std::thread acceptor_;
};

}  // namespace ratchet::lambda::test
