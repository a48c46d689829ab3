// `ratchet deploy|status|plan` over a fleet: --targets FILE, --schemas a,b or --schemas-from SQL,
// with --parallel, --max-per-server, --shard i/n, --fail-fast and --grace. Each subcommand adds
// these flags and hands off here when one of the three target flags is given.
#pragma once

#include "cli_context.hpp"

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

namespace ratchet_cli {

struct fleet_flags {
    std::string targets_file;
    std::string schemas;
    std::string schemas_from;
    unsigned parallel = 4;
    unsigned max_per_server = 0;
    std::string shard;
    bool fail_fast = false;
    std::string grace = "30s";

    /// True when a fleet target flag was given.
    [[nodiscard]] bool active() const {
        return !targets_file.empty() || !schemas.empty() || !schemas_from.empty();
    }
};

/// Adds the fleet flags to `sub` (deploy, status or plan).
std::shared_ptr<fleet_flags> add_fleet_flags(CLI::App& sub);

/// Runs `command` ("deploy", "status", "plan") over the fleet; returns the exit code: 0 when
/// every target succeeded (status: is up to date), 1 otherwise, 2 for usage errors, 130 when
/// interrupted by SIGINT/SIGTERM.
int run_fleet_command(const common_flags& flags, const fleet_flags& fleet,
                      const std::string& command);

}  // namespace ratchet_cli
