#include "support.hpp"

#include <libpq-fe.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <random>
#include <stdexcept>

namespace fleet_test {
namespace {

PGconn* as_conn(void* p) {
    return static_cast<PGconn*>(p);
}

std::string unique_suffix() {
    static std::atomic<int> counter{0};
    std::random_device rd;
    return std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
           std::to_string(rd() % 100000);
}

}  // namespace

std::optional<std::string> admin_url() {
    const char* v = std::getenv("RATCHET_TEST_ADMIN_URL");
    if (v == nullptr || *v == '\0') return std::nullopt;
    return std::string{v};
}

boost::test_tools::assertion_result server_available(boost::unit_test::test_unit_id) {
    if (admin_url()) return true;
    const char* ci = std::getenv("CI");
    if (ci != nullptr && std::string_view{ci} == "true") {
        BOOST_FAIL("RATCHET_TEST_ADMIN_URL is not set (required with CI=true)");
    }
    boost::test_tools::assertion_result r{false};
    r.message() << "RATCHET_TEST_ADMIN_URL is not set";
    return r;
}

std::string url_of(const std::string& database, const std::string& query) {
    std::string base = admin_url().value();
    const auto q = base.find('?');
    if (q != std::string::npos) base.resize(q);
    const auto slash = base.rfind('/');
    base = base.substr(0, slash + 1) + database;
    return query.empty() ? base : base + "?" + query;
}

session::session(const std::string& url) : conn_{PQconnectdb(url.c_str())} {
    if (PQstatus(as_conn(conn_)) != CONNECTION_OK) {
        const std::string msg = PQerrorMessage(as_conn(conn_));
        PQfinish(as_conn(conn_));
        throw std::runtime_error("test session: " + msg);
    }
}

session::~session() {
    PQfinish(as_conn(conn_));
}

std::vector<std::string> session::exec(const std::string& sql) const {
    PGresult* r = PQexec(as_conn(conn_), sql.c_str());
    const auto status = PQresultStatus(r);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
        const std::string msg = PQresultErrorMessage(r);
        PQclear(r);
        throw std::runtime_error("test SQL failed: " + msg + " in: " + sql);
    }
    std::vector<std::string> out;
    for (int i = 0; i < PQntuples(r); ++i) out.emplace_back(PQgetvalue(r, i, 0));
    PQclear(r);
    return out;
}

std::string session::scalar(const std::string& sql) const {
    const auto rows = exec(sql);
    return rows.empty() ? std::string{} : rows.front();
}

int session::pid() const {
    return PQbackendPID(as_conn(conn_));
}

scratch_db::scratch_db() : name_{"ratchet_fleet_" + unique_suffix()} {
    session{admin_url().value()}.exec("CREATE DATABASE " + name_);
}

scratch_db::~scratch_db() {
    try {
        session{admin_url().value()}.exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (...) {
    }
}

migrations_dir::migrations_dir()
    : path_{std::filesystem::temp_directory_path() /
            ("ratchet_fleet_migrations_" + unique_suffix())} {
    std::filesystem::create_directories(path_);
}

migrations_dir::~migrations_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

void migrations_dir::add(const std::string& name, const std::string& sql) const {
    std::filesystem::create_directories(path_ / name);
    std::ofstream{path_ / name / "migration.sql", std::ios::binary} << sql;
}

void add_tables(const migrations_dir& dir, int n) {
    for (int k = 1; k <= n; ++k) {
        char name[32];
        std::snprintf(name, sizeof name, "%04d_m%04d", k, k);
        dir.add(name, "CREATE TABLE t" + std::to_string(k) + " (id int PRIMARY KEY, note text);\n");
    }
}

int closed_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

}  // namespace fleet_test
