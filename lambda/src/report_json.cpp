#include "report_json.hpp"

#include <chrono>
#include <ctime>

namespace ratchet::lambda {

namespace {

using json = nlohmann::json;

std::string_view state_name(ratchet::migration_state s) {
    switch (s) {
        case ratchet::migration_state::applied: return "applied";
        case ratchet::migration_state::pending: return "pending";
        case ratchet::migration_state::failed: return "failed";
        case ratchet::migration_state::missing_locally: return "missing_locally";
    }
    return "?";
}

std::string_view summary_name(ratchet::status_summary s) {
    switch (s) {
        case ratchet::status_summary::up_to_date: return "up_to_date";
        case ratchet::status_summary::database_is_behind: return "database_is_behind";
        case ratchet::status_summary::histories_diverge: return "histories_diverge";
        case ratchet::status_summary::has_failed: return "has_failed";
        case ratchet::status_summary::not_managed: return "not_managed";
    }
    return "?";
}

json time_or_null(const std::optional<ratchet::timestamp>& t) {
    if (!t) return nullptr;
    const auto secs = std::chrono::floor<std::chrono::seconds>(*t);
    const auto micros = (*t - secs).count();
    const std::time_t tt = std::chrono::system_clock::to_time_t(secs);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    return std::string(buf) + "." + std::to_string(1'000'000 + micros).substr(1) + "Z";
}

}  // namespace

json to_json(const std::vector<ratchet::warning>& w) {
    json out = json::array();
    for (const auto& x : w) out.push_back({{"code", x.code}, {"message", x.message}, {"migration", x.migration}});
    return out;
}

json to_json(const ratchet::status_report& r) {
    json migrations = json::array();
    for (const auto& m : r.migrations) {
        migrations.push_back({{"name", m.name}, {"state", state_name(m.state)}, {"edited", m.edited},
                              {"startedAt", time_or_null(m.started_at)}, {"finishedAt", time_or_null(m.finished_at)}});
    }
    return {{"summary", summary_name(r.summary)}, {"hasHistoryTable", r.has_history_table},
            {"migrations", migrations}, {"pending", r.pending}, {"failed", r.failed},
            {"missingLocally", r.missing_locally}, {"edited", r.edited}, {"warnings", to_json(r.warnings)}};
}

json to_json(const ratchet::plan_report& r) {
    return {{"toApply", r.to_apply}, {"autocommit", r.autocommit}, {"warnings", to_json(r.warnings)},
            {"blockingCode", r.blocking_code ? json(*r.blocking_code) : json(nullptr)},
            {"blockingMessage", r.blocking_message ? json(*r.blocking_message) : json(nullptr)},
            {"wouldCreateHistoryTable", r.would_create_history_table}};
}

json to_json(const ratchet::deploy_report& r) {
    json applied = json::array();
    for (const auto& a : r.applied) {
        applied.push_back({{"name", a.name}, {"durationMs", a.duration.count() / 1000}, {"transactional", a.transactional}});
    }
    return {{"applied", applied}, {"pendingBefore", r.pending_before}, {"warnings", to_json(r.warnings)},
            {"createdHistoryTable", r.created_history_table}, {"lockWaitMs", r.lock_wait.count() / 1000},
            {"totalMs", r.total.count() / 1000}};
}

}  // namespace ratchet::lambda
