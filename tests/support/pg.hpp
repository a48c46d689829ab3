// Test support: the one libpq row reader of the C++ tests. Plain libpq, no ratchet code, so a
// test checks the engine with something the engine did not write.
//
//   ratchet_test::rows r = ratchet_test::query(url, "SELECT a, b FROM t");  // r[i][j]: nullable
//   std::optional<std::string> n = ratchet_test::scalar(url, "SELECT count(*) FROM t");
//   ratchet_test::session s{url};  // one live connection: hold a lock, LISTEN, ...
//   s.exec("SELECT pg_advisory_lock(1)");
//
// Errors throw std::runtime_error naming the statement (first 200 characters) and the server's
// message; libpq's messages never contain the password.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace ratchet_test {

/// One row: a value per column, nullopt for SQL NULL (text format).
using row = std::vector<std::optional<std::string>>;
using rows = std::vector<row>;

/// Runs SQL (autocommit, any number of statements: the last result is returned) on a new
/// connection to `conninfo` (URL or keyword string), then closes it.
rows query(const std::string& conninfo, const std::string& sql);
/// First column of the first row; nullopt for NULL or no row.
std::optional<std::string> scalar(const std::string& conninfo, const std::string& sql);

/// A live connection kept for the object's lifetime (to hold locks, block tables, LISTEN,
/// watch pg_stat_activity). Destroying it closes the connection, as a dying client would.
class session {
public:
    explicit session(const std::string& conninfo);
    ~session();
    session(const session&) = delete;
    session& operator=(const session&) = delete;

    /// Runs SQL on this connection; returns the rows of the last statement.
    rows exec(const std::string& sql) const;
    /// First column of the first row of the last statement; nullopt for NULL or no row.
    [[nodiscard]] std::optional<std::string> scalar(const std::string& sql) const;
    /// The server process id of this connection (pg_backend_pid()).
    [[nodiscard]] int pid() const;
    /// The channel of the next NOTIFY this session receives (it must LISTEN first), or empty
    /// when none arrives within `timeout`.
    [[nodiscard]] std::string next_notification(std::chrono::milliseconds timeout) const;

private:
    void* conn_;  // PGconn*, kept out of the header so tests need not include libpq-fe.h
};

}  // namespace ratchet_test
