// Support for the fleet tests: the shared test support (tests/support: scratch databases,
// libpq sessions, temporary migrations directories, child processes) plus what only fleets need.
#pragma once

#include "support/pg.hpp"
#include "support/printing.hpp"
#include "support/scratch_db.hpp"

#include <ratchet/ratchet.hpp>

#include <boost/test/unit_test.hpp>

#include <string>

namespace fleet_test {

using ratchet_test::admin_url;
using ratchet_test::migrations_dir;
using ratchet_test::scratch_db;
using ratchet_test::server_available;
using ratchet_test::session;

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
