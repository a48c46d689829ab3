// The lint gate of `deploy --lint` and `plan --lint`: ratchet::lint's database-aware pass over
// what deploy would apply, before anything is applied.
#pragma once

#include "cli_context.hpp"

#include <string>

namespace ratchet_cli {

/// Adds `--lint MODE` (off|warn|error) to deploy.
void add_lint_gate_flag(CLI::App& sub, std::string& mode);

/// Lints the pending migrations against the database and prints the findings on stderr.
/// @return true when a finding has severity error.
/// @throws ratchet::error (connection, database) from the database-aware pass.
bool lint_pending_migrations(const cli_context& ctx);

/// The gate: with mode "error" and an error finding, throws ratchet::error (lint_failed)
/// before anything is applied; "warn" prints and goes on; "off" does nothing.
void run_lint_gate(const cli_context& ctx, const std::string& mode);

}  // namespace ratchet_cli
