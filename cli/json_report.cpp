#include "json_report.hpp"

namespace ratchet_cli {
namespace {

using nlohmann::json;

json base(const std::string& command, bool ok) {
    return json{{"schema_version", json_schema_version}, {"command", command}, {"ok", ok},
                {"applied", json::array()}, {"pending", json::array()}, {"failed", json::array()},
                {"warnings", json::array()}, {"error", nullptr}};
}

json warnings_json(const std::vector<ratchet::warning>& ws) {
    json out = json::array();
    for (const auto& w : ws) {
        out.push_back({{"code", w.code}, {"message", w.message},
                       {"migration", w.migration.empty() ? json(nullptr) : json(w.migration)}});
    }
    return out;
}

double ms(std::chrono::microseconds d) { return static_cast<double>(d.count()) / 1000.0; }

json time_json(const std::optional<ratchet::timestamp>& t) {
    if (!t) return nullptr;
    return std::chrono::duration_cast<std::chrono::microseconds>(t->time_since_epoch()).count();
}

}  // namespace

json error_json(const std::string& command, const std::string& code, const std::string& message) {
    json j = base(command, false);
    j["error"] = {{"code", code}, {"message", message}, {"sqlstate", nullptr}, {"migration", nullptr}};
    return j;
}

json error_json(const std::string& command, const ratchet::error& e) {
    json j = base(command, false);
    j["error"] = {{"code", e.code_name()}, {"message", e.what()},
                  {"sqlstate", e.sqlstate().empty() ? json(nullptr) : json(e.sqlstate())},
                  {"migration", e.migration().empty() ? json(nullptr) : json(e.migration())},
                  {"retryable", e.retryable()}};
    return j;
}

json deploy_json(const ratchet::deploy_report& r) {
    json j = base("deploy", true);
    for (const auto& a : r.applied) {
        j["applied"].push_back({{"name", a.name}, {"duration_ms", ms(a.duration)}, {"transactional", a.transactional}});
    }
    j["pending"] = r.pending_before;
    j["warnings"] = warnings_json(r.warnings);
    j["created_history_table"] = r.created_history_table;
    j["timings"] = {{"total_ms", ms(r.total)}, {"lock_wait_ms", ms(r.lock_wait)}};
    return j;
}

json status_json(const ratchet::status_report& r, int exit_code) {
    json j = base("status", exit_code == 0);
    j["summary"] = ratchet::to_string(r.summary);
    j["pending"] = r.pending;
    j["failed"] = r.failed;
    j["missing_locally"] = r.missing_locally;
    j["edited"] = r.edited;
    j["has_history_table"] = r.has_history_table;
    j["last_common"] = r.last_common ? json(*r.last_common) : json(nullptr);
    j["warnings"] = warnings_json(r.warnings);
    j["migrations"] = json::array();
    for (const auto& m : r.migrations) {
        j["migrations"].push_back({{"name", m.name}, {"state", ratchet::to_string(m.state)}, {"edited", m.edited},
                                   {"rolled_back_attempts", m.rolled_back_rows},
                                   {"started_at_us", time_json(m.started_at)},
                                   {"finished_at_us", time_json(m.finished_at)}});
    }
    return j;
}

json plan_json(const ratchet::plan_report& r) {
    json j = base("plan", !r.blocking_code.has_value());
    j["pending"] = r.to_apply;
    j["autocommit"] = r.autocommit;
    j["warnings"] = warnings_json(r.warnings);
    j["would_create_history_table"] = r.would_create_history_table;
    if (r.blocking_code) j["error"] = {{"code", *r.blocking_code}, {"message", *r.blocking_message}};
    return j;
}

json verify_json(const ratchet::verify_report& r) {
    json j = base("verify", r.ok);
    j["warnings"] = warnings_json(r.problems);
    for (const auto& p : r.problems) {
        if (p.code == "failed") j["failed"].push_back(p.migration);
    }
    return j;
}

json resolve_json(const ratchet::resolve_report& r, const std::string& action) {
    json j = base("resolve", true);
    j["migration"] = r.migration;
    j["action"] = action;
    j["changed"] = r.changed;
    j["created_history_table"] = r.created_history_table;
    return j;
}

json hash_json(const std::string& hash, std::size_t count) {
    json j = base("hash", true);
    j["migrations_hash"] = hash;
    j["migration_count"] = count;
    return j;
}

}  // namespace ratchet_cli
