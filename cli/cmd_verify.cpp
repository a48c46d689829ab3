#include "cli_context.hpp"
#include "commands.hpp"

#include <iostream>
#include <memory>

namespace ratchet_cli {

void setup_verify(CLI::App& app, int& exit_code) {
    auto flags = std::make_shared<common_flags>();
    auto* sub =
        app.add_subcommand("verify", "Check checksums and history consistency (for CI gates)");
    add_common_flags(*sub, *flags, true);
    sub->callback([flags, &exit_code] {
        exit_code = run_guarded(*flags, "verify", true, [](const cli_context& ctx) {
            auto engine = ctx.make_engine();
            const auto report = engine.verify();
            const int rc = report.ok ? exit_ok : exit_failure;
            if (ctx.flags().json) {
                std::cout << ratchet::to_json(report, ctx.facts()) << '\n';
                return rc;
            }
            for (const auto& p : report.problems) std::cerr << "problem: " << p.message << '\n';
            ctx.say(report.ok ? "Verified: " +
                                    std::to_string(engine.settings().migrations.migrations.size()) +
                                    " local migrations agree with the database history.\n"
                              : "");
            if (!report.ok) std::cerr << report.problems.size() << " problem(s) found.\n";
            return rc;
        });
    });
}

}  // namespace ratchet_cli
