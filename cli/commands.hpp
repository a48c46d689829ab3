// One function per subcommand: adds it to the app; its callback stores the exit code.
#pragma once

#include <CLI/CLI.hpp>

namespace ratchet_cli {

void setup_deploy(CLI::App& app, int& exit_code);
void setup_status(CLI::App& app, int& exit_code);
void setup_resolve(CLI::App& app, int& exit_code);
void setup_plan(CLI::App& app, int& exit_code);
void setup_verify(CLI::App& app, int& exit_code);
void setup_hash(CLI::App& app, int& exit_code);
void setup_lint(CLI::App& app, int& exit_code);  // only with RATCHET_WITH_LINT

}  // namespace ratchet_cli
