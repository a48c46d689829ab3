#include "support.hpp"

#include "support/net.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <stdexcept>

namespace torture {

int knob(const char* name, int ci_default) {
    const std::string var = std::string{"RATCHET_TORTURE_"} + name;
    if (const char* v = std::getenv(var.c_str()); v != nullptr && *v != '\0') return std::atoi(v);
    return ci_default;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// ---- child processes, databases -------------------------------------------------------------

child_process spawn_cli(const std::vector<std::string>& args) {
    std::vector<std::string> argv{RATCHET_CLI_PATH};
    argv.insert(argv.end(), args.begin(), args.end());
    return child_process{argv};
}

std::string admin_url() {
    const auto url = ratchet_test::admin_url();
    if (!url)
        throw std::runtime_error("RATCHET_TEST_ADMIN_URL is not set (run through scripts/test.sh)");
    return *url;
}

// ---- migrations -----------------------------------------------------------------------------

std::string migration_name(int i) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d_m%d", i, i);
    return buf;
}

std::string table_of(int i) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "t_%04d", i);
    return buf;
}

migrations_dir::migrations_dir(const plan_options& p) {
    files_.write("migration_lock.toml", "provider = \"postgresql\"\n");
    for (int i = 1; i <= p.count; ++i) {
        const std::string name = migration_name(i);
        const std::string t = table_of(i);
        std::string sql;
        if (i == 1) {
            sql +=
                "CREATE TABLE applied_log (seq bigserial PRIMARY KEY, name text NOT NULL);\n"
                "CREATE FUNCTION torture_commit_sleep() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                "BEGIN PERFORM pg_sleep(TG_ARGV[0]::float8); RETURN NULL; END $$;\n";
        }
        sql += "CREATE TABLE " + t + " (marker text NOT NULL);\n";
        const bool slow = p.only <= 0 || p.only == i;
        if (slow && p.commit_sleep > 0) {
            sql += "CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT ON " + t +
                   " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "
                   "torture_commit_sleep('" +
                   std::to_string(p.commit_sleep) + "');\n";
        }
        if (slow && p.script_sleep > 0)
            sql += "SELECT pg_sleep(" + std::to_string(p.script_sleep) + ");\n";
        sql += "INSERT INTO " + t + " VALUES ('" + name + "');\n";
        sql += "INSERT INTO applied_log (name) VALUES ('" + name + "');\n";
        add_raw(name, sql);
        names_.push_back(name);
    }
}

consistency check_consistency(const std::string& url, int count) {
    consistency out;
    const session c{url};
    auto& v = out.violations;
    const bool has_history =
        c.exec("SELECT to_regclass('_prisma_migrations') IS NOT NULL")[0][0] == "t";
    std::map<std::string, int> finished;
    std::map<std::string, int> failed;
    if (has_history) {
        for (const auto& r : c.exec("SELECT migration_name, finished_at IS NOT NULL, "
                                    "rolled_back_at IS NOT NULL FROM _prisma_migrations")) {
            if (*r[2] == "t") continue;
            (*r[1] == "t" ? finished : failed)[*r[0]]++;
        }
    }
    int prefix = 0;
    bool gap = false;
    for (int i = 1; i <= count; ++i) {
        const std::string name = migration_name(i);
        const int f = finished.count(name) != 0 ? finished[name] : 0;
        if (f > 1) v.push_back(name + ": " + std::to_string(f) + " finished history rows");
        if (failed.count(name) != 0)
            v.push_back(name + ": a failed (unfinished, not rolled back) row");
        const bool exists =
            c.exec("SELECT to_regclass('" + table_of(i) + "') IS NOT NULL")[0][0] == "t";
        if (exists != (f >= 1)) {
            v.push_back(name + (exists ? ": table exists without a finished history row"
                                       : ": finished history row but no table (half applied)"));
        }
        if (exists) {
            const auto n = c.exec("SELECT count(*) FROM " + table_of(i))[0][0];
            if (n != "1") v.push_back(name + ": marker table holds " + n.value_or("?") + " rows");
        }
        if (f >= 1) {
            if (gap) v.push_back(name + ": applied after an unapplied migration");
            ++prefix;
        } else {
            gap = true;
        }
    }
    out.applied = prefix;
    const bool has_log = c.exec("SELECT to_regclass('applied_log') IS NOT NULL")[0][0] == "t";
    if (has_log) {
        const auto rows = c.exec("SELECT name FROM applied_log ORDER BY seq");
        if (static_cast<int>(rows.size()) != prefix) {
            v.push_back("applied_log holds " + std::to_string(rows.size()) + " applications for " +
                        std::to_string(prefix) + " applied migrations");
        }
        for (std::size_t i = 0; i < rows.size(); ++i) {
            if (*rows[i][0] != migration_name(static_cast<int>(i) + 1)) {
                v.push_back("applied_log entry " + std::to_string(i + 1) + " is " + *rows[i][0] +
                            ", expected " + migration_name(static_cast<int>(i) + 1));
                break;
            }
        }
    } else if (prefix > 0) {
        v.push_back("applied_log missing although migrations are applied");
    }
    return out;
}

// ---- TCP proxy ------------------------------------------------------------------------------

tcp_proxy::tcp_proxy(int upstream_port) : upstream_{upstream_port} {
    listen_fd_ = ratchet_test::listen_loopback(port_);
    acceptor_ = std::thread{[this] { accept_loop(); }};
}

tcp_proxy::~tcp_proxy() {
    stop_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    ::close(listen_fd_);
    acceptor_.join();
    cut();
    for (auto& t : threads_) t.join();
}

void tcp_proxy::accept_loop() {
    while (!stop_) {
        pollfd p{listen_fd_, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) continue;
        const int client = ::accept(listen_fd_, nullptr, nullptr);
        if (client < 0) continue;
        const int server = ratchet_test::connect_loopback(upstream_);
        if (server < 0) {
            ::close(client);
            continue;
        }
        std::lock_guard lock{mu_};
        fds_.push_back(client);
        fds_.push_back(server);
        threads_.emplace_back([this, client, server] { pump(client, server); });
    }
}

// Copies both ways until either side closes; then closes both.
void tcp_proxy::pump(int a, int b) {
    char buf[16384];
    for (;;) {
        pollfd p[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
        if (::poll(p, 2, 200) < 0) break;
        bool done = false;
        for (int i = 0; i < 2 && !done; ++i) {
            if ((p[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
            const ssize_t n = ::recv(p[i].fd, buf, sizeof buf, 0);
            if (n <= 0) {
                done = true;
                break;
            }
            const int to = i == 0 ? b : a;
            for (ssize_t sent = 0; sent < n;) {
                const ssize_t w =
                    ::send(to, buf + sent, static_cast<std::size_t>(n - sent), MSG_NOSIGNAL);
                if (w <= 0) {
                    done = true;
                    break;
                }
                sent += w;
            }
        }
        if (done) break;
    }
    std::lock_guard lock{mu_};
    for (const int fd : {a, b}) {
        const auto it = std::find(fds_.begin(), fds_.end(), fd);
        if (it != fds_.end()) {
            fds_.erase(it);
            ::shutdown(fd, SHUT_RDWR);
            ::close(fd);
        }
    }
}

void tcp_proxy::cut() {
    std::lock_guard lock{mu_};
    for (const int fd : fds_) ::shutdown(fd, SHUT_RDWR);  // the pump sees EOF, closes the pair
    cut_count_ += static_cast<int>(fds_.size() / 2);
}

}  // namespace torture
