#include "cli_context.hpp"
#include "commands.hpp"

#include <iostream>
#include <memory>

namespace ratchet_cli {

void setup_resolve(CLI::App& app, int& exit_code) {
    struct resolve_flags : common_flags {
        std::string applied;
        std::string rolled_back;
    };
    auto flags = std::make_shared<resolve_flags>();
    auto* sub = app.add_subcommand(
        "resolve", "Mark a migration applied or rolled back (prisma migrate resolve)");
    add_common_flags(*sub, *flags, true);
    auto* applied = sub->add_option("--applied", flags->applied,
                                    "Record NAME as applied without running it (baselining)");
    auto* rolled = sub->add_option("--rolled-back", flags->rolled_back,
                                   "Mark NAME's failed attempts as rolled back");
    applied->excludes(rolled);
    sub->callback([flags, applied, rolled, &exit_code] {
        if (applied->count() == 0 && rolled->count() == 0) {
            std::cerr << "ratchet resolve: pass --applied NAME or --rolled-back NAME\n";
            exit_code = exit_usage;
            return;
        }
        exit_code = run_guarded(*flags, "resolve", true, [flags](const cli_context& ctx) {
            auto engine = ctx.make_engine();
            const bool is_applied = !flags->applied.empty();
            const auto report = is_applied ? engine.resolve_applied(flags->applied)
                                           : engine.resolve_rolled_back(flags->rolled_back);
            if (ctx.flags().json) {
                std::cout << ratchet::to_json(report, ctx.facts()) << '\n';
            } else {
                ctx.say("\nMigration " + report.migration + " marked as " +
                        (is_applied ? "applied." : "rolled back.") + "\n");
            }
            return static_cast<int>(exit_ok);
        });
    });
}

}  // namespace ratchet_cli
