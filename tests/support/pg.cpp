#include "pg.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <memory>
#include <stdexcept>

namespace ratchet_test {
namespace {

using conn_ptr = std::unique_ptr<PGconn, decltype(&PQfinish)>;
using result_ptr = std::unique_ptr<PGresult, decltype(&PQclear)>;

conn_ptr connect(const std::string& conninfo) {
    conn_ptr c{PQconnectdb(conninfo.c_str()), &PQfinish};
    if (PQstatus(c.get()) != CONNECTION_OK) {
        throw std::runtime_error("connect: " + std::string{PQerrorMessage(c.get())});
    }
    return c;
}

rows run(PGconn* c, const std::string& sql) {
    const result_ptr r{PQexec(c, sql.c_str()), &PQclear};
    const auto st = PQresultStatus(r.get());
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        throw std::runtime_error("SQL failed: " + sql.substr(0, 200) + ": " + PQerrorMessage(c));
    }
    rows out;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
        auto& one = out.emplace_back();
        for (int j = 0; j < PQnfields(r.get()); ++j) {
            if (PQgetisnull(r.get(), i, j) != 0) {
                one.emplace_back(std::nullopt);
            } else {
                one.emplace_back(PQgetvalue(r.get(), i, j));
            }
        }
    }
    return out;
}

PGconn* pg(void* c) {
    return static_cast<PGconn*>(c);
}

}  // namespace

rows query(const std::string& conninfo, const std::string& sql) {
    const auto c = connect(conninfo);
    return run(c.get(), sql);
}

std::optional<std::string> scalar(const std::string& conninfo, const std::string& sql) {
    const auto r = query(conninfo, sql);
    if (r.empty() || r[0].empty()) return std::nullopt;
    return r[0][0];
}

session::session(const std::string& conninfo) : conn_{connect(conninfo).release()} {}

session::~session() {
    PQfinish(pg(conn_));
}

rows session::exec(const std::string& sql) const {
    return run(pg(conn_), sql);
}

std::optional<std::string> session::scalar(const std::string& sql) const {
    const auto r = exec(sql);
    if (r.empty() || r[0].empty()) return std::nullopt;
    return r[0][0];
}

int session::pid() const {
    return PQbackendPID(pg(conn_));
}

std::string session::next_notification(std::chrono::milliseconds timeout) const {
    const auto give_up = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < give_up) {
        PQconsumeInput(pg(conn_));
        if (PGnotify* n = PQnotifies(pg(conn_))) {
            std::string channel = n->relname;
            PQfreemem(n);
            return channel;
        }
        pollfd p{PQsocket(pg(conn_)), POLLIN, 0};
        ::poll(&p, 1, 50);
    }
    return {};
}

}  // namespace ratchet_test
