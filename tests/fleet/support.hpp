// Support for the fleet tests: scratch databases on the throwaway cluster, plain libpq sessions
// and temporary migrations directories. Self-contained (libpq only) so this suite does not
// depend on the other suites' helpers.
#pragma once

#include <ratchet/ratchet.hpp>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace fleet_test {

/// RATCHET_TEST_ADMIN_URL (a superuser URL), or nullopt.
std::optional<std::string> admin_url();

/// Runs when a server is configured; with CI=true a missing server is a failure, not a skip.
boost::test_tools::assertion_result server_available(boost::unit_test::test_unit_id);

/// The admin URL pointed at another database, with an optional query ("schema=x").
std::string url_of(const std::string& database, const std::string& query = {});

/// A plain libpq connection (to hold locks, inspect, block).
class session {
public:
    explicit session(const std::string& url);
    ~session();
    session(const session&) = delete;
    session& operator=(const session&) = delete;
    /// Runs SQL; returns the first column of every row (NULL as ""). Throws on error.
    std::vector<std::string> exec(const std::string& sql) const;
    [[nodiscard]] std::string scalar(const std::string& sql) const;
    [[nodiscard]] int pid() const;

private:
    void* conn_;
};

/// A database created for one test and dropped afterwards (FORCE: sessions are ended).
class scratch_db {
public:
    scratch_db();
    ~scratch_db();
    scratch_db(const scratch_db&) = delete;
    scratch_db& operator=(const scratch_db&) = delete;
    [[nodiscard]] const std::string& name() const { return name_; }
    [[nodiscard]] std::string url(const std::string& query = {}) const {
        return url_of(name_, query);
    }
    [[nodiscard]] std::string scalar(const std::string& sql) const {
        return session{url()}.scalar(sql);
    }
    void exec(const std::string& sql) const { (void)session{url()}.exec(sql); }

private:
    std::string name_;
};

/// A temporary migrations directory.
class migrations_dir {
public:
    migrations_dir();
    ~migrations_dir();
    migrations_dir(const migrations_dir&) = delete;
    migrations_dir& operator=(const migrations_dir&) = delete;
    void add(const std::string& name, const std::string& sql) const;
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    [[nodiscard]] ratchet::migration_set load() const { return ratchet::load_directory(path_); }

private:
    std::filesystem::path path_;
};

/// n migrations 0001_m0001 .. each creating table t<k> in the target's schema.
void add_tables(const migrations_dir& dir, int n);

/// A 127.0.0.1 port nothing listens on (bound then closed).
int closed_port();

/// The code name of the ratchet::error thrown by f, or "no error".
template <typename F>
std::string error_code_of(F&& f) {
    try {
        f();
    } catch (const ratchet::error& e) {
        return std::string{e.code_name()};
    }
    return "no error";
}

}  // namespace fleet_test
