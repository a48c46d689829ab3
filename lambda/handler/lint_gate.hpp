/// @file lint_gate.hpp
/// The lint gate (resource property Lint, command field "lint"): before deploy() the pending
/// migrations are linted against the live database (ratchet::lint::lint_pending, read-only),
/// exactly as `ratchet deploy --lint=warn|error` does (cli/lint_gate.cpp):
///   off    no lint, no extra connection;
///   warn   every finding is logged (one JSON line each) and summarised in Data.Lint; the
///          deploy goes on;
///   error  as warn, but when a finding has severity error the request fails (LintFailed)
///          before anything is applied: the message lists the findings, errors first.
/// The project's ratchet-lint.json in the bundled migrations directory applies, as in the CLI.
/// Built without ratchet::lint (RATCHET_LAMBDA_LINT undefined), a non-off mode is refused
/// with a config_error rather than ignored.
#pragma once

#include "cfn/properties.hpp"
#include "handler/bundle.hpp"
#include "handler/db_config.hpp"
#include "runtime/progress.hpp"
#include "runtime/time_budget.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace ratchet::lambda {

/// Longest Data.Lint text (the answer's encoders cut it further to CloudFormation's limit).
inline constexpr std::size_t max_lint_data_bytes = 1'500;

struct lint_report {
    bool ran = false;
    std::size_t errors = 0;          ///< findings of severity error
    std::vector<std::string> lines;  ///< ratchet::lint::format_line, errors first
    nlohmann::json findings = nlohmann::json::array();  ///< as `ratchet lint --json`
};

/// Runs the gate for `mode`. @return what was found (ran=false for off).
/// @throws ratchet::error (lint_failed) for error mode with an error finding; config_error
/// when lint is not built in; ratchet::error from the database pass (connection, deadline).
[[nodiscard]] lint_report run_lint_gate(lint_mode mode, const bundle& b, const db_config& cfg,
                                        const time_budget& budget, progress& prog);

/// "N findings (E errors): line; line; ..." cut to max_lint_data_bytes, for Data.Lint.
[[nodiscard]] std::string lint_summary(const lint_report& r);

}  // namespace ratchet::lambda
