#include "aws/text.hpp"
#include "handler/bundle.hpp"
#include "handler/db_config.hpp"
#include "handler/engine_setup.hpp"
#include "handler/handler.hpp"
#include "handler/lint_gate.hpp"
#include "runtime/log.hpp"

#include <ratchet/engine.hpp>

#include <algorithm>

namespace ratchet::lambda {

namespace {

using json = nlohmann::json;

std::string last_name(const bundle& b) {
    return b.set.migrations.empty() ? "" : b.set.migrations.back().name;
}

json make_data(std::size_t applied, const std::string& last, const std::string& hash,
               const std::vector<std::string>& warnings) {
    json data{{"AppliedCount", std::to_string(applied)},
              {"LastMigration", last},
              {"MigrationsHash", hash}};
    if (!warnings.empty()) {
        std::string joined;
        for (const auto& w : warnings) joined += (joined.empty() ? "" : "; ") + w;
        data["Warnings"] = truncate_utf8(joined, 400);
    }
    return data;
}

outcome success(std::string physical_id, json data) {
    outcome o;
    o.physical_id = std::move(physical_id);
    if (data.contains("Warnings")) o.reason = data["Warnings"].get<std::string>();
    o.data = std::move(data);
    return o;
}

std::vector<std::string> warning_texts(const std::vector<ratchet::warning>& ws) {
    std::vector<std::string> out;
    for (const auto& w : ws)
        out.push_back(std::string(ratchet::to_string(w.code)) + ": " + w.message);
    return out;
}

std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    return out;
}

/// Rows of other releases that a rollback Update tolerates: newer migrations and failed rows
/// (the status report holds both: no second read of the history).
void add_history_warnings(std::vector<std::string>& warnings, const ratchet::status_report& st) {
    if (!st.missing_locally.empty()) {
        warnings.push_back("database holds migrations newer than this bundle: " +
                           joined(st.missing_locally));
    }
    if (!st.failed.empty())
        warnings.push_back("database holds failed migrations: " + joined(st.failed));
}

/// True when status() reports every bundled migration as applied.
bool all_bundled_applied(const ratchet::status_report& st, const bundle& b) {
    return std::all_of(
        b.set.migrations.begin(), b.set.migrations.end(), [&](const ratchet::migration& m) {
            return std::any_of(st.migrations.begin(), st.migrations.end(),
                               [&](const ratchet::migration_status& s) {
                                   return s.name == m.name &&
                                          s.state == ratchet::migration_state::applied;
                               });
        });
}

outcome update_or_deploy(const cfn_event& e, const bundle& b, const db_config& cfg,
                         const time_budget& budget, progress& prog) {
    ratchet::engine eng{make_engine_options(cfg, b, budget, prog)};
    if (e.type == request_type::update) {
        prog.set("reading migration status");
        const auto st = eng.status();
        if (all_bundled_applied(st, b)) {
            auto warnings = warning_texts(st.warnings);
            add_history_warnings(warnings, st);
            log_line("info", "every bundled migration is already applied; nothing to do",
                     {{"warnings", warnings}});
            return success(e.resource.physical_id, make_data(0, last_name(b), b.hash, warnings));
        }
    }
    // Before anything is applied: an error finding with Lint=error throws (LintFailed).
    const lint_report lint = run_lint_gate(e.resource.lint, b, cfg, budget, prog);
    prog.set("deploying");
    const auto rep = eng.deploy();
    log_line("info", "deploy finished",
             {{"applied", rep.applied.size()}, {"totalMs", rep.total.count() / 1000}});
    json data = make_data(rep.applied.size(), last_name(b), b.hash, warning_texts(rep.warnings));
    if (lint.ran) {
        data["LintFindings"] = std::to_string(lint.lines.size());
        data["LintErrors"] = std::to_string(lint.errors);
        if (!lint.lines.empty()) data["Lint"] = lint_summary(lint);
    }
    return success(e.resource.physical_id, std::move(data));
}

/// A failed Update keeps the id CloudFormation has; a failed Create names the target.
std::string failure_id(const cfn_event& e) {
    return e.type == request_type::update ? e.physical_resource_id : e.resource.physical_id;
}

outcome too_short(std::string physical_id, const time_budget& budget) {
    const auto s = [](std::chrono::milliseconds ms) {
        return std::to_string((ms.count() + 999) / 1000) + " s";
    };
    return failure(
        std::move(physical_id), "TimeoutTooShort",
        "the function's timeout (" + s(budget.total) +
            ") leaves no time to migrate: ratchet keeps " +
            s(engine_cancel_grace + engine_return_slack) +
            " to cancel a statement and time to answer; set the Lambda timeout to at least " +
            s(minimum_timeout()) + " (840 s recommended)");
}

outcome hash_mismatch(const cfn_event& e, const bundle& b, const std::string& expected) {
    const std::string msg = "MigrationsHash " + truncate_utf8(expected, 80) +
                            " does not match the bundled migrations (" + b.hash + " in " +
                            b.dir.string() + ")";
    if (e.type == request_type::create) {
        return failure(e.resource.physical_id, "HashMismatch",
                       msg + "; the Lambda code and the custom resource are out of sync");
    }
    log_line("warn", msg + "; Update applies nothing");
    return success(e.physical_resource_id, make_data(0, "", b.hash, {msg + "; nothing applied"}));
}

outcome create_or_update(const cfn_event& e, const time_budget& budget, progress& prog) {
    if (budget.too_short) return too_short(failure_id(e), budget);
    prog.set("loading the bundled migrations");
    const bundle b = load_bundle();
    const auto& expected = e.resource.migrations_hash;
    if (expected && *expected != b.hash) return hash_mismatch(e, b, *expected);
    if (!expected)
        log_line("warn",
                 "no MigrationsHash property; the bundle is not checked against the template");
    prog.set("resolving database credentials");
    const db_config cfg =
        resolve_db_config(e.resource, budget.left(clock::now(), std::chrono::seconds{10}));
    log_line("info", "database resolved",
             {{"source", cfg.source}, {"physicalId", e.resource.physical_id}});
    return update_or_deploy(e, b, cfg, budget, prog);
}

}  // namespace

outcome handle_cfn(const cfn_event& e, const time_budget& budget, progress& prog) {
    if (e.type == request_type::del) {
        log_line("info", "Delete: nothing to do (migrations are never rolled back)");
        return delete_success(e);
    }
    try {
        return create_or_update(e, budget, prog);
    } catch (...) {
        return failure_from_current_exception(failure_id(e), prog.get());
    }
}

}  // namespace ratchet::lambda
