/// @file scratch_db.hpp
/// A fresh database (and login role with a password) per test on the server named by
/// RATCHET_TEST_ADMIN_URL; dropped afterwards. Without the variable or the server, the test
/// fails when CI is set and is skipped otherwise.
#pragma once

#include <optional>
#include <string>

namespace ratchet::lambda::test {

class scratch_db {
public:
    scratch_db();
    ~scratch_db();
    scratch_db(const scratch_db&) = delete;
    scratch_db& operator=(const scratch_db&) = delete;

    std::string host, port, name, user, password;
    /// postgresql://user:password@host:port/name
    [[nodiscard]] std::string url() const;
    /// Runs SQL as the admin in this database; returns the first column of the first row ("" if
    /// none).
    std::string query(const std::string& sql) const;

private:
    std::string admin_url_;
};

/// RATCHET_TEST_ADMIN_URL, or nullopt (and a Boost.Test failure when CI is set).
std::optional<std::string> admin_url_or_skip();

}  // namespace ratchet::lambda::test
