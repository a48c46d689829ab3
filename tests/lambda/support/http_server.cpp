#include "http_server.hpp"

#include "support/net.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <stdexcept>

namespace ratchet::lambda::test {

namespace {

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

const char* reason_of(int status) {
    switch (status) {
        case 200:
            return "OK";
        case 202:
            return "Accepted";
        case 400:
            return "Bad Request";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        default:
            return "Status";
    }
}

/// Reads one request from fd (buffer keeps leftovers). false on EOF/error.
bool read_request(int fd, std::string& buf, http_message& msg) {
    char chunk[8192];
    std::size_t end;
    while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
        const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0) return false;
        buf.append(chunk, static_cast<std::size_t>(n));
    }
    const std::string head = buf.substr(0, end);
    buf.erase(0, end + 4);
    std::size_t line_end = head.find("\r\n");
    const std::string request_line = head.substr(0, line_end);
    const auto sp1 = request_line.find(' ');
    const auto sp2 = request_line.rfind(' ');
    msg = {};
    msg.method = request_line.substr(0, sp1);
    msg.target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
    std::size_t length = 0;
    while (line_end != std::string::npos && line_end < head.size()) {
        const std::size_t next = head.find("\r\n", line_end + 2);
        const std::string line = head.substr(
            line_end + 2, next == std::string::npos ? std::string::npos : next - line_end - 2);
        line_end = next;
        const auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(' '));
        msg.headers.emplace_back(line.substr(0, colon), value);
        if (iequals(line.substr(0, colon), "content-length")) length = std::stoul(value);
    }
    while (buf.size() < length) {
        const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0) return false;
        buf.append(chunk, static_cast<std::size_t>(n));
    }
    msg.body = buf.substr(0, length);
    buf.erase(0, length);
    return true;
}

void write_all(int fd, const std::string& data) {
    std::size_t off = 0;
    while (off < data.size()) {
        const ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
        if (n <= 0) return;
        off += static_cast<std::size_t>(n);
    }
}

}  // namespace

const std::string* http_message::header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
        if (iequals(k, name)) return &v;
    }
    return nullptr;
}

http_server::http_server(handler h) : handler_(std::move(h)) {
    listen_fd_ = ratchet_test::listen_loopback(port_);
    acceptor_ = std::thread([this] { accept_loop(); });
}

http_server::~http_server() {
    stop();
}

void http_server::stop() {
    if (stopping_.exchange(true)) return;
    ::shutdown(listen_fd_, SHUT_RDWR);
    if (acceptor_.joinable()) acceptor_.join();
    ::close(listen_fd_);
    std::vector<std::thread> threads;
    {
        const std::lock_guard lock(mu_);
        for (const int fd : conns_) ::shutdown(fd, SHUT_RDWR);
        threads.swap(threads_);
    }
    for (auto& t : threads) t.join();
}

void http_server::accept_loop() {
    while (!stopping_) {
        const int fd = ::accept(listen_fd_, nullptr, nullptr);
        if (fd < 0) {
            if (stopping_) return;
            continue;
        }
        const std::lock_guard lock(mu_);
        conns_.push_back(fd);
        threads_.emplace_back([this, fd] { serve(fd); });
    }
}

void http_server::serve(int fd) {
    std::string buf;
    http_message msg;
    while (!stopping_ && read_request(fd, buf, msg)) {
        const http_reply r = handler_(msg);
        std::string out =
            "HTTP/1.1 " + std::to_string(r.status) + " " + reason_of(r.status) + "\r\n";
        for (const auto& [k, v] : r.headers) out += k + ": " + v + "\r\n";
        out += "Content-Length: " + std::to_string(r.body.size()) + "\r\n\r\n" + r.body;
        write_all(fd, out);
    }
    const std::lock_guard lock(mu_);
    conns_.erase(std::remove(conns_.begin(), conns_.end(), fd), conns_.end());
    ::close(fd);
}

}  // namespace ratchet::lambda::test
