#include <nlohmann/json.hpp>
#include <ratchet/engine.hpp>
#include <ratchet/json.hpp>
#include <ratchet/target.hpp>
#include "handler/bundle.hpp"
#include "handler/db_config.hpp"
#include "handler/engine_setup.hpp"
#include "handler/handler.hpp"
#include "handler/lint_gate.hpp"

namespace ratchet::lambda {

outcome handle_command(const command_event& c, const time_budget& budget, progress& prog) {
    try {
        if (budget.too_short)
            throw config_error("the function's timeout is too short (raise it to at least " +
                               std::to_string(minimum_timeout().count() / 1000 + 1) + " s)");
        prog.set("loading the bundled migrations");
        const bundle b = load_bundle();
        prog.set("resolving database credentials");
        const db_config cfg = resolve_db_config(
            resource_properties{}, budget.left(clock::now(), std::chrono::seconds{10}));
        ratchet::engine eng{make_engine_options(cfg, b, budget, prog)};
        // The core's JSON result (schema_version 2, as `ratchet --json`), plus the bundle's hash.
        ratchet::run_facts facts;
        facts.target = ratchet::describe_target(cfg.url);
        std::string text;
        // The lint gate first: deploy with lint=error stops here (LintFailed); plan only reports.
        const lint_mode gate =
            c.command == "plan" && c.lint == lint_mode::error ? lint_mode::warn : c.lint;
        const lint_report lint = run_lint_gate(gate, b, cfg, budget, prog);
        prog.set("running " + c.command);
        if (c.command == "status") text = ratchet::to_json(eng.status(), facts);
        if (c.command == "plan") text = ratchet::to_json(eng.plan(), facts);
        if (c.command == "deploy") text = ratchet::to_json(eng.deploy(), facts);
        outcome o;
        o.data = nlohmann::json::parse(text);
        if (lint.ran) {
            o.data["lint"] = {
                {"mode", to_string(c.lint)}, {"errors", lint.errors}, {"findings", lint.findings}};
        }
        o.data["migrations_hash"] = b.hash;
        o.data["physical_resource_id"] = physical_id_of(resource_properties{});
        return o;
    } catch (...) {
        return failure_from_current_exception("", prog.get());
    }
}

}  // namespace ratchet::lambda
