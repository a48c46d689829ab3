// Test support: a brand-new database per test case on the throwaway cluster, and a temporary
// migrations directory. Talks to libpq directly (test-only code).
#pragma once

#include <ratchet/ratchet.hpp>

#include <boost/test/unit_test.hpp>

#include "../support/printing.hpp"

#include <filesystem>
#include <optional>
#include <chrono>
#include <string>
#include <vector>

namespace ratchet_test {

/// postgresql://postgres@127.0.0.1:PORT/postgres from RATCHET_TEST_ADMIN_URL.
std::optional<std::string> admin_url();

/// Precondition for database suites: runs when a server is configured; with CI=true a missing
/// server is a failure, never a skip.
boost::test_tools::assertion_result server_available(boost::unit_test::test_unit_id);

/// A database created for one test and dropped afterwards.
class scratch_db {
public:
    scratch_db();
    ~scratch_db();
    scratch_db(const scratch_db&) = delete;
    scratch_db& operator=(const scratch_db&) = delete;

    [[nodiscard]] const std::string& name() const { return name_; }
    /// URL of the scratch database, with optional extra query string ("schema=x").
    [[nodiscard]] std::string url(const std::string& query = {}) const;
    /// Runs SQL (autocommit) on the scratch database; throws on error.
    void exec(const std::string& sql) const;
    /// First column of the first row, or nullopt for NULL / no row.
    [[nodiscard]] std::optional<std::string> scalar(const std::string& sql) const;
    /// All rows, each as a vector of nullable strings.
    [[nodiscard]] std::vector<std::vector<std::optional<std::string>>> rows(const std::string& sql) const;
    [[nodiscard]] bool table_exists(const std::string& qualified) const;

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

    /// Writes <name>/migration.sql.
    void add(const std::string& name, const std::string& sql) const;
    /// Writes any file relative to the directory.
    void write(const std::string& relative, const std::string& content) const;
    void remove(const std::string& relative) const;
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    [[nodiscard]] ratchet::migration_set load() const { return ratchet::load_directory(path_); }

private:
    std::filesystem::path path_;
};

/// Collects log lines for assertions.
struct captured_log {
    std::vector<std::string> lines;
    ratchet::log_callback sink() {
        return [this](ratchet::log_level, std::string_view m) { lines.emplace_back(m); };
    }
    [[nodiscard]] bool contains(std::string_view text) const;
};

/// An engine on the scratch database over the directory.
ratchet::engine make_engine(const scratch_db& db, const migrations_dir& dir, ratchet::options extra = {});

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

/// A separate libpq session on the scratch database (to hold locks, block tables, ...).
class session {
public:
    explicit session(const std::string& url);
    ~session();
    session(const session&) = delete;
    session& operator=(const session&) = delete;
    void exec(const std::string& sql) const;
    [[nodiscard]] int pid() const;
    /// The channel of the next NOTIFY this session receives (it must LISTEN first), or empty
    /// when none arrives within `timeout`.
    [[nodiscard]] std::string next_notification(std::chrono::milliseconds timeout) const;

private:
    void* conn_;
};

}  // namespace ratchet_test
