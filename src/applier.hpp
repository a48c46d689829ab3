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
    std::string origin;                ///< for messages: where migration.sql lives
    const redactor* secrets = nullptr; ///< applied to error texts (scripts may quote secrets)
};

/// Thrown when the connection broke during the COMMIT of a transactional migration: whether it
/// committed is unknown until the history is read again (never guessed, never retried blindly).
struct commit_in_doubt : error {
    commit_in_doubt(const std::string& migration, std::string id, int pid)
        : error(errc::commit_in_doubt,
                "the connection was lost while committing migration " + migration, {}, migration),
          row_id{std::move(id)}, backend_pid{pid} {}
    std::string row_id;  ///< id of the history row the COMMIT would have made durable
    int backend_pid;     ///< the server session that was committing
};

/// Transactional migrations run in one transaction with their history row; on failure nothing
/// of them remains and a rolled-back row records the error. Others run statement by statement
/// in autocommit after their row is committed, and a failure leaves a failed row (P3009).
/// @throws ratchet::error P3018 (migration_failed), deadline_exceeded, connection, P3015.
applied_migration apply_migration(pg_connection& c, const migration& m, const apply_settings& s,
                                  spdlog::logger& log);

}  // namespace ratchet::detail
