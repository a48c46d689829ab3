#include "cli_context.hpp"
#include "commands.hpp"
#include "fleet_cli.hpp"
#include "human_report.hpp"

#include <iostream>
#include <memory>

namespace ratchet_cli {

void setup_status(CLI::App& app, int& exit_code) {
    auto flags = std::make_shared<common_flags>();
    auto* sub = app.add_subcommand(
        "status", "Show applied, pending and failed migrations (prisma migrate status)");
    add_common_flags(*sub, *flags, true);
    auto fleet = add_fleet_flags(*sub);
    sub->callback([flags, fleet, &exit_code] {
        if (fleet->active()) {
            exit_code = run_fleet_command(*flags, *fleet, "status");
            return;
        }
        exit_code = run_guarded(
            *flags, "status", true,
            [](const cli_context& ctx) {
                auto engine = ctx.make_engine();
                const auto report = engine.status();
                const auto text = status_text(report, ctx.dir_label());
                if (ctx.flags().json) {
                    std::cout << ratchet::to_json(report, ctx.facts()) << '\n';
                    return text.exit_code;
                }
                ctx.say(
                    found_line(engine.settings().migrations.migrations.size(), ctx.dir_label()) +
                    "\n");
                for (const auto& w : report.warnings) std::cerr << "warning: " << w.message << '\n';
                ctx.say(text.out);
                std::cerr << text.err;
                return text.exit_code;
            },
            true);  // the engine reads the directory while it connects
    });
}

}  // namespace ratchet_cli
