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
namespace {

int finish_deploy(const cli_context& ctx, ratchet::engine& engine) {
    const auto report = engine.deploy();
    if (ctx.flags().json) {
        std::cout << ratchet::to_json(report, ctx.facts()) << '\n';
    } else {
        ctx.say(deploy_text(report));
    }
    return static_cast<int>(exit_ok);
}

}  // namespace

void setup_deploy(CLI::App& app, int& exit_code) {
    auto flags = std::make_shared<common_flags>();
    auto* sub = app.add_subcommand("deploy", "Apply pending migrations (prisma migrate deploy)");
    add_common_flags(*sub, *flags, true);
    sub->add_flag(
        "--strict", flags->strict,
        "Stop before applying anything on checksum drift, missing or out-of-order migrations");
    sub->add_option("--migration-lock-timeout", flags->migration_lock_timeout,
                    "SET lock_timeout for each migration's statements (e.g. 5s)");
    sub->add_option("--lock-retries", flags->lock_retries,
                    "Retry a transactional migration that hit lock_timeout this many times");
    auto fleet = add_fleet_flags(*sub);
    auto lint_mode = std::make_shared<std::string>("off");
#ifdef RATCHET_WITH_LINT
    add_lint_gate_flag(*sub, *lint_mode);
#endif
    sub->callback([flags, fleet, lint_mode, &exit_code] {
        if (fleet->active()) {
            exit_code = run_fleet_command(*flags, *fleet, "deploy");
            return;
        }
        const auto body = [lint_mode](const cli_context& ctx) {
            const auto found = [&ctx](const ratchet::migration_set& set) {
                ctx.say(found_line(set.migrations.size(), ctx.dir_label()) + "\n");
            };
#ifdef RATCHET_WITH_LINT
            if (*lint_mode != "off") {
                found(ctx.migrations());
                run_lint_gate(ctx, *lint_mode);
                auto engine = ctx.make_engine();
                return finish_deploy(ctx, engine);
            }
#endif
            // The engine reads the directory while it connects, and says "found" once read.
            auto engine = ctx.make_engine(found);
            return finish_deploy(ctx, engine);
        };
        exit_code = run_guarded(*flags, "deploy", true, body, true);
    });
}

}  // namespace ratchet_cli
