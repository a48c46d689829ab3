// Output formats: human, JSON, GitHub workflow commands, SARIF 2.1.0.
#include <ratchet/lint.hpp>
#include <ratchet/version.hpp>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <set>

namespace ratchet::lint {
namespace {

std::string path_of(std::string_view dir, const std::string& file) {
    if (dir.empty() || dir == ".") return file;
    std::string p{dir};
    if (p.back() != '/') p += '/';
    return p + file;
}

std::string human_bytes(std::int64_t b) {
    const char* units[] = {"B", "kB", "MB", "GB", "TB"};
    double v = static_cast<double>(b);
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
    return buf;
}

std::string human_seconds(double s) {
    char buf[32];
    if (s < 1) {
        std::snprintf(buf, sizeof buf, "%.0f ms", s * 1000);
    } else if (s < 120) {
        std::snprintf(buf, sizeof buf, "%.1f s", s);
    } else {
        std::snprintf(buf, sizeof buf, "%.1f min", s / 60);
    }
    return buf;
}

std::string risk_text(const finding& f) {
    const auto& r = *f.risk;
    const rule_info* rule = find_rule(f.rule);
    std::string t = "\"" + f.table + "\": " + human_bytes(r.bytes) + ", ~" +
                    std::to_string(r.rows) + " rows; " + r.effect;
    if (rule != nullptr && !rule->blocks.empty()) t += "; blocks " + std::string{rule->blocks};
    if (r.worst_case_seconds > 0) t += " for ~" + human_seconds(r.worst_case_seconds) + " at worst";
    if (!r.note.empty()) t += " (" + r.note + ")";
    return t;
}

nlohmann::json finding_json(const finding& f) {
    nlohmann::json j{{"rule", f.rule},
                     {"severity", to_string(f.level)},
                     {"migration", f.migration},
                     {"file", f.file},
                     {"line", f.line},
                     {"column", f.column},
                     {"message", f.message},
                     {"table", f.table.empty() ? nlohmann::json(nullptr) : nlohmann::json(f.table)},
                     {"column_name", f.column_name.empty() ? nlohmann::json(nullptr)
                                                           : nlohmann::json(f.column_name)},
                     {"statement", f.statement}};
    if (const rule_info* r = find_rule(f.rule)) {
        j["lock"] = r->lock;
        j["blocks"] = r->blocks;
        j["effect"] = r->effect;
        j["fix"] = r->rewrite;
    }
    if (f.risk) {
        j["risk"] = {{"exists", f.risk->exists}, {"empty", f.risk->empty},
                     {"bytes", f.risk->bytes},   {"rows", f.risk->rows},
                     {"effect", f.risk->effect}, {"worst_case_seconds", f.risk->worst_case_seconds},
                     {"note", f.risk->note}};
        j["effect"] = f.risk->effect;
    }
    return j;
}

/// GitHub workflow command escaping (data and property values).
std::string gh_escape(std::string_view s, bool property) {
    std::string out;
    for (const char c : s) {
        switch (c) {
            case '%':
                out += "%25";
                break;
            case '\r':
                out += "%0D";
                break;
            case '\n':
                out += "%0A";
                break;
            case ':':
                out += property ? "%3A" : ":";
                break;
            case ',':
                out += property ? "%2C" : ",";
                break;
            default:
                out += c;
        }
    }
    return out;
}

}  // namespace

std::string format_line(const finding& f) {
    std::string out = f.file + ":" + std::to_string(f.line) + ":" + std::to_string(f.column) + " " +
                      std::string{to_string(f.level)} + " " + f.rule + ": " + f.message;
    if (f.risk) out += " [" + risk_text(f) + "]";
    return out;
}

std::string format_human(const std::vector<finding>& findings, std::string_view dir, bool color) {
    std::string out;
    std::size_t counts[4] = {0, 0, 0, 0};
    std::set<std::string> migrations;
    for (const auto& f : findings) {
        ++counts[static_cast<int>(f.level)];
        migrations.insert(f.migration);
        const char* c = f.level == severity::error     ? "\x1b[31m"
                        : f.level == severity::warning ? "\x1b[33m"
                                                       : "\x1b[36m";
        out += path_of(dir, f.file) + ":" + std::to_string(f.line) + ":" +
               std::to_string(f.column) + "  ";
        out += color ? std::string{c} + std::string{to_string(f.level)} + "\x1b[0m"
                     : std::string{to_string(f.level)};
        out += "  ";
        out += color ? "\x1b[1m" + f.rule + "\x1b[0m" : f.rule;
        out += "  " + f.message + "\n";
        if (f.risk) out += "    risk: " + risk_text(f) + "\n";
        if (const rule_info* r = find_rule(f.rule); r != nullptr && f.level >= severity::warning) {
            if (!r->lock.empty() && !f.risk) {
                out += "    lock: " + std::string{r->lock} + "; blocks " + std::string{r->blocks} +
                       "\n";
            }
            out += "    fix:  " + std::string{r->rewrite} + "\n";
        }
    }
    if (findings.empty()) {
        out += "No findings.\n";
    } else {
        out += std::to_string(counts[3]) + " error(s), " + std::to_string(counts[2]) +
               " warning(s), " + std::to_string(counts[1]) + " info in " +
               std::to_string(migrations.size()) + " migration(s)\n";
    }
    return out;
}

std::string format_json(const std::vector<finding>& findings) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& f : findings) list.push_back(finding_json(f));
    const nlohmann::json j{{"schema_version", 1},
                           {"command", "lint"},
                           {"ok", !has_errors(findings)},
                           {"findings", std::move(list)}};
    return j.dump(2) + "\n";
}

std::string format_github(const std::vector<finding>& findings, std::string_view dir) {
    std::string out;
    for (const auto& f : findings) {
        const char* cmd = f.level == severity::error     ? "error"
                          : f.level == severity::warning ? "warning"
                                                         : "notice";
        std::string msg = f.message;
        if (f.risk) msg += "\n" + risk_text(f);
        if (const rule_info* r = find_rule(f.rule)) msg += "\nfix: " + std::string{r->rewrite};
        // Appended piece by piece: GCC 12 at -O3 warns falsely (-Wrestrict, bug 105651) on
        // one long chain of std::string additions.
        out += "::";
        out += cmd;
        out += " file=";
        out += gh_escape(path_of(dir, f.file), true);
        out += ",line=";
        out += std::to_string(f.line);
        out += ",col=";
        out += std::to_string(f.column);
        out += ",title=";
        out += gh_escape("ratchet lint: " + f.rule, true);
        out += "::";
        out += gh_escape(msg, false);
        out += '\n';
    }
    return out;
}

std::string format_sarif(const std::vector<finding>& findings, std::string_view dir) {
    auto level = [](severity s) {
        return s == severity::error ? "error" : s == severity::warning ? "warning" : "note";
    };
    nlohmann::json rule_list = nlohmann::json::array();
    const auto& all = rules();
    for (const auto& r : all) {
        rule_list.push_back(
            {{"id", r.id},
             {"shortDescription", {{"text", r.summary}}},
             {"fullDescription", {{"text", r.why}}},
             {"help", {{"text", r.rewrite}}},
             {"helpUri", "https://github.com/ratchet/ratchet/blob/main/docs/lint-rules.md#" +
                             std::string{r.id}},
             {"defaultConfiguration", {{"level", level(r.default_severity)}}},
             {"properties", {{"lock", r.lock}, {"blocks", r.blocks}, {"effect", r.effect}}}});
    }
    nlohmann::json results = nlohmann::json::array();
    for (const auto& f : findings) {
        std::size_t index = 0;
        while (index < all.size() && all[index].id != f.rule) ++index;
        std::string msg = f.message;
        if (f.risk) msg += ". " + risk_text(f);
        results.push_back({{"ruleId", f.rule},
                           {"ruleIndex", index},
                           {"level", level(f.level)},
                           {"message", {{"text", msg}}},
                           {"locations",
                            {{{"physicalLocation",
                               {{"artifactLocation", {{"uri", path_of(dir, f.file)}}},
                                {"region",
                                 {{"startLine", std::max<std::size_t>(f.line, 1)},
                                  {"startColumn", std::max<std::size_t>(f.column, 1)}}}}}}}}});
    }
    const nlohmann::json log{
        {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
        {"version", "2.1.0"},
        {"runs",
         {{{"tool",
            {{"driver",
              {{"name", "ratchet-lint"},
               {"version", std::string{ratchet::library_version()}},
               {"informationUri",
                "https://github.com/ratchet/ratchet/blob/main/docs/lint-rules.md"},
               {"rules", std::move(rule_list)}}}}},
           {"results", std::move(results)}}}}};
    return log.dump(2) + "\n";
}

}  // namespace ratchet::lint
