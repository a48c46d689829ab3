// ratchet_bench: measures the ratchet library in-process (no process start-up, no CLI parsing).
//
//   ratchet_bench scan DIR REPS     W5: load_directory + migrations_hash + plan (decide_deploy
//   against a
//                                   history in which every migration is applied, i.e. the no-op
//                                   plan). One JSON line per repetition:
//                                   {"load_ms","hash_ms","plan_ms","total_ms"}.
//   ratchet_bench scan-noplan DIR REPS   the same without the plan step (plan_ms = -1), for sizes
//   where
//                                   decide_deploy's quadratic migration_set::find() would take
//                                   minutes.
//   ratchet_bench deploy URL DIR REPS
//                                   W1/W2: load_directory + engine::deploy() REPS times in one
//                                   process (the first call on a fresh database is W1, later ones
//                                   are W2 no-ops). One JSON line per call: {"ms","applied"}.
// Ends with {"maxrss_kb": N} (getrusage of this process).
#include <ratchet/ratchet.hpp>

#include "plan.hpp"  // ratchet::detail::decide_deploy (the pure planning step deploy uses)

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

namespace {

using clk = std::chrono::steady_clock;

double ms_since(clk::time_point t0) {
    return std::chrono::duration<double, std::milli>(clk::now() - t0).count();
}

long maxrss_kb() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

int scan(const char* dir, int reps, bool with_plan) {
    std::size_t sink = 0;
    for (int i = 0; i < reps; ++i) {
        const auto t0 = clk::now();
        auto set = ratchet::load_directory(dir);
        const double load = ms_since(t0);

        const auto t1 = clk::now();
        const auto hash = ratchet::migrations_hash(set);
        const double hash_ms = ms_since(t1);

        // The history deploy would read back after all of them were applied (built untimed).
        std::vector<ratchet::history_row> rows;
        rows.reserve(set.migrations.size());
        const auto now = std::chrono::time_point_cast<std::chrono::microseconds>(
            std::chrono::system_clock::now());
        for (const auto& m : set.migrations) {
            rows.push_back({.id = "00000000-0000-4000-8000-000000000000",
                            .checksum = m.checksum,
                            .finished_at = now,
                            .migration_name = m.name,
                            .logs = std::nullopt,
                            .rolled_back_at = std::nullopt,
                            .started_at = now,
                            .applied_steps_count = 1});
        }
        std::size_t pending = 0;
        double plan_ms = -1;  // -1: not measured (`scan-noplan`)
        if (with_plan) {
            const auto t2 = clk::now();
            const auto decision = ratchet::detail::decide_deploy(set, rows);
            plan_ms = ms_since(t2);
            pending = decision.pending.size();
        }
        sink += pending + hash.size();
        std::printf(
            "{\"n\":%zu,\"load_ms\":%.3f,\"hash_ms\":%.3f,\"plan_ms\":%.3f,\"total_ms\":%.3f,"
            "\"pending\":%zu}\n",
            set.migrations.size(), load, hash_ms, plan_ms,
            load + hash_ms + (plan_ms > 0 ? plan_ms : 0), pending);
    }
    std::printf("{\"maxrss_kb\":%ld,\"sink\":%zu}\n", maxrss_kb(), sink);
    return 0;
}

int deploy(const char* url, const char* dir, int reps) {
    for (int i = 0; i < reps; ++i) {
        const auto t0 = clk::now();
        ratchet::engine eng{{.url = url, .migrations = ratchet::load_directory(dir)}};
        const auto report = eng.deploy();
        const double ms = ms_since(t0);
        std::printf("{\"ms\":%.3f,\"applied\":%zu,\"engine_total_ms\":%.3f}\n", ms,
                    report.applied.size(),
                    std::chrono::duration<double, std::milli>(report.total).count());
        std::fflush(stdout);
    }
    std::printf("{\"maxrss_kb\":%ld}\n", maxrss_kb());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const std::string mode = argc > 1 ? argv[1] : "";
        if (mode == "scan" && argc == 4) return scan(argv[2], std::atoi(argv[3]), true);
        if (mode == "scan-noplan" && argc == 4) return scan(argv[2], std::atoi(argv[3]), false);
        if (mode == "deploy" && argc == 5) return deploy(argv[2], argv[3], std::atoi(argv[4]));
        std::cerr << "usage: ratchet_bench scan DIR REPS | ratchet_bench deploy URL DIR REPS\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "ratchet_bench: " << e.what() << '\n';
        return 1;
    }
}
