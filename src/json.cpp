// The JSON encoding of the reports (include/ratchet/json.hpp): one place for names, units and
// the envelope, so the CLI and the Lambda cannot drift apart.
#include "prisma_text.hpp"

#include <ratchet/json.hpp>

#include <nlohmann/json.hpp>

namespace ratchet {
inline namespace v1 {
namespace {

using nlohmann::json;

json or_null(const std::string& s) {
    return s.empty() ? json(nullptr) : json(s);
}

json time_or_null(const std::optional<timestamp>& t) {
    return t ? json(to_rfc3339(*t)) : json(nullptr);
}

double ms(std::chrono::microseconds d) {
    return static_cast<double>(d.count()) / 1000.0;
}

json warning_json(const warning& w) {
    return {
        {"code", to_string(w.code)}, {"message", w.message}, {"migration", or_null(w.migration)}};
}

json warnings_json(const std::vector<warning>& ws) {
    json out = json::array();
    for (const auto& w : ws) out.push_back(warning_json(w));
    return out;
}

json error_json(const error& e) {
    return {{"code", e.code_name()},
            {"message", e.what()},
            {"sqlstate", or_null(e.sqlstate())},
            {"migration", or_null(e.migration())},
            {"retryable", e.retryable()}};
}

json envelope(std::string_view command, bool ok, const run_facts& facts) {
    json j{{"schema_version", json_schema_version},
           {"command", command},
           {"ok", ok},
           {"applied", json::array()},
           {"pending", json::array()},
           {"failed", json::array()},
           {"warnings", json::array()},
           {"error", nullptr}};
    if (facts.target) {
        const auto& t = *facts.target;
        j["target"] = {
            {"host", t.host},          {"port", t.port},
            {"database", t.database},  {"schema", t.schema ? json(*t.schema) : json(nullptr)},
            {"user", or_null(t.user)}, {"pgbouncer", t.pgbouncer}};
    }
    if (!facts.config.empty()) {
        json c = json::object();
        for (const auto& [k, v] : facts.config) c[k] = v;
        j["config"] = std::move(c);
    }
    return j;
}

std::string dump(const json& j) {
    return j.dump(2, ' ', false, json::error_handler_t::replace);
}

}  // namespace

std::string to_rfc3339(timestamp t) {
    return detail::prisma_text::iso8601(t);
}

std::string to_json(const warning& w) {
    return dump(warning_json(w));
}

std::string to_json(const deploy_report& r, const run_facts& facts) {
    json j = envelope("deploy", true, facts);
    for (const auto& a : r.applied) {
        j["applied"].push_back({{"name", a.name},
                                {"duration_ms", ms(a.duration)},
                                {"transactional", a.transactional}});
    }
    j["pending"] = r.pending_before;
    j["warnings"] = warnings_json(r.warnings);
    j["created_history_table"] = r.created_history_table;
    j["pooler"] = or_null(r.pooler);
    j["timings"] = {{"total_ms", ms(r.total)}, {"lock_wait_ms", ms(r.lock_wait)}};
    return dump(j);
}

std::string to_json(const status_report& r, const run_facts& facts) {
    json j = envelope("status", r.summary == status_summary::up_to_date, facts);
    j["summary"] = to_string(r.summary);
    j["pending"] = r.pending;
    j["failed"] = r.failed;
    j["missing_locally"] = r.missing_locally;
    j["edited"] = r.edited;
    j["has_history_table"] = r.has_history_table;
    j["last_common"] = r.last_common ? json(*r.last_common) : json(nullptr);
    j["warnings"] = warnings_json(r.warnings);
    j["migrations"] = json::array();
    for (const auto& m : r.migrations) {
        j["migrations"].push_back({{"name", m.name},
                                   {"state", to_string(m.state)},
                                   {"edited", m.edited},
                                   {"rolled_back_attempts", m.rolled_back_rows},
                                   {"started_at", time_or_null(m.started_at)},
                                   {"finished_at", time_or_null(m.finished_at)}});
    }
    return dump(j);
}

std::string to_json(const plan_report& r, const run_facts& facts) {
    json j = envelope("plan", !r.blocking, facts);
    j["pending"] = r.to_apply;
    j["autocommit"] = r.autocommit;
    j["warnings"] = warnings_json(r.warnings);
    j["would_create_history_table"] = r.would_create_history_table;
    if (r.blocking) j["error"] = error_json(*r.blocking);
    return dump(j);
}

std::string to_json(const verify_report& r, const run_facts& facts) {
    json j = envelope("verify", r.ok, facts);
    j["warnings"] = warnings_json(r.problems);
    for (const auto& p : r.problems) {
        if (p.code == warning_code::failed) j["failed"].push_back(p.migration);
    }
    return dump(j);
}

std::string to_json(const resolve_report& r, const run_facts& facts) {
    json j = envelope("resolve", true, facts);
    j["migration"] = r.migration;
    j["action"] = r.action;
    j["changed"] = r.changed;
    j["created_history_table"] = r.created_history_table;
    return dump(j);
}

std::string to_json(const hash_report& r, const run_facts& facts) {
    json j = envelope("hash", true, facts);
    j["migrations_hash"] = r.migrations_hash;
    j["migration_count"] = r.migration_count;
    return dump(j);
}

std::string to_json(const error& e, std::string_view command, const run_facts& facts) {
    json j = envelope(command, false, facts);
    j["error"] = error_json(e);
    return dump(j);
}

}  // namespace v1
}  // namespace ratchet
