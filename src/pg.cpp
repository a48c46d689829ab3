#include "pg.hpp"

#include "tls_identity.hpp"

#include <ratchet/error.hpp>
#include <ratchet/options.hpp>

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>

namespace ratchet::detail {
namespace {

// After cancelling at the deadline, how long to wait for the server to confirm.

std::string field(const PGresult* r, int code) {
    const char* v = PQresultErrorField(r, code);
    return v != nullptr ? v : "";
}

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

void forward_notice(void* arg, const PGresult* r) {
    auto* handler = static_cast<notice_handler*>(arg);
    if (handler != nullptr && *handler) {
        try {
            (*handler)(trimmed(PQresultErrorMessage(r)));
        } catch (...) {  // a log sink must never break a migration
        }
    }
}

}  // namespace

bool connect_failure_may_pass(std::string_view message) {
    constexpr std::string_view never[] = {"password authentication failed",
                                          "authentication failed",
                                          "no pg_hba.conf entry",
                                          "SSL",
                                          "certificate",
                                          "does not exist",
                                          "permission denied",
                                          "invalid",
                                          "unsupported"};
    constexpr std::string_view transient[] = {
        "Connection refused",
        "No such file or directory",
        "the database system is starting up",
        "the database system is not yet accepting connections",
        "the database system is in recovery mode",
        "the database system is shutting down",
        "too many clients",
        "too many connections",
        "remaining connection slots are reserved",
        "could not translate host name",
        "timeout expired",
        "server closed the connection unexpectedly",
        "Network is unreachable",
        "No route to host"};
    for (const auto n : never) {
        if (message.find(n) != std::string_view::npos) return false;
    }
    for (const auto t : transient) {
        if (message.find(t) != std::string_view::npos) return true;
    }
    return false;
}

std::string connect_failure_summary(std::string_view message) {
    const auto failed = message.rfind("failed: ");
    std::string_view s = failed == std::string_view::npos ? message : message.substr(failed + 8);
    s = s.substr(0, s.find('\n'));
    return std::string{s};
}

pg_result_ptr& pg_result_ptr::operator=(pg_result_ptr&& o) noexcept {
    if (this != &o) {
        PQclear(r_);
        r_ = std::exchange(o.r_, nullptr);
    }
    return *this;
}

pg_result_ptr::~pg_result_ptr() {
    PQclear(r_);
}

int pg_result_ptr::rows() const noexcept {
    return r_ != nullptr ? PQntuples(r_) : 0;
}

bool pg_result_ptr::is_null(int row, int col) const noexcept {
    return PQgetisnull(r_, row, col) != 0;
}

std::string_view pg_result_ptr::get(int row, int col) const noexcept {
    return {PQgetvalue(r_, row, col), static_cast<std::size_t>(PQgetlength(r_, row, col))};
}

pg_connection::pg_connection(const connection_target& target, const redactor& secrets,
                             deadline_t deadline, notice_handler on_notice)
    : secrets_{&secrets},
      deadline_{deadline},
      display_{target.display},
      on_notice_{std::make_unique<notice_handler>(std::move(on_notice))} {
    std::vector<const char*> keys;
    std::vector<const char*> values;
    std::string timeout_value;
    // Prisma's PKCS#12 identity, as the PEM files libpq reads, for the handshake only.
    std::optional<pem_identity> identity;
    std::string identity_cert;
    std::string identity_key;
    if (target.ssl_identity) {
        identity.emplace(*target.ssl_identity, target.ssl_identity_password);
        identity_cert = identity->cert_file();
        identity_key = identity->key_file();
        keys.insert(keys.end(), {"sslcert", "sslkey"});
        values.insert(values.end(), {identity_cert.c_str(), identity_key.c_str()});
    }
    for (const auto& [k, v] : target.params) {
        if (k == "connect_timeout" && deadline) continue;  // bounded below
        keys.push_back(k.c_str());
        values.push_back(v.c_str());
    }
    if (deadline) {
        const auto left =
            std::chrono::duration_cast<std::chrono::seconds>(*deadline - clock::now());
        timeout_value = std::to_string(std::max<long long>(2, left.count()));
        keys.push_back("connect_timeout");
        values.push_back(timeout_value.c_str());
    }
    keys.push_back(nullptr);
    values.push_back(nullptr);
    conn_ = PQconnectdbParams(keys.data(), values.data(), 0);
    if (conn_ == nullptr) throw error(errc::connection, "cannot connect: out of memory");
    if (PQstatus(conn_) != CONNECTION_OK) {
        const std::string msg = secrets.redact(trimmed(PQerrorMessage(conn_)));
        PQfinish(conn_);
        conn_ = nullptr;
        throw error(errc::connection, "cannot connect to the database at " + display_ + ": " + msg);
    }
    PQsetNoticeReceiver(conn_, forward_notice, on_notice_.get());
    pid_ = PQbackendPID(conn_);
}

pg_connection::pg_connection(pg_connection&& o) noexcept
    : conn_{std::exchange(o.conn_, nullptr)},
      secrets_{o.secrets_},
      deadline_{o.deadline_},
      display_{std::move(o.display_)},
      on_notice_{std::move(o.on_notice_)},
      pid_{o.pid_} {}

pg_connection& pg_connection::operator=(pg_connection&& o) noexcept {
    if (this != &o) {
        PQfinish(conn_);
        conn_ = std::exchange(o.conn_, nullptr);
        secrets_ = o.secrets_;
        deadline_ = o.deadline_;
        display_ = std::move(o.display_);
        on_notice_ = std::move(o.on_notice_);
        pid_ = o.pid_;
    }
    return *this;
}

pg_connection::~pg_connection() {
    PQfinish(conn_);
}

bool pg_connection::ok() const noexcept {
    return conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK;
}

std::string pg_connection::literal(std::string_view value) const {
    char* escaped = PQescapeLiteral(conn_, value.data(), value.size());
    if (escaped == nullptr)
        throw error(errc::internal,
                    "cannot escape a literal: " + secrets_->redact(PQerrorMessage(conn_)));
    std::string out{escaped};
    PQfreemem(escaped);
    return out;
}

pg_error_info pg_connection::client_error(std::string_view what) const {
    pg_error_info e;
    e.message = secrets_->redact(std::string{what} + ": " + trimmed(PQerrorMessage(conn_)));
    e.connection_lost = true;  // every client-side failure ends the session
    return e;
}

void pg_connection::send_query(const std::string& sql) {
    if (PQsendQuery(conn_, sql.c_str()) == 0) raise(client_error("cannot send query"), "");
}

void pg_connection::send_params(const std::string& sql,
                                const std::vector<std::optional<std::string>>& params,
                                int result_format) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    if (PQsendQueryParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                          values.data(), nullptr, nullptr, result_format) == 0) {
        raise(client_error("cannot send query"), "");
    }
}

// Waits until the socket is readable. At the deadline, asks the server to cancel the running
// statement once, then waits a short grace period for it to answer.
bool pg_connection::wait_readable() {
    bool cancelled = false;
    for (;;) {
        int timeout_ms = -1;
        const auto limit = cancelled ? std::optional{clock::now() + cancel_grace} : deadline_;
        if (limit) {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(*limit - clock::now());
            timeout_ms = static_cast<int>(std::clamp<long long>(left.count(), 0, 60'000));
        }
        pollfd p{PQsocket(conn_), POLLIN, 0};
        const int rc = ::poll(&p, 1, timeout_ms);
        if (rc > 0) return cancelled;
        if (rc < 0 && errno == EINTR) continue;
        if (rc == 0 && limit && clock::now() >= *limit) {
            if (cancelled) return true;  // the server did not answer the cancel; give up below
            if (PGcancel* c = PQgetCancel(conn_)) {
                char buf[256];
                PQcancel(c, buf, sizeof buf);
                PQfreeCancel(c);
            }
            cancelled = true;
        }
    }
}

bool pg_connection::wait_for_notification(std::chrono::milliseconds timeout) {
    auto drain = [this] {
        bool any = false;
        while (PGnotify* n = PQnotifies(conn_)) {
            any = true;
            PQfreemem(n);
        }
        return any;
    };
    if (PQconsumeInput(conn_) == 0) raise(client_error("connection lost"), "");
    if (drain()) return true;
    auto limit = clock::now() + timeout;
    if (deadline_ && *deadline_ < limit) limit = *deadline_;
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(limit - clock::now());
        if (left.count() <= 0) return false;
        pollfd p{PQsocket(conn_), POLLIN, 0};
        const int rc = ::poll(&p, 1, static_cast<int>(left.count()));
        if (rc < 0 && errno == EINTR) continue;
        if (rc == 0) return false;
        if (PQconsumeInput(conn_) == 0) raise(client_error("connection lost"), "");
        if (drain()) return true;
    }
}

std::optional<pg_error_info> pg_connection::collect(std::vector<pg_result_ptr>& results) {
    std::optional<pg_error_info> first_error;
    bool deadline_hit = false;
    for (;;) {
        while (PQisBusy(conn_) != 0) {
            if (deadline_ && !deadline_hit && clock::now() >= *deadline_) deadline_hit = true;
            if (wait_readable()) deadline_hit = true;
            if (PQconsumeInput(conn_) == 0) return client_error("connection lost");
        }
        pg_result_ptr r{PQgetResult(conn_)};
        if (r.raw() == nullptr) break;
        const auto st = PQresultStatus(r.raw());
        if (st == PGRES_COPY_IN) {
            PQputCopyEnd(conn_, "COPY FROM STDIN is not supported in migration scripts");
            continue;
        }
        if (st == PGRES_FATAL_ERROR || st == PGRES_NONFATAL_ERROR) {
            if (!first_error) {
                pg_error_info e;
                e.sqlstate = field(r.raw(), PG_DIAG_SQLSTATE);
                e.severity = field(r.raw(), PG_DIAG_SEVERITY);
                e.message = secrets_->redact(field(r.raw(), PG_DIAG_MESSAGE_PRIMARY));
                e.detail = secrets_->redact(field(r.raw(), PG_DIAG_MESSAGE_DETAIL));
                e.hint = secrets_->redact(field(r.raw(), PG_DIAG_MESSAGE_HINT));
                const std::string pos = field(r.raw(), PG_DIAG_STATEMENT_POSITION);
                e.position = pos.empty() ? 0 : std::stoul(pos);
                if (e.sqlstate.empty()) e = client_error("query failed");
                e.cancelled_by_deadline = deadline_hit && e.sqlstate == "57014";
                first_error = std::move(e);
            }
            continue;
        }
        results.push_back(std::move(r));
    }
    if (PQstatus(conn_) != CONNECTION_OK && !first_error) return client_error("connection lost");
    // A statement that finished just as the deadline passed keeps its result.
    return first_error;
}

void pg_connection::raise(const pg_error_info& info, std::string_view context) const {
    std::string msg{context};
    if (!msg.empty()) msg += ": ";
    msg += info.message;
    if (!info.detail.empty()) msg += "\nDETAIL: " + info.detail;
    if (!info.hint.empty()) msg += "\nHINT: " + info.hint;
    if (info.cancelled_by_deadline)
        throw error(errc::deadline_exceeded, "deadline reached; " + msg, info.sqlstate);
    if (info.connection_lost) throw error(errc::connection, msg, info.sqlstate);
    throw error(errc::database, msg, info.sqlstate);
}

pg_result_ptr pg_connection::last_result() {
    std::vector<pg_result_ptr> results;
    if (auto e = collect(results)) raise(*e, "");
    return results.empty() ? pg_result_ptr{} : std::move(results.back());
}

pg_result_ptr pg_connection::exec(const std::string& sql) {
    send_query(sql);
    return last_result();
}

pg_result_ptr pg_connection::exec_binary(const std::string& sql) {
    send_params(sql, {}, 1);
    return last_result();
}

pg_result_ptr pg_connection::exec_params(const std::string& sql,
                                         const std::vector<std::optional<std::string>>& params) {
    send_params(sql, params, 0);
    return last_result();
}

script_outcome pg_connection::run_script(const std::string& sql) {
    script_outcome out;
    if (PQsendQuery(conn_, sql.c_str()) == 0) {
        out.failure = client_error("cannot send the script");
        return out;
    }
    std::vector<pg_result_ptr> results;
    out.failure = collect(results);
    out.statements_ok = static_cast<std::size_t>(std::count_if(
        results.begin(), results.end(),
        [](const pg_result_ptr& r) { return PQresultStatus(r.raw()) != PGRES_EMPTY_QUERY; }));
    return out;
}

}  // namespace ratchet::detail
