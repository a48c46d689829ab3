#include "tcp_fakes.hpp"

#include "support/net.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace ratchet::lambda::test {

namespace {

/// Copies what is readable on `from` to `to`; false at EOF or on an error.
bool copy_once(int from, int to) {
    char buf[16384];
    const ssize_t n = ::read(from, buf, sizeof buf);
    if (n <= 0) return false;
    for (ssize_t off = 0; off < n;) {
        const ssize_t w = ::write(to, buf + off, static_cast<std::size_t>(n - off));
        if (w <= 0) return false;
        off += w;
    }
    return true;
}

}  // namespace

silent_listener::silent_listener() {
    listen_fd_ = ratchet_test::listen_loopback(port_);
    acceptor_ = std::thread([this] {
        while (!stopping_) {
            const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0) continue;
            ++accepted_;
            const std::lock_guard lock(mu_);
            conns_.push_back(fd);
        }
    });
}

silent_listener::~silent_listener() {
    stopping_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    acceptor_.join();
    ::close(listen_fd_);
    for (const int fd : conns_) ::close(fd);
}

tcp_proxy::tcp_proxy(int target_port) : target_port_(target_port) {
    listen_fd_ = ratchet_test::listen_loopback(port_);
    acceptor_ = std::thread([this] {
        while (!stopping_) {
            const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0) continue;
            const std::lock_guard lock(mu_);
            fds_.push_back(fd);
            threads_.emplace_back([this, fd] { pump(fd); });
        }
    });
}

void tcp_proxy::pump(int client) {
    int server = -1;
    if (!frozen_) {
        server = ratchet_test::connect_loopback(target_port_);
        if (server < 0) return;
        const std::lock_guard lock(mu_);
        fds_.push_back(server);
    }
    while (!stopping_) {
        if (frozen_ || server < 0) {
            // Partitioned: hold the connection, pass nothing.
            ::usleep(20'000);
            continue;
        }
        pollfd p[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
        if (::poll(p, 2, 50) <= 0) continue;
        if (frozen_) continue;
        if ((p[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0 && !copy_once(client, server)) break;
        if ((p[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0 && !copy_once(server, client)) break;
    }
    ::shutdown(client, SHUT_RDWR);
    if (server >= 0) ::shutdown(server, SHUT_RDWR);
}

tcp_proxy::~tcp_proxy() {
    stopping_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    acceptor_.join();
    ::close(listen_fd_);
    std::vector<std::thread> threads;
    {
        const std::lock_guard lock(mu_);
        threads.swap(threads_);
    }
    for (auto& t : threads) t.join();
    for (const int fd : fds_) ::close(fd);
}

}  // namespace ratchet::lambda::test
