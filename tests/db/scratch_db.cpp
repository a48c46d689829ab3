#include "scratch_db.hpp"

#include <libpq-fe.h>
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <stdexcept>

namespace ratchet_test {
namespace {

namespace fs = std::filesystem;
using conn_ptr = std::unique_ptr<PGconn, decltype(&PQfinish)>;
using result_ptr = std::unique_ptr<PGresult, decltype(&PQclear)>;

conn_ptr connect(const std::string& url) {
    conn_ptr c{PQconnectdb(url.c_str()), &PQfinish};
    if (PQstatus(c.get()) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(c.get()));
    return c;
}

result_ptr run(PGconn* c, const std::string& sql) {
    result_ptr r{PQexec(c, sql.c_str()), &PQclear};
    const auto st = PQresultStatus(r.get());
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        throw std::runtime_error("SQL failed: " + sql + ": " + PQerrorMessage(c));
    }
    return r;
}

std::string replace_database(const std::string& url, const std::string& db) {
    const auto slash = url.find('/', url.find("://") + 3);
    return url.substr(0, slash) + "/" + db;
}

std::atomic<int> counter{0};

}  // namespace

std::optional<std::string> admin_url() {
    if (const char* v = std::getenv("RATCHET_TEST_ADMIN_URL"); v != nullptr && *v != '\0') return std::string{v};
    return std::nullopt;
}

boost::test_tools::assertion_result server_available(boost::unit_test::test_unit_id) {
    if (admin_url()) return true;
    const char* ci = std::getenv("CI");
    if (ci != nullptr && std::string_view{ci} == "true") {
        return true;  // run anyway: the fixture fails loudly, a skip would hide the gap
    }
    boost::test_tools::assertion_result r{false};
    r.message() << "RATCHET_TEST_ADMIN_URL is not set (run the tests through scripts/test.sh)";
    return r;
}

scratch_db::scratch_db() {
    const auto admin = admin_url();
    if (!admin) throw std::runtime_error("RATCHET_TEST_ADMIN_URL is not set: no PostgreSQL server for database tests");
    name_ = "ratchet_t_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    auto c = connect(*admin);
    run(c.get(), "CREATE DATABASE " + name_ + " TEMPLATE template0");
}

scratch_db::~scratch_db() {
    try {
        auto c = connect(*admin_url());
        run(c.get(), "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (...) {  // never throw from a fixture destructor; the cluster is thrown away anyway
    }
}

std::string scratch_db::url(const std::string& query) const {
    return replace_database(*admin_url(), name_) + (query.empty() ? "" : "?" + query);
}

void scratch_db::exec(const std::string& sql) const {
    auto c = connect(url());
    run(c.get(), sql);
}

std::optional<std::string> scratch_db::scalar(const std::string& sql) const {
    const auto r = rows(sql);
    if (r.empty() || r[0].empty()) return std::nullopt;
    return r[0][0];
}

std::vector<std::vector<std::optional<std::string>>> scratch_db::rows(const std::string& sql) const {
    auto c = connect(url());
    const auto r = run(c.get(), sql);
    std::vector<std::vector<std::optional<std::string>>> out;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
        auto& row = out.emplace_back();
        for (int j = 0; j < PQnfields(r.get()); ++j) {
            if (PQgetisnull(r.get(), i, j) != 0) {
                row.emplace_back(std::nullopt);
            } else {
                row.emplace_back(PQgetvalue(r.get(), i, j));
            }
        }
    }
    return out;
}

bool scratch_db::table_exists(const std::string& qualified) const {
    return scalar("SELECT to_regclass('" + qualified + "') IS NOT NULL") == "t";
}

migrations_dir::migrations_dir() {
    path_ = fs::temp_directory_path() /
            ("ratchet_db_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(path_);
    fs::create_directories(path_);
}

migrations_dir::~migrations_dir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
}

void migrations_dir::add(const std::string& name, const std::string& sql) const {
    write(name + "/migration.sql", sql);
}

void migrations_dir::write(const std::string& relative, const std::string& content) const {
    fs::create_directories((path_ / relative).parent_path());
    std::ofstream{path_ / relative, std::ios::binary} << content;
}

void migrations_dir::remove(const std::string& relative) const { fs::remove_all(path_ / relative); }

bool captured_log::contains(std::string_view text) const {
    for (const auto& l : lines) {
        if (l.find(text) != std::string::npos) return true;
    }
    return false;
}

ratchet::engine make_engine(const scratch_db& db, const migrations_dir& dir, ratchet::options extra) {
    if (extra.url.empty()) extra.url = db.url();
    extra.migrations = dir.load();
    return ratchet::engine{std::move(extra)};
}

session::session(const std::string& url) : conn_{PQconnectdb(url.c_str())} {
    if (PQstatus(static_cast<PGconn*>(conn_)) != CONNECTION_OK) {
        const std::string msg = PQerrorMessage(static_cast<PGconn*>(conn_));
        PQfinish(static_cast<PGconn*>(conn_));
        throw std::runtime_error(msg);
    }
}

session::~session() { PQfinish(static_cast<PGconn*>(conn_)); }

void session::exec(const std::string& sql) const { run(static_cast<PGconn*>(conn_), sql); }

int session::pid() const { return PQbackendPID(static_cast<PGconn*>(conn_)); }

std::string session::next_notification(std::chrono::milliseconds timeout) const {
    auto* c = static_cast<PGconn*>(conn_);
    const auto give_up = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < give_up) {
        PQconsumeInput(c);
        if (PGnotify* n = PQnotifies(c)) {
            std::string channel = n->relname;
            PQfreemem(n);
            return channel;
        }
        pollfd p{PQsocket(c), POLLIN, 0};
        ::poll(&p, 1, 50);
    }
    return {};
}

}  // namespace ratchet_test
