/// @file fleet.hpp
/// One run over many databases or tenant schemas: deploy, status or plan on every target with
/// bounded parallelism, a bound on connections per server, and a result per target.
#pragma once

#include <ratchet/error.hpp>
#include <ratchet/export.hpp>
#include <ratchet/options.hpp>
#include <ratchet/report.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ratchet {
inline namespace v1 {

/// One database, or one schema of a database, that gets the same migrations as the others.
struct fleet_target {
    /// A label for output and sharding; empty: derived from the URL (see target_label()).
    std::string name;
    /// Prisma URL or libpq keyword string (may hold a password; never printed).
    std::string url;
    /// The schema holding _prisma_migrations, overriding the URL's `?schema=` (as
    /// options::schema). Each target has its own _prisma_migrations, as Prisma would for
    /// that URL with `?schema=`.
    std::optional<std::string> schema;
};

/// The target's name, or "user@host:port/database" plus "/schema" when a schema is given.
/// Never contains a password. Used for output and for shard_of().
/// @throws ratchet::error (invalid_input) for a malformed URL without a name.
[[nodiscard]] RATCHET_API std::string target_label(const fleet_target& t);

/// Parses a targets file: one target per line, `URL` or `NAME URL` (a first word that is
/// neither a `postgres[ql]://` URL nor a `key=value` pair is a name; a libpq keyword string
/// may contain spaces). Blank lines and lines starting with `#` are skipped.
/// @throws ratchet::error (invalid_input) naming `origin:line` (never a password).
[[nodiscard]] RATCHET_API std::vector<fleet_target> parse_targets(std::string_view text,
                                                                  std::string_view origin);

/// The 0-based shard (of `count`) a target belongs to: FNV-1a 64 of target_label() modulo
/// `count`. Deterministic across machines and runs, so shards need no coordinator.
[[nodiscard]] RATCHET_API std::size_t shard_of(const fleet_target& t, std::size_t count);

/// The first column of every row `sql` returns on `url` (e.g. tenant schema names).
/// @throws ratchet::error (connection, database, invalid_input).
[[nodiscard]] RATCHET_API std::vector<std::string> query_names(const std::string& url,
                                                               const std::string& sql,
                                                               int connect_timeout_seconds = 10);

/// What to run on every target.
enum class fleet_command { deploy, status, plan };

/// The outcome for one target.
struct target_result {
    std::size_t index = 0;  ///< position in the target list
    std::string label;      ///< target_label() (or the name), no password
    bool started = false;   ///< false: not started (fail-fast or a stop request)
    bool ok = false;        ///< deploy: succeeded; status: up to date; plan: deploy would succeed
    std::optional<error> failure;          ///< the error when the call threw (code_name(): P-code)
    std::optional<deploy_report> deploy;   ///< fleet_command::deploy, when it returned
    std::optional<status_report> status;   ///< fleet_command::status, when it returned
    std::optional<plan_report> plan;       ///< fleet_command::plan, when it returned
    std::chrono::microseconds duration{};  ///< wall time of this target
};

/// Counts at one moment of a run.
struct fleet_progress {
    std::size_t total = 0;      ///< targets in the run
    std::size_t done = 0;       ///< finished (ok or not)
    std::size_t failed = 0;     ///< finished and not ok
    std::size_t in_flight = 0;  ///< running now
    std::chrono::microseconds elapsed{};
};

/// How to run a fleet.
struct fleet_options {
    /// Options for every target's engine (migrations, lock_timeout = the per-target lock wait,
    /// strict, timeouts, on_log, ...). `url` and `schema` are replaced by each target's;
    /// `schema_lock` is forced on for deploy (see migrations-format.md, "Fleet lock"); log lines
    /// are prefixed with "[label] ".
    options base;
    /// Targets running at once. Default: 4.
    unsigned parallel = 4;
    /// At most this many targets of one server (host:port) at once, so at most this many
    /// connections to it (each running target holds one connection). 0: no bound besides
    /// `parallel`. Default: 0.
    unsigned max_per_server = 0;
    /// Start no new target after the first failure. Default: false.
    bool fail_fast = false;
    /// When it becomes true, no new target starts; running ones finish. Default: none.
    const std::atomic<bool>* stop = nullptr;
    /// Called after each target finishes, serialised (never concurrently), on a worker thread.
    std::function<void(const target_result&, const fleet_progress&)> on_result;
    /// Called when a target starts (its result holds index and label only), serialised with
    /// on_result.
    std::function<void(const target_result&, const fleet_progress&)> on_start;
};

/// The outcome of a run: one result per target, in target order.
struct fleet_report {
    std::vector<target_result> results;
    std::size_t succeeded = 0;
    std::size_t failed = 0;
    std::size_t not_started = 0;
    bool stopped = false;  ///< a stop request or fail-fast left targets not started
    std::chrono::microseconds total{};
    /// True when every target was started and ok.
    [[nodiscard]] bool ok() const noexcept { return failed == 0 && not_started == 0; }
};

/// Runs `command` on every target: each target through its own ratchet::engine (one
/// connection per running target, opened and closed by the engine). A failing, locked or
/// unreachable target never stops the others unless fail_fast. Never throws for a target's
/// failure; callback exceptions are swallowed.
[[nodiscard]] RATCHET_API fleet_report run_fleet(fleet_command command,
                                                 const std::vector<fleet_target>& targets,
                                                 const fleet_options& opts);

}  // namespace v1
}  // namespace ratchet
