#include "cli_context.hpp"
#include "commands.hpp"

#include <iostream>
#include <memory>

namespace ratchet_cli {

void setup_hash(CLI::App& app, int& exit_code) {
    auto flags = std::make_shared<common_flags>();
    auto* sub = app.add_subcommand(
        "hash", "Print the migrations hash (see migrations-format.md); no database");
    add_common_flags(*sub, *flags, false);
    sub->callback([flags, &exit_code] {
        exit_code = run_guarded(*flags, "hash", false, [](const cli_context& ctx) {
            const auto hash = ratchet::migrations_hash(ctx.migrations());
            if (ctx.flags().json) {
                std::cout << ratchet::to_json(
                                 ratchet::hash_report{hash, ctx.migrations().migrations.size()},
                                 ctx.facts())
                          << '\n';
            } else {
                std::cout << hash << '\n';
            }
            return static_cast<int>(exit_ok);
        });
    });
}

}  // namespace ratchet_cli
