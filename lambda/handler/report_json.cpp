#include "handler/report_json.hpp"

#include <chrono>
#include <ctime>

namespace ratchet::lambda {

namespace {

using json = nlohmann::json;

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
        migrations.push_back({{"name", m.name}, {"state", ratchet::to_string(m.state)}, {"edited", m.edited},
                              {"startedAt", time_or_null(m.started_at)}, {"finishedAt", time_or_null(m.finished_at)}});
    }
    return {{"summary", ratchet::to_string(r.summary)}, {"hasHistoryTable", r.has_history_table},
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
