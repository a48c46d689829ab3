#include "plan.hpp"

#include "prisma_text.hpp"
#include "sha256.hpp"

#include <ratchet/error.hpp>

#include <algorithm>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace ratchet::detail {
namespace {

std::string replace_all(std::string_view s, std::string_view from, std::string_view to) {
    std::string out;
    out.reserve(s.size());
    std::size_t pos = 0;
    for (std::size_t hit; (hit = s.find(from, pos)) != std::string_view::npos;
         pos = hit + from.size()) {
        out.append(s.substr(pos, hit - pos));
        out.append(to);
    }
    out.append(s.substr(pos));
    return out;
}

// Looked up once per local migration and per row: a hash map keeps the plan linear (an ordered
// map made it n log n with string comparisons, measurable at 100,000 migrations).
using rows_by_name = std::unordered_map<std::string_view, std::vector<const history_row*>>;

// Local names, for O(1) "is it local?" per history row (plans stay linear in the history size).
std::unordered_set<std::string_view> local_names(const migration_set& set) {
    std::unordered_set<std::string_view> names;
    names.reserve(set.migrations.size());
    for (const auto& m : set.migrations) names.insert(m.name);
    return names;
}

// Rows grouped by name, each group in started_at order (rows arrive ordered by started_at).
rows_by_name group(const std::vector<history_row>& rows) {
    rows_by_name g;
    g.reserve(rows.size());
    for (const auto& r : rows) g[r.migration_name].push_back(&r);
    return g;
}

const history_row* latest_finished(const std::vector<const history_row*>& rows) {
    const history_row* found = nullptr;
    for (const history_row* r : rows) {
        if (r->finished_at && !r->rolled_back_at) found = r;
    }
    return found;
}

bool counts_as_applied_or_failed(const history_row& r) {
    return !r.rolled_back_at;
}

std::vector<const history_row*> failed_rows(const std::vector<history_row>& rows) {
    std::vector<const history_row*> failed;
    for (const auto& r : rows) {
        if (r.failed()) failed.push_back(&r);
    }
    return failed;
}

warning drift_warning(const migration& m) {
    return {warning_code::checksum_drift,
            "migration " + m.name +
                " was edited after it was applied: its migration.sql no longer matches the "
                "checksum recorded in _prisma_migrations",
            m.name};
}

}  // namespace

std::optional<std::string> lock_file_mismatch(const std::optional<std::string>& content) {
    if (!content) return std::nullopt;
    std::string_view rest = *content;
    std::optional<std::string> value;
    while (true) {
        const auto nl = rest.find('\n');
        std::string_view line = rest.substr(0, nl);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.substr(0, 8) == "provider") {
            if (line.substr(0, 11) == "provider = ") line.remove_prefix(11);
            while (!line.empty() && line.front() == '"') line.remove_prefix(1);
            while (!line.empty() && line.back() == '"') line.remove_suffix(1);
            value = std::string{line};
            break;
        }
        if (nl == std::string_view::npos) break;
        rest.remove_prefix(nl + 1);
    }
    const std::string found = value.value_or("<PROVIDER NOT FOUND>");
    if (found == "postgresql") return std::nullopt;
    return found;
}

void check_lock_file(const migration_set& set) {
    if (auto found = lock_file_mismatch(set.lock_file)) {
        throw error(errc::provider_mismatch, prisma_text::p3019(*found));
    }
}

namespace {

// The variants Prisma accepts besides the plain checksum (which the callers compare first).
bool checksum_variant_matches(std::string_view script, std::string_view stored) {
    if (stored.size() != 64 && !stored.empty()) {
        if (sha256_hex_unpadded(script) == stored) return true;
    }
    if (sha256_hex(replace_all(script, "\r\n", "\n")) == stored) return true;
    return sha256_hex(replace_all(script, "\n", "\r\n")) == stored;
}

}  // namespace

bool checksum_matches(std::string_view script, std::string_view stored) {
    return sha256_hex(script) == stored || checksum_variant_matches(script, stored);
}

bool checksum_matches(const migration& m, std::string_view stored) {
    return m.checksum == stored || checksum_variant_matches(m.sql, stored);
}

deploy_decision decide_deploy(const migration_set& set, const std::vector<history_row>& rows) {
    deploy_decision d;
    d.failed = failed_rows(rows);
    const auto by_name = group(rows);
    std::optional<std::size_t> last_applied_index;
    for (std::size_t i = 0; i < set.migrations.size(); ++i) {
        const migration& m = set.migrations[i];
        const auto it = by_name.find(m.name);
        const bool present =
            it != by_name.end() &&
            std::any_of(it->second.begin(), it->second.end(),
                        [](const history_row* r) { return counts_as_applied_or_failed(*r); });
        if (!present) {
            d.pending.push_back(&m);
            continue;
        }
        last_applied_index = i;
        const history_row* done = latest_finished(it->second);
        if (done && m.readable && !checksum_matches(m, done->checksum)) {
            d.warnings.push_back(drift_warning(m));
        }
    }
    for (const migration* m : d.pending) {
        const auto index = static_cast<std::size_t>(m - set.migrations.data());
        if (last_applied_index && index < *last_applied_index) {
            d.warnings.push_back({warning_code::out_of_order,
                                  "pending migration " + m->name + " sorts before " +
                                      set.migrations[*last_applied_index].name +
                                      ", which is already applied",
                                  m->name});
        }
    }
    std::set<std::string_view> reported;
    const auto local = local_names(set);
    for (const auto& r : rows) {
        if (r.finished_at && !r.rolled_back_at && !local.contains(r.migration_name) &&
            reported.insert(r.migration_name).second) {
            d.warnings.push_back({warning_code::missing_locally,
                                  "migration " + r.migration_name +
                                      " is recorded as applied but is missing from " + set.origin,
                                  r.migration_name});
        }
    }
    return d;
}

status_report diagnose(const migration_set& set, const std::vector<history_row>& rows,
                       bool has_table) {
    status_report s;
    s.has_history_table = has_table;
    const auto by_name = group(rows);
    for (const migration& m : set.migrations) {
        migration_status st;
        st.name = m.name;
        const auto it = by_name.find(m.name);
        if (it == by_name.end()) {
            s.pending.push_back(m.name);
            s.migrations.push_back(st);
            continue;
        }
        const auto& group_rows = it->second;
        if (!m.readable) throw error(errc::script_missing, prisma_text::p3015(), {}, m.name);
        const history_row* done = latest_finished(group_rows);
        const bool failed = std::any_of(group_rows.begin(), group_rows.end(),
                                        [](const history_row* r) { return r->failed(); });
        st.rolled_back_rows =
            std::any_of(group_rows.begin(), group_rows.end(),
                        [](const history_row* r) { return r->rolled_back_at.has_value(); });
        st.started_at = group_rows.back()->started_at;
        if (done) st.finished_at = done->finished_at;
        st.state = failed ? migration_state::failed
                          : (done ? migration_state::applied : migration_state::pending);
        if (st.state == migration_state::pending) {
            // Only rolled-back attempts: deploy will apply it again (Prisma would say "up to
            // date").
            s.pending.push_back(m.name);
            s.warnings.push_back(
                {warning_code::rolled_back,
                 "migration " + m.name +
                     " has only rolled-back attempts and will be applied again by deploy",
                 m.name});
        }
        if (done && !checksum_matches(m, done->checksum)) {
            st.edited = true;
            s.edited.push_back(m.name);
        }
        s.migrations.push_back(st);
    }
    std::set<std::string_view> seen;
    const auto local = local_names(set);
    for (const auto& r : rows) {
        if (r.failed()) s.failed.push_back(r.migration_name);
        if (!local.contains(r.migration_name) && seen.insert(r.migration_name).second) {
            s.missing_locally.push_back(r.migration_name);
            migration_status st;
            st.name = r.migration_name;
            st.state = migration_state::missing_locally;
            const auto& g = by_name.at(r.migration_name);
            st.started_at = g.back()->started_at;
            if (const auto* done = latest_finished(g)) st.finished_at = done->finished_at;
            if (std::any_of(g.begin(), g.end(), [](const history_row* x) { return x->failed(); })) {
                st.state = migration_state::failed;
            }
            s.migrations.push_back(st);
        }
    }
    if (!s.pending.empty() && !s.missing_locally.empty()) {
        s.summary = status_summary::histories_diverge;
        const auto first_pending =
            std::find_if(set.migrations.begin(), set.migrations.end(),
                         [&](const migration& m) { return m.name == s.pending.front(); });
        if (first_pending != set.migrations.begin()) s.last_common = std::prev(first_pending)->name;
    } else if (!s.pending.empty()) {
        s.summary = status_summary::database_is_behind;
    } else if (!has_table) {
        s.summary = status_summary::not_managed;
    } else if (!s.failed.empty()) {
        s.summary = status_summary::has_failed;
    } else {
        s.summary = status_summary::up_to_date;
    }
    return s;
}

std::vector<const history_row*> resolve_applied_targets(const migration_set& set,
                                                        const std::vector<history_row>& rows,
                                                        std::string_view name) {
    const migration* m = set.find(name);
    if (m == nullptr || !m->readable) {
        throw error(errc::not_found_locally, prisma_text::p3017(name), {}, std::string{name});
    }
    std::vector<const history_row*> targets;
    for (const auto& r : rows) {
        if (r.migration_name != name) continue;
        if (r.finished_at) {
            throw error(errc::already_applied, prisma_text::p3008(name), {}, std::string{name});
        }
        if (!r.rolled_back_at) targets.push_back(&r);
    }
    return targets;
}

std::vector<const history_row*> resolve_rolled_back_targets(const std::vector<history_row>& rows,
                                                            std::string_view name) {
    std::vector<const history_row*> named;
    for (const auto& r : rows) {
        if (r.migration_name == name) named.push_back(&r);
    }
    if (named.empty())
        throw error(errc::never_applied, prisma_text::p3011(name), {}, std::string{name});
    if (std::all_of(named.begin(), named.end(),
                    [](const history_row* r) { return r->finished_at.has_value(); })) {
        throw error(errc::not_failed, prisma_text::p3012(name), {}, std::string{name});
    }
    std::vector<const history_row*> targets;
    for (const history_row* r : named) {
        if (r->failed()) targets.push_back(r);
    }
    return targets;
}

std::optional<error> deploy_verdict(const migration_set& set, const schema_contents& contents,
                                    const deploy_decision& decision, bool strict) {
    if (auto found = lock_file_mismatch(set.lock_file)) {
        return error(errc::provider_mismatch, prisma_text::p3019(*found));
    }
    if (!contents.has_history_table && contents.has_other_tables) {
        return error(errc::schema_not_empty, prisma_text::p3005());
    }
    if (!decision.failed.empty()) {
        return error(errc::failed_migrations, prisma_text::p3009(decision.failed), {},
                     decision.failed.front()->migration_name);
    }
    if (strict && !decision.warnings.empty()) {
        std::string msg = "strict mode: " + std::to_string(decision.warnings.size()) +
                          " problem(s) found, nothing was applied:";
        for (const auto& w : decision.warnings) msg += "\n  - " + w.message;
        return error(errc::strict_violation, msg, {}, decision.warnings.front().migration);
    }
    return std::nullopt;
}

}  // namespace ratchet::detail
