// Torture-test support: knobs from the environment, the CLI as a child process, a migrations
// directory generator, a cuttable TCP proxy, and the consistency check every scenario ends with.
// Scratch databases, sessions, the row reader and child processes are the shared ones of
// tests/support.
#pragma once

#include <ratchet/ratchet.hpp>

#include "support/pg.hpp"
#include "support/process.hpp"
#include "support/scratch_db.hpp"

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

// ---- child processes, databases (tests/support) --------------------------------------------

using ratchet_test::child_process;
using ratchet_test::query;
using ratchet_test::scalar;
using ratchet_test::scratch_db;
using ratchet_test::session;

/// The CLI (`deploy` or another command) in the background; stdout+stderr in output().
child_process spawn_cli(const std::vector<std::string>& args);

/// The shared test server, from RATCHET_TEST_ADMIN_URL (throws when unset).
std::string admin_url();

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
    void add_raw(const std::string& name, const std::string& sql) const { files_.add(name, sql); }
    [[nodiscard]] const std::filesystem::path& path() const { return files_.path(); }
    [[nodiscard]] std::string dir() const { return files_.path().string(); }
    [[nodiscard]] const std::vector<std::string>& names() const { return names_; }

private:
    ratchet_test::migrations_dir files_;
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

}  // namespace torture
