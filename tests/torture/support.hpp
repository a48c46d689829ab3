// Torture-test support: knobs from the environment, child processes, plain libpq access to any
// server, throwaway databases, a migrations directory generator, a cuttable TCP proxy, and the
// consistency check every scenario ends with.
#pragma once

#include <ratchet/ratchet.hpp>

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace torture {

/// Integer knob from the environment (RATCHET_TORTURE_<NAME>), else the CI default.
int knob(const char* name, int ci_default);

/// Seconds since an instant, for the printed figures.
double seconds_since(std::chrono::steady_clock::time_point t);

// ---- child processes --------------------------------------------------------------------

struct child {
    pid_t pid = -1;
    std::filesystem::path out;  ///< stdout+stderr
};

/// Starts argv[0] with the arguments; stdout and stderr go to a temporary file.
child spawn(const std::vector<std::string>& argv);
/// Waits for the child up to `limit`; returns the exit code, 128+signal, or nullopt on timeout.
std::optional<int> wait_for(const child& c, std::chrono::milliseconds limit);
/// The child's output so far.
std::string output_of(const child& c);
/// kill -9 and reap.
void kill9(const child& c);

/// The CLI's `deploy` (or other command) on a URL and directory.
child spawn_cli(const std::vector<std::string>& args);

// ---- databases ----------------------------------------------------------------------------

/// Runs SQL on a URL (new connection); throws std::runtime_error on error.
std::vector<std::vector<std::optional<std::string>>> query(const std::string& url, const std::string& sql);
std::optional<std::string> scalar(const std::string& url, const std::string& sql);

/// A database created on the server of an admin URL, dropped (WITH FORCE) on destruction.
class database {
public:
    explicit database(std::string admin_url);
    ~database();
    database(const database&) = delete;
    database& operator=(const database&) = delete;
    [[nodiscard]] const std::string& name() const { return name_; }
    [[nodiscard]] std::string url(const std::string& query = {}) const;
    /// The same database reached through another host:port (e.g. the proxy).
    [[nodiscard]] std::string url_via(int port, const std::string& query = {}) const;
    /// Waits until no other session is connected to this database (the server noticed its
    /// clients are gone); after `limit`, terminates them and returns false.
    bool wait_idle(std::chrono::milliseconds limit) const;

private:
    std::string admin_;
    std::string name_;
};

/// The shared test server, from RATCHET_TEST_ADMIN_URL (throws when unset).
std::string admin_url();

/// A live session (to hold locks, watch the server).
class session {
public:
    explicit session(const std::string& url);
    ~session();
    session(const session&) = delete;
    session& operator=(const session&) = delete;
    std::vector<std::vector<std::optional<std::string>>> exec(const std::string& sql);
    [[nodiscard]] int pid() const;

private:
    void* conn_;
};

// ---- migrations ---------------------------------------------------------------------------

/// Migration i (1-based) is "NNNN_mI": CREATE TABLE t_NNNN (marker), one marker row, and an
/// INSERT into applied_log (created by migration 1) recording order and count of applications.
/// script_sleep adds pg_sleep inside the script; commit_sleep adds a deferred constraint
/// trigger that sleeps during COMMIT (to widen the commit window).
struct plan_options {
    int count = 10;
    double script_sleep = 0;
    double commit_sleep = 0;
    int only = 0;  ///< when > 0, the sleeps apply to this migration only
};

class migrations_dir {
public:
    explicit migrations_dir(const plan_options& p);
    ~migrations_dir();
    migrations_dir(const migrations_dir&) = delete;
    migrations_dir& operator=(const migrations_dir&) = delete;
    void add_raw(const std::string& name, const std::string& sql) const;
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    [[nodiscard]] std::string dir() const { return path_.string(); }
    [[nodiscard]] const std::vector<std::string>& names() const { return names_; }

private:
    std::filesystem::path path_;
    std::vector<std::string> names_;
};

std::string migration_name(int i);
std::string table_of(int i);

/// Checks the guarantees on a database deployed (maybe partially) with a generated plan:
/// no migration applied twice (applied_log), a table exists iff a finished, non-rolled-back
/// history row exists, each table holds exactly its marker row, applied_log follows the
/// migration order, and no transactional migration has a failed (unfinished) row.
/// Returns a description of each violation (empty: all good), and the number applied.
struct consistency {
    std::vector<std::string> violations;
    int applied = 0;
};
consistency check_consistency(const std::string& url, int count);

// ---- TCP proxy ----------------------------------------------------------------------------

/// Forwards 127.0.0.1:port() to 127.0.0.1:upstream; cut() drops every open connection at once
/// (both directions, like a network failure seen as a reset/EOF by both ends).
class tcp_proxy {
public:
    explicit tcp_proxy(int upstream_port);
    ~tcp_proxy();
    tcp_proxy(const tcp_proxy&) = delete;
    tcp_proxy& operator=(const tcp_proxy&) = delete;
    [[nodiscard]] int port() const { return port_; }
    void cut();
    [[nodiscard]] int connections_cut() const { return cut_count_; }

private:
    void accept_loop();
    void pump(int a, int b);

    int upstream_;
    int listen_fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    std::mutex mu_;
    std::vector<int> fds_;
    std::vector<std::thread> threads_;
    std::thread acceptor_;
    int cut_count_ = 0;
};

/// Port of a postgresql://user@host:PORT/db URL.
int port_of(const std::string& url);

}  // namespace torture
