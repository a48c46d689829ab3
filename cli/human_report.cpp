#include "human_report.hpp"

#include <algorithm>
#include <cstdio>

namespace ratchet_cli {
namespace {

std::string plural(std::size_t n, const std::string& word) {
    return n == 1 ? word : word + "s";
}

std::string lines(const std::vector<std::string>& names) {
    std::string s;
    for (const auto& n : names) s += n + "\n";
    return s;
}

std::string failed_block(const std::vector<std::string>& failed) {
    // Prisma's text, with "migration(s)" kept literally where Prisma keeps it.
    const std::string& first = failed.front();
    return "Following " + plural(failed.size(), "migration") + " have failed:\n" + lines(failed) +
           "\nDuring development if the failed migration(s) have not been deployed to a production "
           "database you can then fix the migration(s) and run prisma migrate dev.\n\n"
           "The failed migration(s) can be marked as rolled back or applied:\n      \n"
           "- If you rolled back the migration(s) manually:\nratchet resolve --rolled-back \"" +
           first +
           "\"\n\n- If you fixed the database manually (hotfix):\nratchet resolve --applied \"" +
           first +
           "\"\n\nRead more about how to resolve migration issues in a production database:\n"
           "https://pris.ly/d/migrate-resolve\n";
}

}  // namespace

std::string found_line(std::size_t count, const std::string& dir) {
    if (count == 0) return "No migration found in " + dir + "\n";
    return std::to_string(count) + " " + plural(count, "migration") + " found in " + dir + "\n";
}

std::string deploy_text(const ratchet::deploy_report& r) {
    if (r.applied.empty()) return "No pending migrations to apply.\n";
    std::string s = "\nThe following migration(s) have been applied:\n\nmigrations/\n";
    for (const auto& a : r.applied) s += "  └─ " + a.name + "/\n    └─ migration.sql\n";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.1f", static_cast<double>(r.total.count()) / 1000.0);
    return s + "\nAll migrations have been successfully applied. (" +
           std::to_string(r.applied.size()) + " in " + buf + " ms)\n";
}

status_output status_text(const ratchet::status_report& r, const std::string& dir) {
    using S = ratchet::status_summary;
    switch (r.summary) {
        case S::database_is_behind:
            return {"Following " + plural(r.pending.size(), "migration") +
                        " have not yet been applied:\n" + lines(r.pending) +
                        "\nTo apply migrations in development run prisma migrate dev.\n"
                        "To apply migrations in production run ratchet deploy.\n",
                    "", 1};
        case S::histories_diverge:
            return {"",
                    "Your local migration history and the migrations table from your database are "
                    "different:\n\nThe last common migration is: " +
                        r.last_common.value_or("null") + "\n\nThe " +
                        plural(r.pending.size(), "migration") + " have not yet been applied:\n" +
                        lines(r.pending) + "\nThe " +
                        plural(r.missing_locally.size(), "migration") +
                        " from the database are not found locally in " + dir + ":\n" +
                        lines(r.missing_locally),
                    1};
        case S::has_failed:
            return {"", failed_block(r.failed), 1};
        case S::not_managed:
            return {"",
                    "The current database is not managed by Prisma Migrate.\n\nRead more about how "
                    "to baseline an existing production "
                    "database:\nhttps://pris.ly/d/migrate-baseline\n",
                    1};
        case S::up_to_date:
            break;
    }
    return {"Database schema is up to date!\n", "", 0};
}

std::string plan_text(const ratchet::plan_report& r) {
    std::string s;
    if (r.would_create_history_table) s += "Would create the _prisma_migrations table.\n";
    if (r.to_apply.empty()) {
        s += "No pending migrations to apply.\n";
    } else {
        s += "Would apply " + std::to_string(r.to_apply.size()) + " " +
             plural(r.to_apply.size(), "migration") + ":\n";
        for (const auto& n : r.to_apply) {
            const bool ac =
                std::find(r.autocommit.begin(), r.autocommit.end(), n) != r.autocommit.end();
            s += "  " + n + (ac ? "  (outside a transaction)" : "") + "\n";
        }
    }
    return s;
}

}  // namespace ratchet_cli
