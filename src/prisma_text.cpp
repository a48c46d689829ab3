#include "prisma_text.hpp"

#include <cstdio>

namespace ratchet::detail::prisma_text {
namespace {

constexpr std::string_view resolve_link =
    "Read more about how to resolve migration issues in a production database: "
    "https://pris.ly/d/migrate-resolve";

std::string quote(std::string_view name) {
    std::string s{"`"};  // built step by step: GCC 12 -O3 warns falsely (-Wrestrict) on "`" + str
    s += name;
    s += '`';
    return s;
}

struct civil {
    int year;
    unsigned month, day, hour, minute, second;
    long long micros;
};

civil split(timestamp t) {
    using namespace std::chrono;
    const auto day_point = floor<days>(t);
    const year_month_day ymd{day_point};
    const auto since_midnight = t - day_point;
    const auto secs = duration_cast<seconds>(since_midnight);
    const hh_mm_ss<seconds> hms{secs};
    return {static_cast<int>(ymd.year()),
            static_cast<unsigned>(ymd.month()),
            static_cast<unsigned>(ymd.day()),
            static_cast<unsigned>(hms.hours().count()),
            static_cast<unsigned>(hms.minutes().count()),
            static_cast<unsigned>(hms.seconds().count()),
            (since_midnight - secs).count()};
}

}  // namespace

std::string p3005() {
    return "The database schema is not empty. Read more about how to baseline an existing "
           "production database: https://pris.ly/d/migrate-baseline";
}

std::string p3008(std::string_view name) {
    return "The migration " + quote(name) + " is already recorded as applied in the database.";
}

std::string p3009(const std::vector<const history_row*>& failed) {
    std::string s =
        "migrate found failed migrations in the target database, new migrations will "
        "not be applied. " +
        std::string{resolve_link} + "\n";
    for (const history_row* r : failed) {
        s += "The " + quote(r->migration_name) + " migration started at " +
             utc_display(r->started_at) + " failed\n";
    }
    return s;
}

std::string p3011(std::string_view name) {
    return "Migration " + quote(name) +
           " cannot be rolled back because it was never applied to the database. Hint: did you "
           "pass in the whole migration name? (example: \"20201207184859_initial_migration\")";
}

std::string p3012(std::string_view name) {
    return "Migration " + quote(name) +
           " cannot be rolled back because it is not in a failed state.";
}

std::string p3015() {
    return "Could not find the migration file at migration.sql. Please delete the directory or "
           "restore the migration file.";
}

std::string p3017(std::string_view name) {
    return "The migration " + std::string{name} +
           " could not be found. Please make sure that the migration exists, and that you "
           "included the whole name of the directory. (example: "
           "\"20201207184859_initial_migration\")";
}

std::string p3019(std::string_view found) {
    return "The datasource provider `postgresql` specified in your schema does not match the one "
           "specified in the migration_lock.toml, " +
           quote(found) +
           ". Please remove your current migration directory and start a new migration history "
           "with prisma migrate dev. Read more: https://pris.ly/d/migrate-provider-switch";
}

std::string p1002(std::chrono::milliseconds timeout, std::string_view holder) {
    std::string s =
        "The database server was reached but timed out.\n\nPlease try again.\n\nPlease make sure "
        "your database server is running at the configured address.\n\nContext: Timed out trying "
        "to acquire a postgres advisory lock (SELECT pg_advisory_lock(72707369)). Timeout: " +
        std::to_string(timeout.count()) +
        "ms. See https://pris.ly/d/migrate-advisory-locking for details.";
    if (!holder.empty()) s += "\nThe lock is held by " + std::string{holder} + ".";
    return s;
}

std::string no_history_table_for_rollback() {
    return "Invariant violation: called markMigrationRolledBack on a database without migrations "
           "table.";
}

std::string p3018_head(std::string_view name) {
    return "A migration failed to apply. New migrations cannot be applied before the error is "
           "recovered from. " +
           std::string{resolve_link} + "\n\nMigration name: " + std::string{name} + "\n";
}

std::string utc_display(timestamp t) {
    const civil c = split(t);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02u:%02u:%02u", c.year, c.month, c.day, c.hour,
                  c.minute, c.second);
    std::string s = buf;
    if (c.micros != 0 && c.micros % 1000 == 0) {
        std::snprintf(buf, sizeof buf, ".%03lld", c.micros / 1000);
        s += buf;
    } else if (c.micros != 0) {
        std::snprintf(buf, sizeof buf, ".%06lld", c.micros);
        s += buf;
    }
    return s + " UTC";
}

std::string iso8601(timestamp t) {
    const civil c = split(t);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02u:%02u:%02u.%06lldZ", c.year, c.month, c.day,
                  c.hour, c.minute, c.second, c.micros);
    return buf;
}

}  // namespace ratchet::detail::prisma_text
