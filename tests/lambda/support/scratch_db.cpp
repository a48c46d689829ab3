#include "scratch_db.hpp"

#include <ratchet/target.hpp>
#include "aws/text.hpp"

#include <libpq-fe.h>
#include <boost/test/unit_test.hpp>

#include <unistd.h>
#include <atomic>
#include <cstdlib>
#include <memory>
#include <random>
#include <stdexcept>

namespace ratchet::lambda::test {

namespace {

std::string run(const std::string& conninfo, const std::string& sql) {
    std::unique_ptr<PGconn, decltype(&PQfinish)> c{PQconnectdb(conninfo.c_str()), &PQfinish};
    if (PQstatus(c.get()) != CONNECTION_OK)
        throw std::runtime_error(std::string("connect: ") + PQerrorMessage(c.get()));
    std::unique_ptr<PGresult, decltype(&PQclear)> r{PQexec(c.get(), sql.c_str()), &PQclear};
    const auto st = PQresultStatus(r.get());
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        throw std::runtime_error(std::string("SQL failed: ") + PQresultErrorMessage(r.get()));
    }
    return st == PGRES_TUPLES_OK && PQntuples(r.get()) > 0 ? PQgetvalue(r.get(), 0, 0) : "";
}

std::string with_db(const std::string& url, const std::string& db) {
    const auto q = url.find('?');
    const std::string base = url.substr(0, q);
    const auto slash = base.find('/', base.find("://") + 3);
    return (slash == std::string::npos ? base : base.substr(0, slash)) + "/" + db +
           (q == std::string::npos ? "" : url.substr(q));
}

}  // namespace

std::optional<std::string> admin_url_or_skip() {
    const char* url = std::getenv("RATCHET_TEST_ADMIN_URL");
    const char* ci = std::getenv("CI");
    const bool in_ci = ci != nullptr && std::string(ci) == "true";
    if (url == nullptr || *url == '\0') {
        if (in_ci) BOOST_FAIL("RATCHET_TEST_ADMIN_URL is not set (required in CI)");
        BOOST_TEST_MESSAGE("RATCHET_TEST_ADMIN_URL not set: database test skipped");
        return std::nullopt;
    }
    return std::string(url);
}

scratch_db::scratch_db() {
    const auto admin = admin_url_or_skip();
    if (!admin) throw std::runtime_error("no database server");
    admin_url_ = *admin;
    static std::atomic<int> counter{0};
    std::random_device rd;
    const std::string suffix = std::to_string(::getpid()) + "_" + std::to_string(++counter) + "_" +
                               std::to_string(rd() % 100000);
    name = "ratchet_lambda_" + suffix;
    user = "ratchet_lambda_u_" + suffix;
    // Quote, backslash, double quote and a tab: each is escaped differently in URLs, keyword
    // strings and JSON, so a redaction that runs on the wrong form is caught.
    password = "Pw'd\\ \"S3cr3t\t-" + suffix + "-%&=?";
    const ratchet::target_description t = ratchet::describe_target(admin_url_);
    host = t.host;
    port = t.port;
    std::string quoted = password;
    replace_all(quoted, "'", "''");
    run(admin_url_, "CREATE ROLE " + user + " LOGIN PASSWORD '" + quoted + "'");
    run(admin_url_, "CREATE DATABASE " + name + " OWNER " + user);
}

scratch_db::~scratch_db() {
    try {
        run(admin_url_, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        run(admin_url_, "DROP ROLE IF EXISTS " + user);
    } catch (const std::exception&) {
    }
}

std::string scratch_db::url() const {
    return "postgresql://" + user + ":" + uri_encode(password) + "@" + host + ":" + port + "/" +
           name;
}

std::string scratch_db::query(const std::string& sql) const {
    return run(with_db(admin_url_, name), sql);
}

}  // namespace ratchet::lambda::test
