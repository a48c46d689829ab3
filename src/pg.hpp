// libpq RAII wrappers. Every query goes through one deadline-aware path that can cancel the
// running statement, and every error text is redacted before it leaves.
#pragma once

#include "conninfo.hpp"
#include "redactor.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct pg_conn;
struct pg_result;
typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;

namespace ratchet::detail {

using clock = std::chrono::system_clock;
using deadline_t = std::optional<clock::time_point>;

/// Details of a server error (or a client-side failure, with an empty sqlstate).
struct pg_error_info {
    std::string sqlstate;
    std::string severity;
    std::string message;
    std::string detail;
    std::string hint;
    std::size_t position = 0;      ///< 1-based character position in the query, 0 if none
    bool connection_lost = false;  ///< the connection is gone (outcome of a COMMIT unknown)
    bool cancelled_by_deadline = false;
};

/// One PGresult, owned.
class pg_result_ptr {
public:
    explicit pg_result_ptr(PGresult* r = nullptr) noexcept : r_{r} {}
    pg_result_ptr(pg_result_ptr&& o) noexcept : r_{std::exchange(o.r_, nullptr)} {}
    pg_result_ptr& operator=(pg_result_ptr&& o) noexcept;
    pg_result_ptr(const pg_result_ptr&) = delete;
    pg_result_ptr& operator=(const pg_result_ptr&) = delete;
    ~pg_result_ptr();

    [[nodiscard]] int rows() const noexcept;
    [[nodiscard]] bool is_null(int row, int col) const noexcept;
    [[nodiscard]] std::string_view get(int row, int col) const noexcept;
    [[nodiscard]] PGresult* raw() const noexcept { return r_; }

private:
    PGresult* r_;
};

/// Outcome of a simple query that may hold several statements.
struct script_outcome {
    std::size_t statements_ok = 0;  ///< results received before the error
    std::optional<pg_error_info> failure;
};

using notice_handler = std::function<void(std::string_view)>;

/// An open connection. Closed on destruction.
/// Whether a failed connection attempt can succeed later without anyone changing anything:
/// connection refused, no socket yet, the database system starting up or in recovery, too many
/// connections, name resolution, timeouts. Authentication, TLS and "does not exist" cannot.
bool connect_failure_may_pass(std::string_view libpq_message);

/// The part of libpq's message worth one progress line ("Connection refused", ...).
std::string connect_failure_summary(std::string_view libpq_message);

class pg_connection {
public:
    /// Connects; connect_timeout is bounded by the deadline.
    /// @throws ratchet::error (connection) with a redacted message.
    pg_connection(const connection_target& target, const redactor& secrets, deadline_t deadline,
                  notice_handler on_notice);
    pg_connection(pg_connection&&) noexcept;
    pg_connection& operator=(pg_connection&&) noexcept;
    pg_connection(const pg_connection&) = delete;
    pg_connection& operator=(const pg_connection&) = delete;
    ~pg_connection();

    /// Runs one simple query (which may hold several statements) and returns the last result.
    /// @throws ratchet::error (database / connection / deadline_exceeded).
    pg_result_ptr exec(const std::string& sql);

    /// Runs one statement with text parameters (nullopt is NULL).
    /// @throws ratchet::error as exec().
    pg_result_ptr exec_params(const std::string& sql,
                              const std::vector<std::optional<std::string>>& params);

    /// Runs one parameterless statement and asks for every column in binary format (raw bytes
    /// for text, big-endian integers, timestamps as microseconds since 2000-01-01).
    /// @throws ratchet::error as exec().
    pg_result_ptr exec_binary(const std::string& sql);

    /// Runs a whole script as one simple query, counting the statements that succeeded
    /// before a failure. Never throws for server errors; the failure is returned.
    script_outcome run_script(const std::string& sql);

    /// Waits up to `timeout` (never past the deadline) for a NOTIFY on a channel this session
    /// LISTENs to, and discards the notifications received. @return true when one arrived.
    /// @throws ratchet::error (connection) when the connection is lost.
    bool wait_for_notification(std::chrono::milliseconds timeout);

    /// Escapes a value as an SQL string literal ('...'), using the connection's encoding.
    [[nodiscard]] std::string literal(std::string_view value) const;

    /// True while the connection is usable.
    [[nodiscard]] bool ok() const noexcept;

    /// The server session's pid, remembered at connect time (libpq forgets it once the
    /// connection is lost, which is exactly when it is needed).
    [[nodiscard]] int backend_pid() const noexcept { return pid_; }

    /// Changes the deadline for later queries.
    void set_deadline(deadline_t d) noexcept { deadline_ = d; }

    /// Turns a failure into a ratchet::error with the given code for server errors.
    [[noreturn]] void raise(const pg_error_info& info, std::string_view context) const;

private:
    void send_query(const std::string& sql);
    // result_format: 0 text, 1 binary (every column).
    void send_params(const std::string& sql, const std::vector<std::optional<std::string>>& params,
                     int result_format);
    // Waits for every result of the query just sent; throws on the first error, returns the last.
    pg_result_ptr last_result();
    // Waits for and collects all results; returns the first error, if any.
    std::optional<pg_error_info> collect(std::vector<pg_result_ptr>& results);
    bool wait_readable();
    pg_error_info client_error(std::string_view what) const;

    PGconn* conn_ = nullptr;
    const redactor* secrets_ = nullptr;
    deadline_t deadline_;
    std::string display_;
    std::unique_ptr<notice_handler> on_notice_;
    int pid_ = 0;
};

}  // namespace ratchet::detail
