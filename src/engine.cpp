// The engine: orchestrates source -> plan -> apply for each public call, and the session
// set-up (schema, search_path, lock). Prisma's decision rules live in plan.cpp, every
// _prisma_migrations statement in history_table.cpp.
#include "advisory_lock.hpp"
#include "applier.hpp"
#include "conninfo.hpp"
#include "history_table.hpp"
#include "log.hpp"
#include "pg.hpp"
#include "plan.hpp"
#include "prisma_text.hpp"

#include <ratchet/engine.hpp>

#include <cstdlib>
#include <thread>

namespace ratchet {
inline namespace v1 {

using namespace detail;

struct engine::impl {
    options opts;
    redactor secrets;
    connection_target target;
    std::shared_ptr<spdlog::logger> log;

    explicit impl(options o) : opts{std::move(o)} {
        target = parse_connection(opts.url, secrets);
        if (opts.schema) target.schema = opts.schema;
        if (target.schema && target.schema->empty()) {
            throw error(errc::invalid_input, "the schema name is empty");
        }
        bool has_app_name = false;
        bool has_timeout = false;
        for (const auto& [k, v] : target.params) {
            has_app_name = has_app_name || k == "application_name";
            has_timeout = has_timeout || k == "connect_timeout";
        }
        if (!has_app_name) target.params.emplace_back("application_name", opts.application_name);
        if (!has_timeout) {
            target.params.emplace_back("connect_timeout", std::to_string(opts.connect_timeout_seconds));
        }
        log = make_logger(opts.on_log, secrets);
        for (const auto& p : target.ignored) log->debug("URL parameter {} is Prisma-only; ignored", p);
    }

    // Schema Prisma inspects for emptiness and the history table.
    [[nodiscard]] std::string inspected_schema() const { return target.schema.value_or("public"); }

    [[nodiscard]] pg_connection connect() const {
        if (opts.deadline && clock::now() >= *opts.deadline) {
            throw error(errc::deadline_exceeded, "deadline reached before connecting");
        }
        auto l = log;
        return pg_connection{target, secrets, opts.deadline,
                             [l](std::string_view notice) { l->debug("server: {}", notice); }};
    }

    // Prisma's connection set-up: create a missing ?schema= schema, and search_path = it alone.
    void set_up_schema(pg_connection& c, bool create_missing) const {
        if (!target.schema) return;
        const std::string quoted = quote_identifier(*target.schema);
        const auto r = c.exec_params(
            "SELECT EXISTS(SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1)", {*target.schema});
        if (r.get(0, 0) != "t" && create_missing) {
            log->info("creating schema {}", quoted);
            c.exec("CREATE SCHEMA " + quoted);
        }
        c.exec("SET search_path = " + quoted);
    }

    [[nodiscard]] bool lock_enabled() const {
        if (opts.advisory_lock) return *opts.advisory_lock;
        const char* v = std::getenv("PRISMA_SCHEMA_DISABLE_ADVISORY_LOCK");
        if (v != nullptr && std::string_view{v} != "" && std::string_view{v} != "0") {
            log->warn("PRISMA_SCHEMA_DISABLE_ADVISORY_LOCK is set: migrating without the advisory "
                      "lock; concurrent deployers may apply a migration twice");
            return false;
        }
        return true;
    }

    [[nodiscard]] std::unique_ptr<advisory_lock> lock(pg_connection& c) const {
        if (!lock_enabled()) return nullptr;
        auto timeout = opts.lock_timeout;
        if (opts.deadline) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*opts.deadline - clock::now());
            timeout = std::max(std::chrono::milliseconds{0}, std::min(timeout, left));
        }
        auto l = log;
        return std::make_unique<advisory_lock>(
            c, timeout,
            [l](const std::string& holder) {
                l->info("waiting for the migration lock{}", holder.empty() ? "" : ", held by " + holder);
            },
            opts.schema_lock ? std::optional{inspected_schema()} : std::nullopt);
    }

    // The no-op deploy (every replica's start-up): when the history, read without the lock, shows
    // nothing pending and nothing failed, there is nothing the lock could protect. Anything else
    // (including a failed row, which may be another deployer's migration in progress) is decided
    // again under the lock. Returns the warnings when there is nothing to do.
    [[nodiscard]] std::optional<std::vector<warning>> nothing_to_do(pg_connection& c) const {
        if (!history_table_exists(c, inspected_schema())) return std::nullopt;
        const auto rows = load_history(c);
        auto decision = decide_deploy(opts.migrations, rows);
        if (!decision.pending.empty() || !decision.failed.empty()) return std::nullopt;
        if (opts.strict && !decision.warnings.empty()) return std::nullopt;
        log_warnings(decision.warnings);
        return std::move(decision.warnings);
    }

    [[nodiscard]] apply_settings settings_for_apply() const {
        return {opts.migration_lock_timeout, opts.statement_timeout, opts.lock_retries,
                opts.lock_retry_backoff, opts.migrations.origin, &secrets};
    }

    // The old session may still be committing (or rolling back) when a new connection looks:
    // wait, bounded, until the server has finished with it, so the read sees the outcome.
    void wait_for_session_end(pg_connection& c, int pid) const {
        const auto give_up = clock::now() + std::chrono::seconds{30};
        while (clock::now() < give_up) {
            const auto r = c.exec_params("SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE pid = $1",
                                         {std::to_string(pid)});
            if (r.get(0, 0) == "0") return;
            std::this_thread::sleep_for(std::chrono::milliseconds{50});
        }
        throw error(errc::commit_in_doubt, "the server session that was committing is still running");
    }

    // After a connection loss during COMMIT: read the history on a new connection instead of
    // guessing. The advisory lock went with the old session, so deploy stops either way.
    [[noreturn]] void resolve_doubt(const commit_in_doubt& doubt) const {
        std::optional<bool> committed;
        try {
            auto c = connect();
            set_up_schema(c, false);
            wait_for_session_end(c, doubt.backend_pid);
            committed = row_finished(c, doubt.row_id).value_or(false);
        } catch (const error& e) {
            log->error("could not re-read the history after losing the connection: {}", e.what());
        }
        if (!committed) {
            throw error(errc::commit_in_doubt,
                        "the connection was lost while committing migration " + doubt.migration() +
                            " and the history could not be read back; run `ratchet status` to see "
                            "whether it was applied before deploying again",
                        {}, doubt.migration());
        }
        throw error(errc::connection,
                    "the connection was lost while committing migration " + doubt.migration() +
                        (*committed ? "; the history shows it was committed. "
                                    : "; the history shows it was not committed and nothing of it "
                                      "remains. ") +
                        "Run deploy again to continue.",
                    {}, doubt.migration());
    }

    void log_warnings(const std::vector<warning>& ws) const {
        for (const auto& w : ws) log->warn("{}", w.message);
    }
};

engine::engine(options opts) : impl_{std::make_unique<impl>(std::move(opts))} {}
engine::engine(engine&&) noexcept = default;
engine& engine::operator=(engine&&) noexcept = default;
engine::~engine() = default;

const options& engine::settings() const noexcept { return impl_->opts; }

deploy_report engine::deploy() {
    const auto start = std::chrono::steady_clock::now();
    auto& s = *impl_;
    check_lock_file(s.opts.migrations);
    deploy_report report;
    for (const auto& w : s.opts.migrations.warnings) report.warnings.push_back({warning_code::source, w, {}});
    auto c = s.connect();
    s.set_up_schema(c, true);
    if (auto done = s.nothing_to_do(c)) {
        report.warnings.insert(report.warnings.end(), done->begin(), done->end());
        report.total = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
        return report;
    }
    const auto held = s.lock(c);
    if (held) report.lock_wait = held->waited();
    const auto contents = inspect_schema(c, s.inspected_schema());
    const auto rows = contents.has_history_table ? load_history(c) : std::vector<history_row>{};
    auto decision = decide_deploy(s.opts.migrations, rows);
    if (auto verdict = deploy_verdict(s.opts.migrations, contents, decision, s.opts.strict)) throw *verdict;
    if (!contents.has_history_table) {
        create_history_table(c);
        report.created_history_table = true;
    }
    report.warnings.insert(report.warnings.end(), decision.warnings.begin(), decision.warnings.end());
    s.log_warnings(decision.warnings);
    for (const migration* m : decision.pending) report.pending_before.push_back(m->name);
    const auto settings = s.settings_for_apply();
    for (const migration* m : decision.pending) {
        try {
            report.applied.push_back(apply_migration(c, *m, settings, *s.log));
        } catch (const commit_in_doubt& doubt) {
            s.resolve_doubt(doubt);
        }
    }
    report.total = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
    return report;
}

status_report engine::status() {
    auto& s = *impl_;
    check_lock_file(s.opts.migrations);
    auto c = s.connect();
    s.set_up_schema(c, true);
    const bool has_table = history_table_exists(c, s.inspected_schema());
    const auto rows = has_table ? load_history(c) : std::vector<history_row>{};
    auto report = diagnose(s.opts.migrations, rows, has_table);
    for (const auto& w : s.opts.migrations.warnings) report.warnings.push_back({warning_code::source, w, {}});
    return report;
}

plan_report engine::plan() {
    auto& s = *impl_;
    plan_report report;
    if (auto found = lock_file_mismatch(s.opts.migrations.lock_file)) {
        report.blocking = error(errc::provider_mismatch, prisma_text::p3019(*found));
        return report;  // deploy stops here too, before connecting
    }
    auto c = s.connect();
    s.set_up_schema(c, false);
    const auto contents = inspect_schema(c, s.inspected_schema());
    const auto rows = contents.has_history_table ? load_history(c) : std::vector<history_row>{};
    const auto decision = decide_deploy(s.opts.migrations, rows);
    report.blocking = deploy_verdict(s.opts.migrations, contents, decision, s.opts.strict);
    report.would_create_history_table = !contents.has_history_table && !contents.has_other_tables;
    report.warnings = decision.warnings;
    for (const migration* m : decision.pending) {
        report.to_apply.push_back(m->name);
        if (m->needs_autocommit) report.autocommit.push_back(m->name);
    }
    return report;
}

verify_report engine::verify() {
    auto& s = *impl_;
    verify_report report;
    auto c = s.connect();
    s.set_up_schema(c, false);
    const auto contents = inspect_schema(c, s.inspected_schema());
    const auto rows = contents.has_history_table ? load_history(c) : std::vector<history_row>{};
    const auto decision = decide_deploy(s.opts.migrations, rows);
    report.problems = decision.warnings;
    for (const history_row* r : decision.failed) {
        report.problems.push_back({warning_code::failed, "migration " + r->migration_name + " started at " +
                                                 prisma_text::utc_display(r->started_at) + " failed",
                                   r->migration_name});
    }
    for (const auto& m : s.opts.migrations.migrations) {
        if (!m.readable) report.problems.push_back({warning_code::unreadable, m.read_error, m.name});
    }
    if (auto found = lock_file_mismatch(s.opts.migrations.lock_file)) {
        report.problems.push_back({warning_code::provider_mismatch, prisma_text::p3019(*found), {}});
    }
    report.ok = report.problems.empty();
    return report;
}

resolve_report engine::resolve_applied(std::string_view name) {
    auto& s = *impl_;
    check_lock_file(s.opts.migrations);
    const migration* m = s.opts.migrations.find(name);
    if (m == nullptr || !m->readable) {
        throw error(errc::not_found_locally, prisma_text::p3017(name), {}, std::string{name});
    }
    resolve_report report{std::string{name}, "applied", true, false};
    auto c = s.connect();
    s.set_up_schema(c, true);
    const auto held = s.lock(c);
    if (!inspect_schema(c, s.inspected_schema()).has_history_table) {
        create_history_table(c);  // the baselining path: no emptiness check
        report.created_history_table = true;
    }
    const auto rows = load_history(c);
    const auto targets = resolve_applied_targets(s.opts.migrations, rows, name);
    const timestamp now = now_utc();
    const history_row row{new_uuid_v4(), m->checksum, now, m->name, std::string{}, std::nullopt, now, 0};
    mark_rolled_back(c, targets, now, &row);
    return report;
}

resolve_report engine::resolve_rolled_back(std::string_view name) {
    auto& s = *impl_;
    auto c = s.connect();
    s.set_up_schema(c, true);
    const auto held = s.lock(c);
    if (!inspect_schema(c, s.inspected_schema()).has_history_table) {
        throw error(errc::no_history_table, prisma_text::no_history_table_for_rollback());
    }
    const auto rows = load_history(c);
    const auto targets = resolve_rolled_back_targets(rows, name);
    resolve_report report{std::string{name}, "rolled_back", !targets.empty(), false};
    if (targets.empty()) return report;
    mark_rolled_back(c, targets, now_utc());
    return report;
}

std::vector<history_row> engine::history() {
    auto& s = *impl_;
    auto c = s.connect();
    s.set_up_schema(c, false);
    if (!inspect_schema(c, s.inspected_schema()).has_history_table) return {};
    return load_history(c);
}

}  // namespace v1
}  // namespace ratchet
