// ratchet: a drop-in for `prisma migrate deploy / status / resolve`.
#include "cli_context.hpp"
#include "commands.hpp"

#include <ratchet/version.hpp>

#include <cstdio>
#include <cstring>
#include <iostream>

int main(int argc, char** argv) {
    // `ratchet --version` answers before the argument parser is built (all subcommands and their
    // options: most of what the process does besides loading its libraries).
    if (argc == 2 && std::strcmp(argv[1], "--version") == 0) {
        const auto v = ratchet::library_version();
        std::fwrite(v.data(), 1, v.size(), stdout);
        std::fputc('\n', stdout);
        return std::fflush(stdout) == 0 ? ratchet_cli::exit_ok : ratchet_cli::exit_failure;
    }
    CLI::App app{"ratchet: apply Prisma migrations to PostgreSQL, safely", "ratchet"};
    app.set_version_flag("--version", std::string{ratchet::library_version()});
    app.require_subcommand(1);
    int exit_code = ratchet_cli::exit_ok;
    struct subcommand {
        const char* name;
        void (*setup)(CLI::App&, int&);
    };
    static constexpr subcommand subcommands[] = {
        {"deploy", ratchet_cli::setup_deploy},   {"status", ratchet_cli::setup_status},
        {"resolve", ratchet_cli::setup_resolve}, {"plan", ratchet_cli::setup_plan},
        {"verify", ratchet_cli::setup_verify},   {"hash", ratchet_cli::setup_hash},
#ifdef RATCHET_WITH_LINT
        {"lint", ratchet_cli::setup_lint},
#endif
    };
    // `ratchet deploy ...` builds only deploy's options (the others cost ~0.4 ms of CPU in
    // every run); anything else (`--help`, a typo) gets every subcommand, for help and errors.
    bool named = false;
    for (const auto& s : subcommands) {
        if (argc >= 2 && std::strcmp(argv[1], s.name) == 0) {
            s.setup(app, exit_code);
            named = true;
        }
    }
    if (!named) {
        for (const auto& s : subcommands) s.setup(app, exit_code);
    }
    for (auto* sub : app.get_subcommands({})) {
        sub->set_version_flag("--version", std::string{ratchet::library_version()});
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::cerr << "ratchet: " << e.what() << ". Run 'ratchet --help' for usage.\n";
        return ratchet_cli::exit_usage;
    }
    return exit_code;
}
