#include "lint_gate.hpp"

#include <ratchet/lint.hpp>

#include <unistd.h>
#include <iostream>

namespace ratchet_cli {

void add_lint_gate_flag(CLI::App& sub, std::string& mode) {
    sub.add_option(
           "--lint", mode,
           "Lint the pending migrations against the database first: off (default), warn "
           "(print the findings), error (stop before applying anything on an error finding)")
        ->check(CLI::IsMember({"off", "warn", "error"}));
}

bool lint_pending_migrations(const cli_context& ctx) {
    ratchet::lint::options opts;
    opts.settings = ratchet::lint::config::for_directory(ctx.dir_label());
    opts.url = ctx.url();
    if (!ctx.flags().db_schema.empty()) opts.db_schema = ctx.flags().db_schema;
    const auto result = ratchet::lint::lint_pending(ctx.migrations(), opts);
    if (!result.findings.empty() && !ctx.flags().quiet) {
        std::cerr << ratchet::lint::format_human(result.findings, ctx.dir_label(),
                                                 isatty(STDERR_FILENO) != 0);
    }
    return ratchet::lint::has_errors(result.findings);
}

void run_lint_gate(const cli_context& ctx, const std::string& mode) {
    if (mode.empty() || mode == "off") return;
    if (lint_pending_migrations(ctx) && mode == "error") {
        throw ratchet::error(ratchet::errc::lint_failed,
                             "--lint=error: a pending migration has a finding of severity error "
                             "(listed above); nothing was applied. Fix it, or suppress it with "
                             "-- ratchet:lint-ignore RULE REASON");
    }
}

}  // namespace ratchet_cli
