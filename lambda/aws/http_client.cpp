#include "aws/http_client.hpp"

#include "aws/text.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

namespace ratchet::lambda {

namespace {

using clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

/// A response larger than this is refused (the Runtime API's event limit is 6 MB).
constexpr std::size_t max_response_bytes = 64u << 20;

[[noreturn]] void fail(const std::string& what) {
    throw http_transport_error(what);
}

[[noreturn]] void refuse(const std::string& what) {
    throw http_request_refused(what);
}

// ---- URL -------------------------------------------------------------------------------------

struct url_parts {
    std::string scheme;  ///< lower case
    std::string host;    ///< without brackets
    std::string port;
    std::string target;       ///< path and query, "/" at least
    std::string host_header;  ///< as in the URL's authority (brackets kept, no user info)
};

std::string scheme_of(std::string_view url) {
    const auto colon = url.find("://");
    return colon == std::string_view::npos ? std::string{} : to_lower(url.substr(0, colon));
}

bool scheme_allowed(const std::string& scheme, std::string_view protocols) {
    if (scheme.empty()) return false;
    std::size_t start = 0;
    while (start <= protocols.size()) {
        const auto end = std::min(protocols.find(',', start), protocols.size());
        if (trim(protocols.substr(start, end - start)) == scheme) return true;
        start = end + 1;
    }
    return false;
}

/// Errors never quote the URL (a ResponseURL is a secret).
url_parts parse_url(std::string_view url, const std::string& scheme) {
    url_parts u;
    u.scheme = scheme;
    std::string_view rest = url.substr(url.find("://") + 3);
    const auto auth_end = std::min(rest.find_first_of("/?#"), rest.size());
    const std::string_view authority = rest.substr(0, auth_end);
    std::string_view target = rest.substr(auth_end);
    target = target.substr(0, std::min(target.find('#'), target.size()));
    if (authority.find('@') != std::string_view::npos)
        refuse("URLs with user info are not supported");
    std::string_view host = authority;
    std::string_view port;
    if (!host.empty() && host.front() == '[') {
        const auto close = host.find(']');
        if (close == std::string_view::npos) refuse("malformed URL (unclosed '[')");
        port = host.substr(close + 1);
        host = host.substr(1, close - 1);
        if (!port.empty() && port.front() != ':') refuse("malformed URL (after ']')");
        if (!port.empty()) port.remove_prefix(1);
    } else if (const auto colon = host.rfind(':'); colon != std::string_view::npos) {
        port = host.substr(colon + 1);
        host = host.substr(0, colon);
    }
    if (host.empty()) refuse("malformed URL (no host)");
    if (port.empty()) port = scheme == "https" ? "443" : "80";
    if (port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        std::atoi(std::string(port).c_str()) == 0 || std::atoi(std::string(port).c_str()) > 65535)
        refuse("malformed URL (bad port)");
    for (const char c : target) {
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
            refuse("malformed URL (raw space or control character)");
    }
    u.host = std::string(host);
    u.port = std::string(port);
    u.target =
        target.empty() || target.front() == '?' ? "/" + std::string(target) : std::string(target);
    u.host_header = std::string(authority);
    return u;
}

// ---- deadlines -------------------------------------------------------------------------------

struct deadlines {
    clock::time_point connect;
    std::optional<clock::time_point> total;  ///< none: unlimited

    /// Milliseconds left until t (at least 1 while not passed), -1 for "no limit".
    static int poll_ms(std::optional<clock::time_point> t) {
        if (!t) return -1;
        const auto left = std::chrono::ceil<milliseconds>(*t - clock::now()).count();
        return left <= 0 ? 0 : static_cast<int>(std::min<long long>(left, 1 << 30));
    }
};

/// Waits for fd to be readable (POLLIN) or writable; false when the deadline passed.
bool wait_fd(int fd, short events, std::optional<clock::time_point> until) {
    for (;;) {
        const int ms = deadlines::poll_ms(until);
        if (ms == 0) return false;
        pollfd p{fd, events, 0};
        const int rc = ::poll(&p, 1, ms);
        if (rc > 0) return true;
        if (rc == 0) {
            if (until && clock::now() >= *until) return false;
            continue;
        }
        if (errno != EINTR) fail(std::string("poll failed: ") + std::strerror(errno));
    }
}

// ---- name resolution (on a helper thread, so the connect deadline also bounds DNS) -----------

using addrinfo_ptr = std::unique_ptr<addrinfo, decltype(&freeaddrinfo)>;

addrinfo_ptr resolve(const url_parts& u, clock::time_point until) {
    struct state {
        std::mutex mu;
        std::condition_variable cv;
        bool done = false;
        int rc = 0;
        addrinfo* result = nullptr;
        ~state() {
            if (result != nullptr) freeaddrinfo(result);
        }
    };
    auto st = std::make_shared<state>();
    std::thread([st, host = u.host, port = u.port] {
        addrinfo hints{};
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_flags = AI_NUMERICSERV;  // no AI_ADDRCONFIG: loopback-only namespaces must work
        addrinfo* res = nullptr;
        const int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &res);
        const std::lock_guard lock(st->mu);
        st->rc = rc;
        st->result = res;
        st->done = true;
        st->cv.notify_all();
    }).detach();
    std::unique_lock lock(st->mu);
    if (!st->cv.wait_until(lock, until, [&] { return st->done; }))
        fail("timed out resolving the host name (connect timeout)");
    if (st->rc != 0) fail(std::string("could not resolve the host name: ") + gai_strerror(st->rc));
    addrinfo_ptr out{st->result, &freeaddrinfo};
    st->result = nullptr;
    return out;
}

// ---- sockets ---------------------------------------------------------------------------------

class socket_fd {
public:
    explicit socket_fd(int fd = -1) : fd_(fd) {}
    ~socket_fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    socket_fd(const socket_fd&) = delete;
    socket_fd& operator=(const socket_fd&) = delete;
    socket_fd(socket_fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    socket_fd& operator=(socket_fd&& o) noexcept {
        std::swap(fd_, o.fd_);
        return *this;
    }
    [[nodiscard]] int get() const { return fd_; }

private:
    int fd_;
};

socket_fd connect_to(const url_parts& u, const deadlines& d) {
    const auto addrs = resolve(u, d.connect);
    std::string last = "no address for the host name";
    for (const addrinfo* a = addrs.get(); a != nullptr; a = a->ai_next) {
        socket_fd s{
            ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol)};
        if (s.get() < 0) {
            last = std::string("socket: ") + std::strerror(errno);
            continue;
        }
        const int one = 1;
        (void)::setsockopt(s.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (::connect(s.get(), a->ai_addr, a->ai_addrlen) != 0) {
            if (errno != EINPROGRESS) {
                last = std::string("connect failed: ") + std::strerror(errno);
                continue;
            }
            if (!wait_fd(s.get(), POLLOUT, d.connect))
                fail("connect timed out after the connect timeout");
            int err = 0;
            socklen_t len = sizeof err;
            (void)::getsockopt(s.get(), SOL_SOCKET, SO_ERROR, &err, &len);
            if (err != 0) {
                last = std::string("connect failed: ") + std::strerror(err);
                continue;
            }
        }
        return s;
    }
    fail(last);
}

// ---- TLS -------------------------------------------------------------------------------------

/// The CA file for https: SSL_CERT_FILE, else the image's (AL2023 and Debian paths), else the
/// copy shipped in the zip. A static OpenSSL's compiled-in default is Debian's /usr/lib/ssl,
/// absent on AL2023. Empty: OpenSSL's default verify paths.
std::string ca_file() {
    std::vector<std::string> candidates;
    if (const char* env = std::getenv("SSL_CERT_FILE")) candidates.emplace_back(env);
    candidates.emplace_back("/etc/pki/tls/certs/ca-bundle.crt");
    candidates.emplace_back("/etc/ssl/certs/ca-certificates.crt");
    const char* root = std::getenv("LAMBDA_TASK_ROOT");
    candidates.push_back(std::string(root != nullptr ? root : "/var/task") +
                         "/certs/system-ca.pem");
    for (const auto& c : candidates) {
        std::error_code ec;
        if (!c.empty() && std::filesystem::is_regular_file(c, ec)) return c;
    }
    return {};
}

std::string openssl_error(const char* what) {
    const unsigned long e = ERR_get_error();
    ERR_clear_error();
    if (e == 0) return what;
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    return std::string(what) + ": " + buf;
}

using ctx_ptr = std::shared_ptr<SSL_CTX>;

/// One SSL_CTX per CA file (loading a bundle costs milliseconds; SSL_CERT_FILE may change).
ctx_ptr tls_context() {
    static std::mutex mu;
    static std::string cached_for;
    static ctx_ptr cached;
    const std::string cafile = ca_file();
    const std::lock_guard lock(mu);
    if (cached && cached_for == cafile) return cached;
    ctx_ptr ctx{SSL_CTX_new(TLS_client_method()), &SSL_CTX_free};
    if (!ctx) fail(openssl_error("cannot create a TLS context"));
    SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
    SSL_CTX_set_options(ctx.get(), SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_RENEGOTIATION);
    const int ok = cafile.empty()
                       ? SSL_CTX_set_default_verify_paths(ctx.get())
                       : SSL_CTX_load_verify_locations(ctx.get(), cafile.c_str(), nullptr);
    if (ok != 1) fail(openssl_error("cannot load the CA certificates"));
    cached = ctx;
    cached_for = cafile;
    return ctx;
}

bool is_ip_literal(const std::string& host) {
    unsigned char buf[sizeof(in6_addr)];
    return ::inet_pton(AF_INET, host.c_str(), buf) == 1 ||
           ::inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

// ---- a connection: plain or TLS, every operation bounded by a deadline -----------------------

class connection {
public:
    connection(socket_fd s, const url_parts& u, const deadlines& d) : sock_(std::move(s)) {
        if (u.scheme != "https") return;
        ctx_ = tls_context();
        ssl_.reset(SSL_new(ctx_.get()));
        if (!ssl_) fail(openssl_error("cannot create a TLS session"));
        SSL_set_fd(ssl_.get(), sock_.get());
        if (is_ip_literal(u.host)) {
            X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_.get()), u.host.c_str());
        } else {
            SSL_set_tlsext_host_name(ssl_.get(), u.host.c_str());
            SSL_set_hostflags(ssl_.get(), X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
            if (SSL_set1_host(ssl_.get(), u.host.c_str()) != 1)
                fail(openssl_error("cannot set the TLS host name"));
        }
        for (;;) {
            ERR_clear_error();
            const int rc = SSL_connect(ssl_.get());
            if (rc == 1) break;
            const int err = SSL_get_error(ssl_.get(), rc);
            if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
                if (!wait_fd(sock_.get(), err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT,
                             earliest(d)))
                    fail("TLS handshake timed out");
                continue;
            }
            const long verify = SSL_get_verify_result(ssl_.get());
            if (verify != X509_V_OK) {
                fail(std::string("TLS certificate verification failed: ") +
                     X509_verify_cert_error_string(verify));
            }
            fail(openssl_error("TLS handshake failed"));
        }
    }

    void write_all(std::string_view data, std::optional<clock::time_point> until) {
        while (!data.empty()) {
            const std::size_t n = ssl_ ? write_tls(data, until) : write_plain(data, until);
            data.remove_prefix(n);
        }
    }

    /// Appends what arrives to out; false at the end of the stream.
    bool read_some(std::string& out, std::optional<clock::time_point> until) {
        char buf[16384];
        for (;;) {
            if (ssl_) {
                ERR_clear_error();
                const int rc = SSL_read(ssl_.get(), buf, sizeof buf);
                if (rc > 0) {
                    out.append(buf, static_cast<std::size_t>(rc));
                    return true;
                }
                const int err = SSL_get_error(ssl_.get(), rc);
                if (err == SSL_ERROR_ZERO_RETURN) return false;
                if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
                    if (!wait_fd(sock_.get(), err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, until))
                        fail("timed out waiting for the response");
                    continue;
                }
                if (err == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
                    if (errno == 0) return false;
                    fail(std::string("receive failed: ") + std::strerror(errno));
                }
                fail(openssl_error("TLS receive failed"));
            }
            const ssize_t n = ::recv(sock_.get(), buf, sizeof buf, 0);
            if (n > 0) {
                out.append(buf, static_cast<std::size_t>(n));
                return true;
            }
            if (n == 0) return false;
            if (errno == EINTR) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                fail(std::string("receive failed: ") + std::strerror(errno));
            if (!wait_fd(sock_.get(), POLLIN, until)) fail("timed out waiting for the response");
        }
    }

private:
    static std::optional<clock::time_point> earliest(const deadlines& d) {
        return d.total ? std::min(d.connect, *d.total) : d.connect;
    }

    std::size_t write_plain(std::string_view data, std::optional<clock::time_point> until) {
        for (;;) {
            const ssize_t n = ::send(sock_.get(), data.data(), data.size(), MSG_NOSIGNAL);
            if (n >= 0) return static_cast<std::size_t>(n);
            if (errno == EINTR) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                fail(std::string("send failed: ") + std::strerror(errno));
            if (!wait_fd(sock_.get(), POLLOUT, until)) fail("timed out sending the request");
        }
    }

    std::size_t write_tls(std::string_view data, std::optional<clock::time_point> until) {
        const int len = static_cast<int>(std::min<std::size_t>(data.size(), 1 << 20));
        for (;;) {
            ERR_clear_error();
            const int rc = SSL_write(ssl_.get(), data.data(), len);
            if (rc > 0) return static_cast<std::size_t>(rc);
            const int err = SSL_get_error(ssl_.get(), rc);
            if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
                if (!wait_fd(sock_.get(), err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, until))
                    fail("timed out sending the request");
                continue;
            }
            fail(openssl_error("TLS send failed"));
        }
    }

    struct ssl_free {
        void operator()(SSL* s) const { SSL_free(s); }
    };
    socket_fd sock_;
    ctx_ptr ctx_;
    std::unique_ptr<SSL, ssl_free> ssl_;
};

/// SIGPIPE blocked for this thread while a request runs (a peer closing mid-write must be an
/// error, not the end of the process); a SIGPIPE raised meanwhile is consumed, as libpq does.
class sigpipe_guard {
public:
    sigpipe_guard() {
        sigset_t pipe;
        sigemptyset(&pipe);
        sigaddset(&pipe, SIGPIPE);
        sigset_t pending;
        sigpending(&pending);
        was_pending_ = sigismember(&pending, SIGPIPE) == 1;
        pthread_sigmask(SIG_BLOCK, &pipe, &old_);
    }
    ~sigpipe_guard() {
        if (!was_pending_) {
            sigset_t pending;
            sigpending(&pending);
            if (sigismember(&pending, SIGPIPE) == 1) {
                sigset_t pipe;
                sigemptyset(&pipe);
                sigaddset(&pipe, SIGPIPE);
                const timespec zero{0, 0};
                (void)sigtimedwait(&pipe, nullptr, &zero);
            }
        }
        pthread_sigmask(SIG_SETMASK, &old_, nullptr);
    }
    sigpipe_guard(const sigpipe_guard&) = delete;
    sigpipe_guard& operator=(const sigpipe_guard&) = delete;

private:
    sigset_t old_{};
    bool was_pending_ = false;
};

// ---- HTTP/1.1 --------------------------------------------------------------------------------

std::string request_text(const http_request& req, const url_parts& u) {
    std::string out = req.method + " " + u.target + " HTTP/1.1\r\nHost: " + u.host_header +
                      "\r\nUser-Agent: ratchet-lambda\r\nAccept: */*\r\nConnection: close\r\n";
    for (const auto& [name, value] : req.headers) {
        if (name.find_first_of(":\r\n") != std::string::npos ||
            value.find_first_of("\r\n") != std::string::npos)
            fail("invalid header \"" + truncate_utf8(name, 64) + "\" (CR, LF or ':' in it)");
        out += name + ": " + value + "\r\n";
    }
    if (req.method != "GET" || !req.body.empty())
        out += "Content-Length: " + std::to_string(req.body.size()) + "\r\n";
    out += "\r\n";
    return out;
}

/// Reads the response off conn; buf holds what was read and not yet consumed.
class response_reader {
public:
    response_reader(connection& c, std::optional<clock::time_point> until)
        : conn_(c), until_(until) {}

    http_response read(bool head_request) {
        http_response resp;
        do {
            resp.headers.clear();
            read_head(resp);
        } while (resp.status >= 100 && resp.status < 200);  // 100 Continue etc.
        if (head_request || resp.status == 204 || resp.status == 304) return resp;
        const std::string te = to_lower(resp.header("transfer-encoding"));
        if (te.find("chunked") != std::string::npos) {
            read_chunked(resp.body);
        } else if (const std::string cl = resp.header("content-length"); !cl.empty()) {
            char* end = nullptr;
            const unsigned long long n = std::strtoull(cl.c_str(), &end, 10);
            if (end == cl.c_str() || *end != '\0') fail("malformed Content-Length in the response");
            if (n > max_response_bytes) fail("response too large");
            fill(static_cast<std::size_t>(n), "the response body ended early");
            resp.body = buf_.substr(0, static_cast<std::size_t>(n));
        } else {
            while (more()) check_size();
            resp.body = std::move(buf_);
        }
        return resp;
    }

private:
    bool more() { return conn_.read_some(buf_, until_); }
    void check_size() const {
        if (buf_.size() > max_response_bytes) fail("response too large");
    }
    void fill(std::size_t n, const char* eof_error) {
        while (buf_.size() < n) {
            if (!more()) fail(eof_error);
            check_size();
        }
    }
    /// A CRLF-terminated line (without it), consumed from buf_.
    std::string line() {
        std::size_t eol;
        while ((eol = buf_.find("\r\n")) == std::string::npos) {
            if (buf_.size() > 64 * 1024) fail("response header line too long");
            if (!more()) fail("the connection closed before the response was complete");
        }
        std::string l = buf_.substr(0, eol);
        buf_.erase(0, eol + 2);
        return l;
    }

    void read_head(http_response& resp) {
        std::string status = line();
        if (status.rfind("HTTP/1.", 0) != 0 || status.size() < 12 || status[8] != ' ')
            fail("malformed HTTP status line in the response");
        resp.status = std::strtol(status.c_str() + 9, nullptr, 10);
        if (resp.status < 100 || resp.status > 999) fail("malformed HTTP status in the response");
        std::size_t total = 0;
        for (;;) {
            std::string h = line();
            if (h.empty()) break;
            total += h.size();
            if (total > 256 * 1024) fail("response headers too large");
            const auto colon = h.find(':');
            if (colon == std::string::npos) continue;
            resp.headers.emplace_back(to_lower(trim(std::string_view(h).substr(0, colon))),
                                      std::string(trim(std::string_view(h).substr(colon + 1))));
        }
    }

    void read_chunked(std::string& body) {
        for (;;) {
            const std::string size_line = line();
            char* end = nullptr;
            const unsigned long long n = std::strtoull(size_line.c_str(), &end, 16);
            if (end == size_line.c_str()) fail("malformed chunk size in the response");
            if (n > max_response_bytes || body.size() + n > max_response_bytes)
                fail("response too large");
            if (n == 0) break;
            fill(static_cast<std::size_t>(n) + 2, "the chunked response ended early");
            if (buf_.compare(static_cast<std::size_t>(n), 2, "\r\n") != 0)
                fail("malformed chunk in the response");
            body.append(buf_, 0, static_cast<std::size_t>(n));
            buf_.erase(0, static_cast<std::size_t>(n) + 2);
        }
        while (!line().empty()) {
        }  // trailers
    }

    connection& conn_;
    std::optional<clock::time_point> until_;
    std::string buf_;
};

}  // namespace

std::string http_response::header(std::string_view lower_name) const {
    for (const auto& [name, value] : headers) {
        if (name == lower_name) return value;
    }
    return {};
}

http_response http_send(const http_request& req) {
    // The URL may be a secret (a ResponseURL): errors name the scheme at most.
    const std::string scheme = scheme_of(req.url);
    if (!scheme_allowed(scheme, req.protocols) || (scheme != "http" && scheme != "https")) {
        throw http_request_refused("URL scheme \"" + truncate_utf8(scheme, 16) +
                                   "\" is not allowed here (allowed: " + req.protocols + ")");
    }
    if (req.connect_timeout.count() <= 0 || (!req.unlimited && req.total_timeout.count() <= 0)) {
        throw http_transport_error(
            "no time left for the request (the invoke's deadline has passed)");
    }
    if (req.method.empty() || req.method.find_first_of(" \r\n") != std::string::npos)
        refuse("invalid HTTP method");
    const url_parts u = parse_url(req.url, scheme);
    const auto start = clock::now();
    deadlines d;
    d.connect = start + req.connect_timeout;
    if (!req.unlimited) {
        d.total = start + req.total_timeout;
        d.connect = std::min(d.connect, *d.total);
    }
    const sigpipe_guard no_sigpipe;
    connection conn(connect_to(u, d), u, d);
    conn.write_all(request_text(req, u), d.total);
    conn.write_all(req.body, d.total);
    response_reader reader(conn, d.total);
    return reader.read(req.method == "HEAD");
}

}  // namespace ratchet::lambda
