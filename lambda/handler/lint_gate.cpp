#include "handler/lint_gate.hpp"

#include "aws/text.hpp"
#include "runtime/log.hpp"

#include <ratchet/error.hpp>
#if defined(RATCHET_LAMBDA_LINT)
#    include <ratchet/lint.hpp>
#endif

#include <algorithm>

namespace ratchet::lambda {

#if defined(RATCHET_LAMBDA_LINT)
namespace {

std::size_t findings_of_level(const std::vector<ratchet::lint::finding>& fs,
                              ratchet::lint::severity level) {
    return static_cast<std::size_t>(std::count_if(
        fs.begin(), fs.end(), [&](const ratchet::lint::finding& f) { return f.level == level; }));
}

std::string failure_message(const lint_report& r, std::size_t warnings) {
    std::string msg = "Lint=error: " + std::to_string(r.errors) + " finding(s) of severity error";
    if (warnings > 0) msg += " and " + std::to_string(warnings) + " warning(s)";
    msg +=
        " in the pending migrations; nothing was applied. Fix them, or suppress one with "
        "-- ratchet:lint-ignore RULE REASON:";
    for (const auto& line : r.lines) msg += "\n- " + line;
    return msg;
}

}  // namespace
#endif

lint_report run_lint_gate(lint_mode mode, const bundle& b, const db_config& cfg,
                          const time_budget& budget, progress& prog) {
    lint_report rep;
    if (mode == lint_mode::off) return rep;
#if !defined(RATCHET_LAMBDA_LINT)
    (void)b;
    (void)cfg;
    (void)budget;
    (void)prog;
    throw config_error(std::string("Lint is \"") + to_string(mode) +
                       "\" but this bootstrap was built without ratchet::lint (libpg_query); "
                       "set Lint to off, or build the Lambda with libpg-query-dev installed");
#else
    namespace rl = ratchet::lint;
    prog.set("linting the pending migrations");
    rl::options opts;
    opts.settings = rl::config::for_directory(b.dir);
    opts.url = cfg.url;
    opts.db_schema = cfg.schema;
    opts.deadline = budget.soft;
    auto result = rl::lint_pending(b.set, opts);
    // Errors first (the answer may be cut at its end), each group in file order.
    std::stable_sort(result.findings.begin(), result.findings.end(),
                     [](const rl::finding& a, const rl::finding& z) { return a.level > z.level; });
    rep.ran = true;
    rep.errors = findings_of_level(result.findings, rl::severity::error);
    rep.findings = nlohmann::json::parse(rl::format_json(result.findings)).at("findings");
    for (const auto& f : result.findings) {
        rep.lines.push_back(truncate_utf8(rl::format_line(f), 300));
        log_line(f.level == rl::severity::error ? "error" : "warn", "lint finding",
                 {{"rule", f.rule},
                  {"severity", rl::to_string(f.level)},
                  {"file", f.file},
                  {"line", f.line},
                  {"column", f.column},
                  {"message", f.message}});
    }
    log_line("info", "lint finished",
             {{"mode", to_string(mode)},
              {"pending", result.pending.size()},
              {"findings", result.findings.size()},
              {"errors", rep.errors}});
    if (mode == lint_mode::error && rep.errors > 0) {
        throw ratchet::error(
            ratchet::errc::lint_failed,
            failure_message(rep, findings_of_level(result.findings, rl::severity::warning)));
    }
    return rep;
#endif
}

std::string lint_summary(const lint_report& r) {
    std::string out =
        std::to_string(r.lines.size()) + " finding(s), " + std::to_string(r.errors) + " error(s)";
    for (std::size_t i = 0; i < r.lines.size(); ++i) out += (i == 0 ? ": " : "; ") + r.lines[i];
    return truncate_utf8(out, max_lint_data_bytes);
}

}  // namespace ratchet::lambda
