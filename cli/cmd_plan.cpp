#include "cli_context.hpp"
#include "commands.hpp"
#include "fleet_cli.hpp"
#include "human_report.hpp"
#ifdef RATCHET_WITH_LINT
#    include "lint_gate.hpp"
#endif

#include <iostream>
#include <memory>

namespace ratchet_cli {

void setup_plan(CLI::App& app, int& exit_code) {
    auto flags = std::make_shared<common_flags>();
    auto* sub = app.add_subcommand("plan", "Show what deploy would do, changing nothing");
    add_common_flags(*sub, *flags, true);
    sub->add_flag("--strict", flags->strict, "Treat warnings as blocking");
    auto fleet = add_fleet_flags(*sub);
    auto lint = std::make_shared<bool>(false);
#ifdef RATCHET_WITH_LINT
    sub->add_flag("--lint", *lint,
                  "Also lint the migrations deploy would apply, against the database");
#endif
    sub->callback([flags, fleet, lint, &exit_code] {
        if (fleet->active()) {
            exit_code = run_fleet_command(*flags, *fleet, "plan");
            return;
        }
        exit_code = run_guarded(*flags, "plan", true, [lint](const cli_context& ctx) {
            bool lint_errors = false;
#ifdef RATCHET_WITH_LINT
            if (*lint) lint_errors = lint_pending_migrations(ctx);
#endif
            auto engine = ctx.make_engine();
            const auto report = engine.plan();
            const int rc = report.blocking || lint_errors ? exit_failure : exit_ok;
            if (ctx.flags().json) {
                std::cout << ratchet::to_json(report, ctx.facts()) << '\n';
                return rc;
            }
            ctx.say(found_line(engine.settings().migrations.migrations.size(), ctx.dir_label()) +
                    "\n");
            for (const auto& w : report.warnings) std::cerr << "warning: " << w.message << '\n';
            if (report.blocking) {
                std::cerr << "Deploy would fail:\nError: " << report.blocking->code_name() << "\n\n"
                          << report.blocking->what() << '\n';
            }
            ctx.say(plan_text(report));
            return rc;
        });
    });
}

}  // namespace ratchet_cli
