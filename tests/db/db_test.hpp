// What every database test includes: the shared test support (a scratch database per test, a
// temporary migrations directory, the libpq row reader and sessions, child processes; see
// tests/support/) and the helpers only these tests use (an engine on the scratch database, a
// log collector, the code of a thrown ratchet::error).
#pragma once

#include <ratchet/ratchet.hpp>

#include "support/pg.hpp"
#include "support/printing.hpp"
#include "support/process.hpp"
#include "support/scratch_db.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ratchet_test {

/// Collects log lines for assertions.
struct captured_log {
    std::vector<std::string> lines;
    ratchet::log_callback sink() {
        return [this](ratchet::log_level, std::string_view m) { lines.emplace_back(m); };
    }
    [[nodiscard]] bool contains(std::string_view text) const {
        for (const auto& l : lines) {
            if (l.find(text) != std::string::npos) return true;
        }
        return false;
    }
};

/// An engine on the scratch database (unless `extra.url` says otherwise) over the directory.
inline ratchet::engine make_engine(const scratch_db& db, const migrations_dir& dir,
                                   ratchet::options extra = {}) {
    if (extra.url.empty()) extra.url = db.url();
    extra.migrations = dir.load();
    return ratchet::engine{std::move(extra)};
}

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

}  // namespace ratchet_test
