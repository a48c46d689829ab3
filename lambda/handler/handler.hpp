/// @file handler.hpp
/// Turns one event into an outcome. No migration logic here: the rules below only decide
/// whether to call ratchet::engine::deploy() and how to report it.
///
/// CloudFormation custom resource:
///   Delete  → SUCCESS at once, same PhysicalResourceId; no database, no Secrets Manager.
///   Create  → MigrationsHash must equal the bundle's hash (else FAILED), then deploy().
///   Update  → MigrationsHash differs from the bundle: apply nothing, SUCCESS with a warning
///             (a rollback Update or stale code must not fail). Otherwise, when status() shows
///             every bundled migration applied: SUCCESS without deploying, even if the database
///             holds newer or failed rows of other migrations (warnings). Else deploy().
///   PhysicalResourceId: ratchet:<host>:<port>/<db>/<schema>, never the request id or hash.
///   Lint (off|warn|error): before deploy(), the lint gate (handler/lint_gate.hpp); with error
///   an error finding fails the request (LintFailed) before anything is applied.
///   Data: AppliedCount (applied by this invoke), LastMigration (last bundled migration, now
///   applied), MigrationsHash (of the bundle), Warnings (only when there are some); with Lint
///   warn/error also LintFindings and LintErrors (counts) and Lint (the findings, cut to fit).
/// Command {"command":"status"|"plan"|"deploy","lint":...}: the report as JSON (connection
/// from env); with lint, its "lint" member holds the findings (as `ratchet lint --json`).
#pragma once

#include "cfn/event.hpp"
#include "cfn/outcome.hpp"
#include "runtime/progress.hpp"
#include "runtime/time_budget.hpp"

namespace ratchet::lambda {

[[nodiscard]] outcome handle_cfn(const cfn_event& e, const time_budget& budget, progress& prog);
[[nodiscard]] outcome handle_command(const command_event& c, const time_budget& budget,
                                     progress& prog);

}  // namespace ratchet::lambda
