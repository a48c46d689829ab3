// Test support: the one scratch-database fixture of the C++ tests, and a temporary migrations
// directory.
//
// Every test that touches PostgreSQL gets its own database, created on the server named by
// RATCHET_TEST_ADMIN_URL (a superuser URL; scripts/pg-cluster.sh writes it) and dropped WITH
// (FORCE) when the fixture goes out of scope:
//
//   BOOST_AUTO_TEST_SUITE(deploy, *utf::precondition(ratchet_test::server_available))
//   BOOST_AUTO_TEST_CASE(x) {
//       ratchet_test::scratch_db db;                  // superuser URL: db.url()
//       db.exec("CREATE TABLE t (id int)");
//       BOOST_TEST(db.scalar("SELECT count(*) FROM t") == "0");
//   }
//
//   ratchet_test::scratch_db db{{.own_role = true}};  // plus a login role that owns it:
//   db.owner_url(); db.user(); db.password();         // a password URLs, keyword strings and
//                                                     // JSON each escape differently
//
// Without RATCHET_TEST_ADMIN_URL: with CI=true the test fails (a skip would hide the gap),
// otherwise it is skipped. Use the `server_available` precondition on the suite, or
// `admin_url_or_skip()` at the top of a test case.
#pragma once

#include <ratchet/migration.hpp>

#include <boost/test/unit_test.hpp>

#include "pg.hpp"

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>

namespace ratchet_test {

/// RATCHET_TEST_ADMIN_URL, or nullopt when unset or empty.
std::optional<std::string> admin_url();

/// True when CI=true (then a missing server is a failure, never a skip).
bool in_ci();

/// Boost.Test precondition for database suites: true when a server is configured, and with
/// CI=true also without one (so that the fixture fails loudly); otherwise false, with the
/// reason: Boost.Test then skips the suite.
boost::test_tools::assertion_result server_available(boost::unit_test::test_unit_id);

/// For a test case that checks by hand: RATCHET_TEST_ADMIN_URL, or nullopt after recording a
/// failure (CI=true) or a message (otherwise): `if (!admin_url_or_skip()) return;`.
std::optional<std::string> admin_url_or_skip();

/// Replaces the database of a postgresql:// URL, keeping user, host, port and query string.
std::string with_database(const std::string& url, const std::string& database);
/// Adds `query` ("schema=x&sslmode=disable") to a URL's query string.
std::string with_query(const std::string& url, const std::string& query);
/// Host and port of a server URL (or keyword string) as libpq reads them, libpq's defaults
/// (localhost, 5432) when absent. Meant for the admin URL: errors name RATCHET_TEST_ADMIN_URL.
std::pair<std::string, std::string> host_port(const std::string& url);

struct scratch_options {
    /// Server to create the database on; empty: RATCHET_TEST_ADMIN_URL (throws when unset).
    std::string admin_url;
    /// Also create a LOGIN role with a password that owns the database (dropped with it).
    bool own_role = false;
};

/// A database created for one test and dropped afterwards (WITH (FORCE); retried for a few
/// seconds when the server is restarting). Names are unique across processes and runs:
/// ratchet_t_<pid>_<counter>_<random>.
class scratch_db {
public:
    scratch_db();
    explicit scratch_db(scratch_options options);
    ~scratch_db();
    scratch_db(const scratch_db&) = delete;
    scratch_db& operator=(const scratch_db&) = delete;

    [[nodiscard]] const std::string& name() const { return name_; }
    /// Host and port of the server (from the admin URL), as the Lambda's properties want them.
    [[nodiscard]] const std::string& host() const { return host_; }
    [[nodiscard]] const std::string& port() const { return port_; }
    /// The admin (superuser) URL of the server.
    [[nodiscard]] const std::string& admin_url() const { return admin_; }

    /// Superuser URL of the scratch database, with an optional extra query ("schema=x").
    [[nodiscard]] std::string url(const std::string& query = {}) const;
    /// The same database reached through another port on the same host (e.g. a proxy).
    [[nodiscard]] std::string url_via(int port, const std::string& query = {}) const;

    /// With own_role: the owner's name, password and URL (password percent-encoded).
    [[nodiscard]] const std::string& user() const { return user_; }
    [[nodiscard]] const std::string& password() const { return password_; }
    [[nodiscard]] std::string owner_url(const std::string& query = {}) const;

    /// Runs SQL as superuser in the scratch database (new connection); throws on error.
    void exec(const std::string& sql) const;
    /// First column of the first row, or nullopt for NULL / no row.
    [[nodiscard]] std::optional<std::string> scalar(const std::string& sql) const;
    /// All rows of the last statement.
    [[nodiscard]] ratchet_test::rows rows(const std::string& sql) const;
    [[nodiscard]] bool table_exists(const std::string& qualified) const;

    /// Waits until no other session is connected to this database (the server noticed its
    /// clients are gone); after `limit`, terminates them and returns false.
    bool wait_idle(std::chrono::milliseconds limit) const;

private:
    std::string admin_;
    std::string name_;
    std::string host_;
    std::string port_;
    std::string user_;
    std::string password_;
};

/// A temporary directory of migrations, removed afterwards.
class migrations_dir {
public:
    migrations_dir();
    ~migrations_dir();
    migrations_dir(const migrations_dir&) = delete;
    migrations_dir& operator=(const migrations_dir&) = delete;

    /// Writes <name>/migration.sql.
    void add(const std::string& name, const std::string& sql) const;
    /// Writes any file relative to the directory (parents created).
    void write(const std::string& relative, const std::string& content) const;
    void remove(const std::string& relative) const;
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    [[nodiscard]] ratchet::migration_set load() const { return ratchet::load_directory(path_); }

private:
    std::filesystem::path path_;
};

/// A name unique across processes and runs: prefix + <pid>_<counter>_<random>, lower case.
std::string unique_name(const std::string& prefix);

}  // namespace ratchet_test
