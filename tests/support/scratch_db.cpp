#include "scratch_db.hpp"

#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <random>
#include <stdexcept>
#include <string_view>
#include <thread>

namespace ratchet_test {
namespace {

namespace fs = std::filesystem;

struct url_parts {
    std::string head;       // postgresql://user:pw@
    std::string authority;  // host:port (what follows the last '@' up to '/' or '?')
    std::string database;
    std::string query;  // without '?'
};

url_parts split_url(const std::string& url) {
    const auto scheme = url.find("://");
    if (scheme == std::string::npos) {
        throw std::runtime_error(
            "RATCHET_TEST_ADMIN_URL must be a postgresql:// URL (test support builds per-database "
            "URLs from it); got a keyword string or something else");
    }
    url_parts p;
    const auto start = scheme + 3;
    const auto end = url.find_first_of("/?", start);
    const std::string auth_all = url.substr(start, end == std::string::npos ? end : end - start);
    const auto at = auth_all.rfind('@');
    p.head = url.substr(0, start) + (at == std::string::npos ? "" : auth_all.substr(0, at + 1));
    p.authority = at == std::string::npos ? auth_all : auth_all.substr(at + 1);
    if (end == std::string::npos) return p;
    const auto q = url.find('?', end);
    if (url[end] == '/') p.database = url.substr(end + 1, q == std::string::npos ? q : q - end - 1);
    if (q != std::string::npos) p.query = url.substr(q + 1);
    return p;
}

std::string join_url(const url_parts& p) {
    return p.head + p.authority + "/" + p.database + (p.query.empty() ? "" : "?" + p.query);
}

std::string percent_encode(std::string_view s) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            out += ch;
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

std::string sql_literal(const std::string& s) {
    std::string out = "'";
    for (const char c : s) out += c == '\'' ? std::string{"''"} : std::string(1, c);
    return out + "'";
}

}  // namespace

std::pair<std::string, std::string> host_port(const std::string& url) {
    char* err = nullptr;
    std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> opts{
        PQconninfoParse(url.c_str(), &err), &PQconninfoFree};
    if (!opts) {
        const std::string msg = err != nullptr ? err : "out of memory";
        PQfreemem(err);
        throw std::runtime_error("RATCHET_TEST_ADMIN_URL: " + msg);
    }
    std::string host = "localhost";
    std::string port = "5432";
    for (auto* o = opts.get(); o->keyword != nullptr; ++o) {
        if (o->val == nullptr || *o->val == '\0') continue;
        if (std::string_view{o->keyword} == "host") host = o->val;
        if (std::string_view{o->keyword} == "port") port = o->val;
    }
    return {host, port};
}

namespace {

std::atomic<int> counter{0};

}  // namespace

std::optional<std::string> admin_url() {
    const char* v = std::getenv("RATCHET_TEST_ADMIN_URL");
    if (v != nullptr && *v != '\0') return std::string{v};
    return std::nullopt;
}

bool in_ci() {
    const char* ci = std::getenv("CI");
    return ci != nullptr && std::string_view{ci} == "true";
}

boost::test_tools::assertion_result server_available(boost::unit_test::test_unit_id) {
    if (admin_url() || in_ci()) return true;  // in CI: run, so that the fixture fails loudly
    boost::test_tools::assertion_result r{false};
    r.message() << "RATCHET_TEST_ADMIN_URL is not set (run the tests through scripts/test.sh)";
    return r;
}

std::optional<std::string> admin_url_or_skip() {
    auto url = admin_url();
    if (url) return url;
    if (in_ci()) {
        BOOST_ERROR("RATCHET_TEST_ADMIN_URL is not set (required when CI=true)");
    } else {
        BOOST_TEST_MESSAGE("RATCHET_TEST_ADMIN_URL is not set: database test skipped");
    }
    return std::nullopt;
}

std::string with_database(const std::string& url, const std::string& database) {
    auto p = split_url(url);
    p.database = database;
    return join_url(p);
}

std::string with_query(const std::string& url, const std::string& query) {
    if (query.empty()) return url;
    auto p = split_url(url);
    p.query += (p.query.empty() ? "" : "&") + query;
    return join_url(p);
}

std::string unique_name(const std::string& prefix) {
    static const unsigned salt = std::random_device{}() % 100000;  // pids repeat across runs
    return prefix + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
           std::to_string(salt);
}

scratch_db::scratch_db() : scratch_db(scratch_options{}) {}

scratch_db::scratch_db(scratch_options options) : admin_{std::move(options.admin_url)} {
    if (admin_.empty()) {
        const auto env = ratchet_test::admin_url();
        if (!env) {
            throw std::runtime_error(
                "RATCHET_TEST_ADMIN_URL is not set: no PostgreSQL server for database tests");
        }
        admin_ = *env;
    }
    std::tie(host_, port_) = host_port(admin_);
    name_ = unique_name("ratchet_t_");
    if (options.own_role) {
        user_ = name_ + "_owner";
        // Quote, backslash, double quote, tab, %, &, =, ?: each is escaped differently in URLs,
        // keyword strings and JSON, so a redaction that runs on the wrong form is caught.
        password_ = "Pw'd\\ \"S3cr3t\t-" + name_.substr(10) + "-%&=?";
        query(admin_, "CREATE ROLE " + user_ + " LOGIN PASSWORD " + sql_literal(password_));
    }
    try {
        query(admin_, "CREATE DATABASE " + name_ + " TEMPLATE template0" +
                          (user_.empty() ? "" : " OWNER " + user_));
    } catch (...) {
        if (!user_.empty()) query(admin_, "DROP ROLE IF EXISTS " + user_);
        throw;
    }
}

scratch_db::~scratch_db() {
    // Never throws (a fixture destructor); retried while the server restarts (torture tests).
    for (int attempt = 0; attempt < 20; ++attempt) {
        try {
            query(admin_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
            if (!user_.empty()) query(admin_, "DROP ROLE IF EXISTS " + user_);
            return;
        } catch (...) {
            std::this_thread::sleep_for(std::chrono::milliseconds{250});
        }
    }
}

std::string scratch_db::url(const std::string& query) const {
    return with_query(with_database(admin_, name_), query);
}

std::string scratch_db::url_via(int port, const std::string& query) const {
    auto p = split_url(url(query));
    const bool v6 = host_.find(':') != std::string::npos;
    p.authority = (v6 ? "[" + host_ + "]" : host_) + ":" + std::to_string(port);
    return join_url(p);
}

std::string scratch_db::owner_url(const std::string& query) const {
    if (user_.empty()) throw std::logic_error("scratch_db::owner_url needs own_role = true");
    auto p = split_url(url(query));
    p.head =
        p.head.substr(0, p.head.find("://") + 3) + user_ + ":" + percent_encode(password_) + "@";
    return join_url(p);
}

void scratch_db::exec(const std::string& sql) const {
    (void)query(url(), sql);
}

std::optional<std::string> scratch_db::scalar(const std::string& sql) const {
    return ratchet_test::scalar(url(), sql);
}

ratchet_test::rows scratch_db::rows(const std::string& sql) const {
    return query(url(), sql);
}

bool scratch_db::table_exists(const std::string& qualified) const {
    return scalar("SELECT to_regclass(" + sql_literal(qualified) + ") IS NOT NULL") == "t";
}

bool scratch_db::wait_idle(std::chrono::milliseconds limit) const {
    const auto until = std::chrono::steady_clock::now() + limit;
    const std::string others =
        "FROM pg_stat_activity WHERE datname = '" + name_ + "' AND pid <> pg_backend_pid()";
    for (;;) {
        if (ratchet_test::scalar(admin_, "SELECT count(*) " + others) == "0") return true;
        if (std::chrono::steady_clock::now() >= until) {
            query(admin_, "SELECT pg_terminate_backend(pid) " + others);
            std::this_thread::sleep_for(std::chrono::milliseconds{200});
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds{20});
    }
}

migrations_dir::migrations_dir()
    : path_{fs::temp_directory_path() / unique_name("ratchet_migrations_")} {
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

void migrations_dir::remove(const std::string& relative) const {
    fs::remove_all(path_ / relative);
}

}  // namespace ratchet_test
