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
#include "pooler.hpp"
#include "prisma_text.hpp"

#include <ratchet/engine.hpp>

#include <cstdlib>
#include <exception>
#include <optional>
#include <random>
#include <system_error>
#include <thread>
#include <utility>

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
            target.params.emplace_back("connect_timeout",
                                       std::to_string(opts.connect_timeout_seconds));
        }
        log = make_logger(opts.on_log, secrets);
        for (const auto& p : target.ignored)
            log->debug("URL parameter {} is Prisma-only; ignored", p);
    }

    // Schema Prisma inspects for emptiness and the history table.
    [[nodiscard]] std::string inspected_schema() const { return target.schema.value_or("public"); }

    [[nodiscard]] pg_connection connect_once() const {
        if (opts.deadline && clock::now() >= *opts.deadline) {
            throw error(errc::deadline_exceeded, "deadline reached before connecting");
        }
        auto l = log;
        return pg_connection{target, secrets, opts.deadline,
                             [l](std::string_view notice) { l->debug("server: {}", notice); }};
    }

    // options::connect_wait: a database that is starting (a container, Aurora resuming from zero
    // capacity) is waited for, with backoff; failures that cannot pass by waiting fail at once.
    // `first_failure`: the first attempt, already made (by connect_reading) and failed.
    [[nodiscard]] pg_connection connect(const clock::time_point started = clock::now(),
                                        const std::exception_ptr& first_failure = nullptr) const {
        const auto give_up = started + opts.connect_wait;
        auto backoff = std::chrono::milliseconds{250};
        for (int attempt = 1;; ++attempt) {
            try {
                if (attempt == 1 && first_failure) std::rethrow_exception(first_failure);
                return connect_once();
            } catch (const error& e) {
                const auto now = clock::now();
                const bool past =
                    now + backoff > give_up || (opts.deadline && now + backoff > *opts.deadline);
                if (e.code() != errc::connection || past || !connect_failure_may_pass(e.what()))
                    throw;
                log->info("waiting for the database at {} (attempt {}: {})", target.display,
                          attempt, connect_failure_summary(e.what()));
                std::this_thread::sleep_for(backoff);
                backoff = std::min(backoff * 2, std::chrono::milliseconds{5'000});
            }
        }
    }

    // options::migrations_loader: the set is read on a second thread while this one connects
    // (the CLI's no-op deploy spent a fifth of its time reading and hashing files before it
    // even started to connect). The loader's error wins over a connection error, as when the
    // set was read first; nothing is decided before both are done.
    [[nodiscard]] pg_connection connect_reading() {
        if (!opts.migrations_loader) return connect();
        const auto loader = std::exchange(opts.migrations_loader, nullptr);
        std::optional<migration_set> loaded;
        std::exception_ptr load_failure;
        const auto read = [&] {
            try {
                loaded = loader();
            } catch (...) {
                load_failure = std::current_exception();
            }
        };
        std::thread reader;
        try {
            reader = std::thread{read};
        } catch (const std::system_error&) {
            read();  // no thread to be had: read first, as without a loader
        }
        const auto started = clock::now();
        std::optional<pg_connection> c;
        std::exception_ptr connect_failure;
        try {
            c.emplace(connect_once());
        } catch (...) {
            connect_failure = std::current_exception();
        }
        if (reader.joinable()) reader.join();
        if (load_failure) std::rethrow_exception(load_failure);
        opts.migrations = std::move(*loaded);
        check_lock_file(opts.migrations);
        if (c) return std::move(*c);
        return connect(started, connect_failure);  // waits as connect() does (connect_wait)
    }

    // The calls that need the set before connecting read it first.
    void read_migrations() {
        if (!opts.migrations_loader) return;
        const auto loader = std::exchange(opts.migrations_loader, nullptr);
        opts.migrations = loader();
    }

    // Prisma's connection set-up: create a missing ?schema= schema. Reads name the schema, so
    // only the paths that write (deploy, resolve) set search_path, after deciding whether a
    // pooler is in the way (a session SET would leak into the pool's server connection).
    void set_up_schema(pg_connection& c, bool create_missing) const {
        if (!target.schema || !create_missing) return;
        const auto r =
            c.exec_params("SELECT EXISTS(SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1)",
                          {*target.schema});
        if (r.get(0, 0) != "t") {
            log->info("creating schema {}", quote_identifier(*target.schema));
            c.exec("CREATE SCHEMA IF NOT EXISTS " + quote_identifier(*target.schema));
        }
    }

    // Prisma: search_path = the ?schema= schema alone, for the session (direct connections).
    void use_schema(pg_connection& c) const {
        if (target.schema) c.exec("SET search_path = " + quote_identifier(*target.schema));
    }

    // The same for one transaction (pooler-safe deploys).
    [[nodiscard]] std::string search_path_local_sql() const {
        return target.schema ? "SET LOCAL search_path = " + quote_identifier(*target.schema) + ";"
                             : std::string{};
    }

    // Why this deploy must run pooler-safe, or nullopt for a direct session.
    [[nodiscard]] std::optional<std::string> pooler_reason(pg_connection& c) const {
        switch (opts.pooler) {
            case pooler_mode::direct:
                return std::nullopt;
            case pooler_mode::transaction_pooler:
                return "options::pooler is transaction_pooler";
            case pooler_mode::detect:
                break;
        }
        if (auto known = known_pooler(describe(target))) return known;
        return probe_pooler(c);
    }

    [[nodiscard]] bool lock_enabled() const {
        if (opts.advisory_lock) return *opts.advisory_lock;
        const char* v = std::getenv("PRISMA_SCHEMA_DISABLE_ADVISORY_LOCK");
        if (v != nullptr && std::string_view{v} != "" && std::string_view{v} != "0") {
            log->warn(
                "PRISMA_SCHEMA_DISABLE_ADVISORY_LOCK is set: migrating without the advisory "
                "lock; concurrent deployers may apply a migration twice");
            return false;
        }
        return true;
    }

    [[nodiscard]] std::unique_ptr<advisory_lock> lock(pg_connection& c) const {
        if (!lock_enabled()) return nullptr;
        auto timeout = opts.lock_timeout;
        if (opts.deadline) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*opts.deadline -
                                                                                    clock::now());
            timeout = std::max(std::chrono::milliseconds{0}, std::min(timeout, left));
        }
        auto l = log;
        return std::make_unique<advisory_lock>(
            c, timeout,
            [l](const std::string& holder) {
                l->info("waiting for the migration lock{}",
                        holder.empty() ? "" : ", held by " + holder);
            },
            opts.schema_lock ? std::optional{inspected_schema()} : std::nullopt);
    }

    // The no-op deploy (every replica's start-up): when the history, read without the lock, shows
    // nothing pending and nothing failed, there is nothing the lock could protect. Anything else
    // (including a failed row, which may be another deployer's migration in progress) is decided
    // again under the lock. Returns the warnings when there is nothing to do.
    [[nodiscard]] std::optional<std::vector<warning>> nothing_to_do(pg_connection& c) const {
        if (!history_table_exists(c, inspected_schema())) return std::nullopt;
        const auto rows = load_history(c, target.schema);
        auto decision = decide_deploy(opts.migrations, rows);
        if (!decision.pending.empty() || !decision.failed.empty()) return std::nullopt;
        if (opts.strict && !decision.warnings.empty()) return std::nullopt;
        log_warnings(decision.warnings);
        return std::move(decision.warnings);
    }

    [[nodiscard]] apply_settings settings_for_apply() const {
        return {opts.migration_lock_timeout,
                opts.statement_timeout,
                opts.lock_retries,
                opts.lock_retry_backoff,
                opts.migrations.origin,
                &secrets,
                {}};
    }

    // The old session may still be committing (or rolling back) when a new connection looks:
    // wait, bounded, until the server has finished with it, so the read sees the outcome.
    void wait_for_session_end(pg_connection& c, int pid) const {
        const auto give_up = clock::now() + std::chrono::seconds{30};
        while (clock::now() < give_up) {
            const auto r =
                c.exec_params("SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE pid = $1",
                              {std::to_string(pid)});
            if (r.get(0, 0) == "0") return;
            std::this_thread::sleep_for(std::chrono::milliseconds{50});
        }
        throw error(errc::commit_in_doubt,
                    "the server session that was committing is still running");
    }

    // After a connection loss during COMMIT: read the history on a new connection instead of
    // guessing. The advisory lock went with the old session, so deploy stops either way.
    [[noreturn]] void resolve_doubt(const commit_in_doubt& doubt) const {
        std::optional<bool> committed;
        try {
            auto c = connect();
            set_up_schema(c, false);
            wait_for_session_end(c, doubt.backend_pid);
            committed = row_finished(c, target.schema, doubt.row_id).value_or(false);
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

    // Pooler-safe: BEGIN, search_path for this transaction, and the migration lock until COMMIT
    // (pg_advisory_xact_lock on Prisma's key, waiting at most lock_timeout).
    void begin_locked(pg_connection& c) const {
        std::string sql = "BEGIN;" + search_path_local_sql();
        if (lock_enabled()) {
            auto wait = opts.lock_timeout;
            if (opts.deadline) {
                wait = std::min(wait, std::chrono::duration_cast<std::chrono::milliseconds>(
                                          *opts.deadline - clock::now()));
            }
            // The fleet form (options::schema_lock): Prisma's key shared, the schema's exclusive.
            const std::string keys =
                opts.schema_lock
                    ? "pg_advisory_xact_lock_shared(" + std::to_string(prisma_lock_key) +
                          "), pg_advisory_xact_lock(" + std::to_string(prisma_lock_key) + ", " +
                          std::to_string(schema_lock_key(inspected_schema())) + ")"
                    : "pg_advisory_xact_lock(" + std::to_string(prisma_lock_key) + ")";
            sql +=
                "SET LOCAL lock_timeout = " + std::to_string(std::max<long long>(1, wait.count())) +
                ";SELECT " + keys + ";SET LOCAL lock_timeout = DEFAULT";
        }
        try {
            c.exec(sql);
        } catch (const error& e) {
            if (e.sqlstate() != "55P03") throw;
            c.exec("ROLLBACK");
            throw error(errc::lock_timeout,
                        prisma_text::p1002(opts.lock_timeout, describe_lock_holder(c)));
        }
    }

    [[noreturn]] void refuse_autocommit(const migration& m, const std::string& why) const {
        throw error(errc::pooler_unsafe,
                    "migration " + m.name + " must run outside a transaction (" +
                        m.autocommit_reason +
                        "), which is not safe through a transaction pooler (" + why +
                        "). Nothing was applied. Deploy through a direct connection: set Prisma's "
                        "directUrl, or pass --url with the database's own host and port (or "
                        "--pooler direct for a pooler in session mode).",
                    {}, m.name);
    }

    // resolve's writes: the session lock and search_path on a direct connection; through a
    // pooler, one transaction holding the lock (the caller's writes end it with COMMIT).
    struct write_guard {
        std::unique_ptr<advisory_lock> session_lock;
        bool in_transaction = false;
    };
    [[nodiscard]] write_guard lock_for_writes(pg_connection& c) const {
        if (pooler_reason(c)) {
            begin_locked(c);
            return {nullptr, true};
        }
        use_schema(c);
        return {lock(c), false};
    }

    // Each round takes the lock in a new transaction, re-reads the history under it and applies
    // the next pending migration in that same transaction: exactly once, with no session state.
    void deploy_through_pooler(pg_connection& c, deploy_report& report,
                               const std::string& why) const {
        report.pooler = why;
        log->info(
            "deploying pooler-safe ({}): the migration lock is taken inside each migration's "
            "transaction",
            why);
        const auto unlocked =
            decide_deploy(opts.migrations, history_table_exists(c, inspected_schema())
                                               ? load_history(c, target.schema)
                                               : std::vector<history_row>{});
        for (const migration* m : unlocked.pending) {
            if (m->needs_autocommit) refuse_autocommit(*m, why);
        }
        auto settings = settings_for_apply();
        settings.search_path_sql = search_path_local_sql();
        std::mt19937 rng{std::random_device{}()};
        auto backoff = opts.lock_retry_backoff;
        int retries = 0;
        for (bool first = true;; first = false) {
            const auto waited_from = std::chrono::steady_clock::now();
            begin_locked(c);
            if (first)
                report.lock_wait = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::steady_clock::now() - waited_from);
            const auto contents = inspect_schema(c, inspected_schema());
            const auto rows = contents.has_history_table ? load_history(c, target.schema)
                                                         : std::vector<history_row>{};
            const auto decision = decide_deploy(opts.migrations, rows);
            if (auto verdict = deploy_verdict(opts.migrations, contents, decision, opts.strict)) {
                c.exec("ROLLBACK");
                throw *verdict;
            }
            if (!contents.has_history_table) {
                create_history_table(c);
                report.created_history_table = true;
            }
            if (first) {
                report.warnings.insert(report.warnings.end(), decision.warnings.begin(),
                                       decision.warnings.end());
                log_warnings(decision.warnings);
                for (const migration* m : decision.pending)
                    report.pending_before.push_back(m->name);
            }
            if (decision.pending.empty()) {
                c.exec("COMMIT");
                return;
            }
            const migration& m = *decision.pending.front();
            if (m.needs_autocommit) {
                c.exec("ROLLBACK");
                refuse_autocommit(m, why);
            }
            if (!m.readable) {
                c.exec("ROLLBACK");
                throw error(errc::script_missing, prisma_text::p3015(), {}, m.name);
            }
            log->info("Applying migration `{}`", m.name);
            const auto start = std::chrono::steady_clock::now();
            const timestamp started = now_utc();
            std::optional<transaction_failure> failure;
            try {
                failure = finish_in_open_transaction(c, m, settings, started);
            } catch (const commit_in_doubt& doubt) {
                resolve_doubt(doubt);
            }
            if (!failure) {
                const auto took = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::steady_clock::now() - start);
                log->info("Applied migration `{}` in {:.1f} ms", m.name,
                          static_cast<double>(took.count()) / 1000.0);
                report.applied.push_back({m.name, took, true});
                retries = 0;
                backoff = opts.lock_retry_backoff;
                continue;
            }
            if (failure->error.sqlstate == "55P03" && retries < opts.lock_retries && c.ok()) {
                const auto wait =
                    backoff + std::chrono::milliseconds{std::uniform_int_distribution<long long>{
                                  0, backoff.count() / 2}(rng)};
                log->warn(
                    "migration {} hit lock_timeout (attempt {} of {}); nothing was applied, "
                    "retrying in {} ms",
                    m.name, retries + 1, opts.lock_retries + 1, wait.count());
                std::this_thread::sleep_for(wait);
                ++retries;
                backoff *= 2;
                continue;
            }
            record_failure(c, m, settings, started, *failure);
        }
    }
};

engine::engine(options opts) : impl_{std::make_unique<impl>(std::move(opts))} {}
engine::engine(engine&&) noexcept = default;
engine& engine::operator=(engine&&) noexcept = default;
engine::~engine() = default;

const options& engine::settings() const noexcept {
    return impl_->opts;
}

deploy_report engine::deploy() {
    const auto start = std::chrono::steady_clock::now();
    auto& s = *impl_;
    check_lock_file(s.opts.migrations);  // again after reading, when a loader reads it
    auto c = s.connect_reading();
    deploy_report report;
    for (const auto& w : s.opts.migrations.warnings)
        report.warnings.push_back({warning_code::source, w, {}});
    s.set_up_schema(c, true);
    if (auto done = s.nothing_to_do(c)) {
        report.warnings.insert(report.warnings.end(), done->begin(), done->end());
        report.total = std::chrono::duration_cast<std::chrono::microseconds>(
            std::chrono::steady_clock::now() - start);
        return report;
    }
    if (auto why = s.pooler_reason(c)) {
        s.deploy_through_pooler(c, report, *why);
        report.total = std::chrono::duration_cast<std::chrono::microseconds>(
            std::chrono::steady_clock::now() - start);
        return report;
    }
    s.use_schema(c);
    const auto held = s.lock(c);
    if (held) report.lock_wait = held->waited();
    const auto contents = inspect_schema(c, s.inspected_schema());
    const auto rows =
        contents.has_history_table ? load_history(c, s.target.schema) : std::vector<history_row>{};
    auto decision = decide_deploy(s.opts.migrations, rows);
    if (auto verdict = deploy_verdict(s.opts.migrations, contents, decision, s.opts.strict))
        throw *verdict;
    if (!contents.has_history_table) {
        create_history_table(c);
        report.created_history_table = true;
    }
    report.warnings.insert(report.warnings.end(), decision.warnings.begin(),
                           decision.warnings.end());
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
    report.total = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - start);
    return report;
}

status_report engine::status() {
    auto& s = *impl_;
    check_lock_file(s.opts.migrations);  // again after reading, when a loader reads it
    auto c = s.connect_reading();
    s.set_up_schema(c, true);
    const bool has_table = history_table_exists(c, s.inspected_schema());
    const auto rows = has_table ? load_history(c, s.target.schema) : std::vector<history_row>{};
    auto report = diagnose(s.opts.migrations, rows, has_table);
    for (const auto& w : s.opts.migrations.warnings)
        report.warnings.push_back({warning_code::source, w, {}});
    return report;
}

plan_report engine::plan() {
    auto& s = *impl_;
    s.read_migrations();
    plan_report report;
    if (auto found = lock_file_mismatch(s.opts.migrations.lock_file)) {
        report.blocking = error(errc::provider_mismatch, prisma_text::p3019(*found));
        return report;  // deploy stops here too, before connecting
    }
    auto c = s.connect();
    s.set_up_schema(c, false);
    const auto contents = inspect_schema(c, s.inspected_schema());
    const auto rows =
        contents.has_history_table ? load_history(c, s.target.schema) : std::vector<history_row>{};
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
    s.read_migrations();
    verify_report report;
    auto c = s.connect();
    s.set_up_schema(c, false);
    const auto contents = inspect_schema(c, s.inspected_schema());
    const auto rows =
        contents.has_history_table ? load_history(c, s.target.schema) : std::vector<history_row>{};
    const auto decision = decide_deploy(s.opts.migrations, rows);
    report.problems = decision.warnings;
    for (const history_row* r : decision.failed) {
        report.problems.push_back({warning_code::failed,
                                   "migration " + r->migration_name + " started at " +
                                       prisma_text::utc_display(r->started_at) + " failed",
                                   r->migration_name});
    }
    for (const auto& m : s.opts.migrations.migrations) {
        if (!m.readable)
            report.problems.push_back({warning_code::unreadable, m.read_error, m.name});
    }
    if (auto found = lock_file_mismatch(s.opts.migrations.lock_file)) {
        report.problems.push_back(
            {warning_code::provider_mismatch, prisma_text::p3019(*found), {}});
    }
    report.ok = report.problems.empty();
    return report;
}

resolve_report engine::resolve_applied(std::string_view name) {
    auto& s = *impl_;
    s.read_migrations();
    check_lock_file(s.opts.migrations);
    const migration* m = s.opts.migrations.find(name);
    if (m == nullptr || !m->readable) {
        throw error(errc::not_found_locally, prisma_text::p3017(name), {}, std::string{name});
    }
    resolve_report report{std::string{name}, "applied", true, false};
    auto c = s.connect();
    s.set_up_schema(c, true);
    const auto held = s.lock_for_writes(c);
    if (!inspect_schema(c, s.inspected_schema()).has_history_table) {
        create_history_table(c);  // the baselining path: no emptiness check
        report.created_history_table = true;
    }
    const auto rows = load_history(c, s.target.schema);
    const auto targets = resolve_applied_targets(s.opts.migrations, rows, name);
    const timestamp now = now_utc();
    const history_row row{new_uuid_v4(), m->checksum,  now, m->name,
                          std::string{}, std::nullopt, now, 0};
    mark_rolled_back(c, targets, now, &row, held.in_transaction);
    return report;
}

resolve_report engine::resolve_rolled_back(std::string_view name) {
    auto& s = *impl_;
    s.read_migrations();
    auto c = s.connect();
    s.set_up_schema(c, true);
    const auto held = s.lock_for_writes(c);
    if (!inspect_schema(c, s.inspected_schema()).has_history_table) {
        throw error(errc::no_history_table, prisma_text::no_history_table_for_rollback());
    }
    const auto rows = load_history(c, s.target.schema);
    const auto targets = resolve_rolled_back_targets(rows, name);
    resolve_report report{std::string{name}, "rolled_back", !targets.empty(), false};
    if (targets.empty()) return report;
    mark_rolled_back(c, targets, now_utc(), nullptr, held.in_transaction);
    return report;
}

std::vector<history_row> engine::history() {
    auto& s = *impl_;
    auto c = s.connect();
    s.set_up_schema(c, false);
    if (!inspect_schema(c, s.inspected_schema()).has_history_table) return {};
    return load_history(c, s.target.schema);
}

}  // namespace v1
}  // namespace ratchet
