#include "applier.hpp"

#include "history_table.hpp"
#include "prisma_text.hpp"
#include "sql_lexer.hpp"

#include <ratchet/error.hpp>

#include <random>
#include <thread>

namespace ratchet::detail {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

struct timeouts {
    std::optional<milliseconds> lock;
    std::optional<milliseconds> statement;
};

timeouts effective(const migration& m, const apply_settings& s) {
    return {m.settings.lock_timeout ? m.settings.lock_timeout : s.lock_timeout,
            m.settings.statement_timeout ? m.settings.statement_timeout : s.statement_timeout};
}

std::string set_timeouts_sql(const timeouts& t, bool local) {
    const std::string scope = local ? "SET LOCAL " : "SET ";
    std::string sql;
    if (t.lock) sql += scope + "lock_timeout = " + std::to_string(t.lock->count()) + ";";
    if (t.statement)
        sql += scope + "statement_timeout = " + std::to_string(t.statement->count()) + ";";
    return sql;
}

// Where in migration.sql the failure is: the failing statement (counted from the results the
// server sent before the error), refined by the server's character position when it has one.
std::string locate(const migration& m, std::string_view script, const pg_error_info& e,
                   std::size_t failed_statement, std::size_t statement_offset,
                   const std::vector<sql_statement>& statements) {
    std::optional<std::size_t> byte;
    if (e.position > 0) {
        byte = statement_offset + byte_of_char_position(script, e.position);
    } else if (failed_statement < statements.size()) {
        byte = statements[failed_statement].begin;
    }
    if (!byte) return {};
    const auto pos = position_of_byte(m.sql, *byte);
    std::string where = "\n\nPosition: " + m.name + "/migration.sql line " +
                        std::to_string(pos.line) + ", column " + std::to_string(pos.column);
    if (failed_statement < statements.size()) {
        std::string_view text = statements[failed_statement].text(m.sql);
        if (text.size() > 300) text = text.substr(0, 300);
        where += " (statement " + std::to_string(failed_statement + 1) + ")\n" + std::string{text};
        if (statements[failed_statement].end - statements[failed_statement].begin > 300)
            where += " ...";
    }
    return where;
}

std::string failure_logs(const migration& m, const pg_error_info& e, const std::string& where,
                         const apply_settings& settings) {
    std::string s = prisma_text::p3018_head(m.name);
    s += "\nDatabase error code: " + (e.sqlstate.empty() ? std::string{"none"} : e.sqlstate) + "\n";
    s += "\nDatabase error:\n" + (e.severity.empty() ? "ERROR" : e.severity) + ": " + e.message;
    if (!e.detail.empty()) s += "\nDETAIL: " + e.detail;
    if (!e.hint.empty()) s += "\nHINT: " + e.hint;
    s += where + "\n";
    return settings.secrets != nullptr ? settings.secrets->redact(s) : s;
}

[[noreturn]] void throw_failed(const migration& m, const pg_error_info& e,
                               const std::string& logs) {
    if (e.cancelled_by_deadline) {
        throw error(errc::deadline_exceeded,
                    "deadline reached while applying migration " + m.name +
                        "; the running statement was cancelled",
                    e.sqlstate, m.name);
    }
    if (e.connection_lost) {
        throw error(errc::connection,
                    "lost the connection while applying migration " + m.name + ": " + e.message,
                    e.sqlstate, m.name);
    }
    throw error(errc::migration_failed, logs, e.sqlstate, m.name);
}

// After a deadline cancelled the script, the ROLLBACK and the record of the attempt still need a
// moment; without this they would be cancelled too.
void allow_cleanup(pg_connection& c, const pg_error_info& e) {
    if (e.cancelled_by_deadline) c.set_deadline(clock::now() + std::chrono::seconds{2});
}

void record_rolled_back_attempt(pg_connection& c, const migration& m, timestamp started,
                                const std::string& logs, const std::string& search_path_sql) {
    history_row row{new_uuid_v4(), m.checksum, std::nullopt, m.name, logs, now_utc(), started, 0};
    if (search_path_sql.empty()) {
        c.exec(insert_row_sql(c, row));
    } else {
        c.exec("BEGIN;" + search_path_sql + insert_row_sql(c, row) + ";COMMIT");
    }
}

// Scripts up to this size go to the server as one simple query, exactly as Prisma sends them.
// Larger ones are sent in pieces of about this size, cut between top-level statements, inside
// the same transaction: same effect, but libpq does not hold several copies of a huge script.
constexpr std::size_t one_message_limit = std::size_t{4} << 20U;
constexpr std::size_t piece_size = std::size_t{1} << 20U;

struct script_run {
    std::size_t statements_ok = 0;  ///< statements of the whole script that succeeded
    std::optional<pg_error_info> failure;
    std::string_view failed_text;   ///< the message that failed (for the server's position)
    std::size_t failed_offset = 0;  ///< its byte offset in the script
};

script_run run_in_transaction(pg_connection& c, const std::string& sql) {
    if (sql.size() <= one_message_limit) {
        const auto out = c.run_script(sql);
        return {out.statements_ok, out.failure, sql, 0};
    }
    const auto statements = split_statements(sql);
    script_run run;
    std::size_t first = 0;
    while (first < statements.size()) {
        std::size_t last = first;
        while (last + 1 < statements.size() &&
               statements[last + 1].end - statements[first].begin <= piece_size)
            ++last;
        const std::size_t begin = statements[first].begin;
        const std::string piece = sql.substr(begin, statements[last].end - begin);
        const auto out = c.run_script(piece);
        run.statements_ok += out.statements_ok;
        if (out.failure) {
            run.failure = out.failure;
            run.failed_text = std::string_view{sql}.substr(begin, piece.size());
            run.failed_offset = begin;
            return run;
        }
        first = last + 1;
    }
    return run;
}

}  // namespace

std::optional<transaction_failure> finish_in_open_transaction(pg_connection& c, const migration& m,
                                                              const apply_settings& s,
                                                              timestamp started) {
    const timeouts t = effective(m, s);
    if (const auto sql = set_timeouts_sql(t, true); !sql.empty()) c.exec(sql);
    script_run out = run_in_transaction(c, m.sql);
    if (!out.failure) {
        history_row row{new_uuid_v4(), m.checksum,   now_utc(), m.name,
                        std::nullopt,  std::nullopt, started,   1};
        try {
            c.exec(insert_row_sql(c, row) + ";COMMIT");
        } catch (const error& e) {
            if (e.code() == errc::connection)
                throw commit_in_doubt(m.name, row.id, c.backend_pid());
            throw;
        }
        return std::nullopt;
    }
    const auto statements = split_statements(m.sql);
    transaction_failure f{*out.failure,
                          failure_logs(m, *out.failure,
                                       locate(m, out.failed_text, *out.failure, out.statements_ok,
                                              out.failed_offset, statements),
                                       s)};
    allow_cleanup(c, *out.failure);
    if (c.ok()) c.exec("ROLLBACK");
    return f;
}

void record_failure(pg_connection& c, const migration& m, const apply_settings& s,
                    timestamp started, const transaction_failure& f) {
    if (c.ok()) record_rolled_back_attempt(c, m, started, f.logs, s.search_path_sql);
    throw_failed(m, f.error, f.logs);
}

namespace {

void apply_transactional(pg_connection& c, const migration& m, const apply_settings& s,
                         spdlog::logger& log) {
    std::mt19937 rng{std::random_device{}()};
    auto backoff = s.retry_backoff;
    for (int attempt = 0;; ++attempt) {
        const timestamp started = now_utc();
        c.exec("BEGIN");
        const auto failure = finish_in_open_transaction(c, m, s, started);
        if (!failure) return;
        const bool retry = failure->error.sqlstate == "55P03" && attempt < s.lock_retries && c.ok();
        if (retry) {
            const auto wait = backoff + milliseconds{std::uniform_int_distribution<long long>{
                                            0, backoff.count() / 2}(rng)};
            log.warn(
                "migration {} hit lock_timeout (attempt {} of {}); nothing was applied, retrying "
                "in {} ms",
                m.name, attempt + 1, s.lock_retries + 1, wait.count());
            std::this_thread::sleep_for(wait);
            backoff *= 2;
            continue;
        }
        record_failure(c, m, s, started, *failure);
    }
}

void apply_autocommit(pg_connection& c, const migration& m, const apply_settings& s) {
    const timeouts t = effective(m, s);
    history_row row{new_uuid_v4(), m.checksum,   std::nullopt, m.name,
                    std::nullopt,  std::nullopt, now_utc(),    0};
    c.exec(insert_row_sql(c, row));  // committed first: a crash leaves a failed row, as Prisma
    if (t.lock || t.statement) c.exec(set_timeouts_sql(t, false));
    const auto statements = split_statements(m.sql);
    for (std::size_t i = 0; i < statements.size(); ++i) {
        const std::string text{statements[i].text(m.sql)};
        const script_outcome out = c.run_script(text);
        if (!out.failure) continue;
        const std::string logs = failure_logs(
            m, *out.failure, locate(m, text, *out.failure, i, statements[i].begin, statements), s);
        allow_cleanup(c, *out.failure);
        if (c.ok()) {
            c.exec("ROLLBACK");  // harmless outside a block; ends one the script opened
            c.exec(set_logs_sql(c, row.id, logs));
        }
        throw_failed(m, *out.failure, logs);
    }
    c.exec(mark_finished_sql(c, row.id, now_utc()));
    if (t.lock || t.statement) c.exec("RESET lock_timeout; RESET statement_timeout");
}

}  // namespace

applied_migration apply_migration(pg_connection& c, const migration& m, const apply_settings& s,
                                  spdlog::logger& log) {
    if (!m.readable) throw error(errc::script_missing, prisma_text::p3015(), {}, m.name);
    const auto start = std::chrono::steady_clock::now();
    log.info("Applying migration `{}`{}", m.name,
             m.needs_autocommit ? " outside a transaction (" + m.autocommit_reason + ")" : "");
    if (m.needs_autocommit) {
        apply_autocommit(c, m, s);
    } else {
        apply_transactional(c, m, s, log);
    }
    const auto took =
        std::chrono::duration_cast<microseconds>(std::chrono::steady_clock::now() - start);
    log.info("Applied migration `{}` in {:.1f} ms", m.name,
             static_cast<double>(took.count()) / 1000.0);
    return {m.name, took, !m.needs_autocommit};
}

}  // namespace ratchet::detail
