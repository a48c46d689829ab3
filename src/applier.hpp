// Apply: runs one migration and writes its history row.
#pragma once

#include "pg.hpp"
#include "redactor.hpp"

#include <ratchet/error.hpp>
#include <ratchet/migration.hpp>
#include <ratchet/report.hpp>

#include <spdlog/logger.h>

#include <chrono>
#include <optional>

namespace ratchet::detail {

struct apply_settings {
    std::optional<std::chrono::milliseconds> lock_timeout;       ///< SET lock_timeout
    std::optional<std::chrono::milliseconds> statement_timeout;  ///< SET statement_timeout
    int lock_retries = 0;
    std::chrono::milliseconds retry_backoff{1000};
    std::string origin;                 ///< for messages: where migration.sql lives
    const redactor* secrets = nullptr;  ///< applied to error texts (scripts may quote secrets)
    /// Pooler-safe deploys: `SET LOCAL search_path = ...;` for history writes outside the
    /// migration's own transaction (the session's search_path is not kept by a pooler).
    std::string search_path_sql;
};

/// Why a transactional migration failed, with the text recorded in the history's logs.
struct transaction_failure {
    pg_error_info error;
    std::string logs;
};

/// Thrown when the connection broke during the COMMIT of a transactional migration: whether it
/// committed is unknown until the history is read again (never guessed, never retried blindly).
struct commit_in_doubt : error {
    commit_in_doubt(const std::string& migration, std::string id, int pid)
        : error(errc::commit_in_doubt,
                "the connection was lost while committing migration " + migration, {}, migration),
          row_id{std::move(id)},
          backend_pid{pid} {}
    std::string row_id;  ///< id of the history row the COMMIT would have made durable
    int backend_pid;     ///< the server session that was committing
};

/// Transactional migrations run in one transaction with their history row; on failure nothing
/// of them remains and a rolled-back row records the error. Others run statement by statement
/// in autocommit after their row is committed, and a failure leaves a failed row (P3009).
/// @throws ratchet::error P3018 (migration_failed), deadline_exceeded, connection, P3015.
applied_migration apply_migration(pg_connection& c, const migration& m, const apply_settings& s,
                                  spdlog::logger& log);

/// A transactional migration inside a transaction the caller opened (BEGIN and whatever it
/// needs, e.g. the pooler-safe lock): SET LOCAL timeouts, the script, the history row, COMMIT.
/// On failure it rolls back and returns why; nothing is recorded yet.
/// @throws commit_in_doubt, or ratchet::error when the connection breaks.
std::optional<transaction_failure> finish_in_open_transaction(pg_connection& c, const migration& m,
                                                              const apply_settings& s,
                                                              timestamp started);

/// Records a failed transactional attempt (a rolled-back row with its logs) and throws P3018,
/// deadline_exceeded or connection.
[[noreturn]] void record_failure(pg_connection& c, const migration& m, const apply_settings& s,
                                 timestamp started, const transaction_failure& f);

}  // namespace ratchet::detail
