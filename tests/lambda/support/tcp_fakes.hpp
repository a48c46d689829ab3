/// @file tcp_fakes.hpp
/// Network faults on loopback for the watchdog tests: a listener that accepts and never speaks
/// (a database or AWS endpoint stuck before its first byte) and a TCP proxy that can freeze (a
/// network partition mid-statement: nothing passes any more, new connections hang).
#pragma once

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

namespace ratchet::lambda::test {

/// Accepts connections on 127.0.0.1 and holds them open without sending or reading a byte.
class silent_listener {
public:
    silent_listener();
    ~silent_listener();
    silent_listener(const silent_listener&) = delete;
    silent_listener& operator=(const silent_listener&) = delete;
    [[nodiscard]] int port() const noexcept { return port_; }
    /// Connections accepted so far.
    [[nodiscard]] int accepted() const noexcept { return accepted_; }

private:
    int listen_fd_ = -1;
    int port_ = 0;
    std::atomic<int> accepted_{0};
    std::atomic<bool> stopping_{false};
    std::mutex mu_;
    std::vector<int> conns_;
    std::thread acceptor_;
};

/// Forwards 127.0.0.1:port() to 127.0.0.1:target_port until freeze(); from then on no byte
/// passes in either direction and new connections are accepted but never forwarded.
class tcp_proxy {
public:
    explicit tcp_proxy(int target_port);
    ~tcp_proxy();
    tcp_proxy(const tcp_proxy&) = delete;
    tcp_proxy& operator=(const tcp_proxy&) = delete;
    [[nodiscard]] int port() const noexcept { return port_; }
    void freeze() noexcept { frozen_ = true; }

private:
    void pump(int client);

    int target_port_;
    int listen_fd_ = -1;
    int port_ = 0;
    std::atomic<bool> frozen_{false};
    std::atomic<bool> stopping_{false};
    std::mutex mu_;
    std::vector<int> fds_;
    std::vector<std::thread> threads_;
    std::thread acceptor_;
};

}  // namespace ratchet::lambda::test
