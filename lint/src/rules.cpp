// The rule table: ids, severities, locks, reasons and rewrites (docs/lint-rules.md says the same).
#include <ratchet/lint.hpp>

#include <algorithm>

namespace ratchet::lint {

std::string_view to_string(severity s) noexcept {
    switch (s) {
        case severity::off:
            return "off";
        case severity::info:
            return "info";
        case severity::warning:
            return "warning";
        case severity::error:
            return "error";
    }
    return "error";
}

std::optional<severity> parse_severity(std::string_view s) noexcept {
    for (const auto v : {severity::off, severity::info, severity::warning, severity::error}) {
        if (to_string(v) == s) return v;
    }
    return std::nullopt;
}

namespace {

constexpr std::string_view access_exclusive = "ACCESS EXCLUSIVE on the table";
constexpr std::string_view blocks_all = "every read and write of the table";

}  // namespace

const std::vector<rule_info>& rules() noexcept {
    static const std::vector<rule_info> all{
        {"require-concurrent-index-creation", severity::error,
         "CREATE INDEX without CONCURRENTLY on an existing table", "SHARE on the table",
         "INSERT, UPDATE and DELETE on the table (reads continue)", "index build",
         "The whole index is built while writes wait; on a large table that is minutes of "
         "failed or queued writes.",
         "CREATE INDEX CONCURRENTLY in a migration of its own (ratchet runs it outside a "
         "transaction); if it fails, DROP INDEX CONCURRENTLY the invalid index and retry."},
        {"require-concurrent-index-deletion", severity::error, "DROP INDEX without CONCURRENTLY",
         "ACCESS EXCLUSIVE on the index's table", blocks_all, "metadata",
         "The drop waits for every transaction using the table and blocks everything queued "
         "behind it, reads included.",
         "DROP INDEX CONCURRENTLY in a migration of its own."},
        {"adding-foreign-key-constraint", severity::error,
         "FOREIGN KEY added without NOT VALID to an existing table",
         "SHARE ROW EXCLUSIVE on the table and the referenced table",
         "INSERT, UPDATE and DELETE on both tables", "scan",
         "Every existing row is checked while writes to both tables wait.",
         "ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID, then in a later migration VALIDATE "
         "CONSTRAINT (takes SHARE UPDATE EXCLUSIVE: writes continue)."},
        {"constraint-missing-not-valid", severity::error,
         "CHECK constraint added without NOT VALID to an existing table", access_exclusive,
         blocks_all, "scan",
         "Every existing row is checked under ACCESS EXCLUSIVE: reads and writes wait.",
         "ADD CONSTRAINT ... CHECK (...) NOT VALID, then in a later migration VALIDATE "
         "CONSTRAINT."},
        {"setting-not-null", severity::error,
         "SET NOT NULL on an existing column without a validated CHECK", access_exclusive,
         blocks_all, "scan",
         "PostgreSQL scans the whole table under ACCESS EXCLUSIVE to prove there is no NULL. "
         "Since PostgreSQL 12 a validated CHECK (col IS NOT NULL) lets it skip the scan.",
         "ADD CONSTRAINT c CHECK (col IS NOT NULL) NOT VALID; VALIDATE CONSTRAINT c (later "
         "migration); SET NOT NULL (metadata-only on 12+); DROP CONSTRAINT c."},
        {"adding-required-field", severity::error,
         "ADD COLUMN ... NOT NULL without a DEFAULT on an existing table", access_exclusive,
         blocks_all, "fails",
         "The statement fails on any table that has rows; the deploy stops there.",
         "Add the column with a constant DEFAULT (metadata-only since PostgreSQL 11), or "
         "nullable, backfill, then SET NOT NULL the safe way."},
        {"changing-column-type", severity::error, "ALTER COLUMN ... TYPE on an existing table",
         access_exclusive, blocks_all, "rewrite",
         "Most type changes rewrite the table and every index under ACCESS EXCLUSIVE "
         "(exceptions: varchar(n) to text or to a larger n, numeric precision increases).",
         "Add a new column, backfill in batches, switch the application, drop the old column."},
        {"adding-field-with-default", severity::error,
         "ADD COLUMN with a volatile DEFAULT (or serial) on an existing table", access_exclusive,
         blocks_all, "rewrite",
         "A constant DEFAULT is metadata-only since PostgreSQL 11, but a volatile one "
         "(random(), gen_random_uuid(), clock_timestamp(), nextval() of serial) rewrites the "
         "table under ACCESS EXCLUSIVE.",
         "Add the column without a default, SET DEFAULT, then backfill in batches."},
        {"adding-primary-key-constraint", severity::error,
         "ADD PRIMARY KEY without USING INDEX on an existing table", access_exclusive, blocks_all,
         "index build",
         "The unique index is built under ACCESS EXCLUSIVE: reads and writes wait for the build.",
         "CREATE UNIQUE INDEX CONCURRENTLY i ON t (col); then ALTER TABLE t ADD CONSTRAINT pk "
         "PRIMARY KEY USING INDEX i."},
        {"disallowed-unique-constraint", severity::error,
         "ADD UNIQUE without USING INDEX on an existing table", access_exclusive, blocks_all,
         "index build",
         "The unique index is built under ACCESS EXCLUSIVE: reads and writes wait for the build.",
         "CREATE UNIQUE INDEX CONCURRENTLY i ON t (col); then ALTER TABLE t ADD CONSTRAINT u "
         "UNIQUE USING INDEX i."},
        {"renaming-column", severity::warning, "RENAME COLUMN", access_exclusive,
         "every read and write of the table (briefly)", "breaking",
         "The running application still uses the old name; its queries fail from the commit on.",
         "Add the new column, write both, backfill, switch reads, drop the old column later; "
         "or a view with the old name."},
        {"renaming-table", severity::warning, "ALTER TABLE ... RENAME TO", access_exclusive,
         "every read and write of the table (briefly)", "breaking",
         "The running application still uses the old name; its queries fail from the commit on.",
         "Create the new table (or a view with the old name), move the application over, then "
         "drop the old name."},
        {"ban-drop-column", severity::warning, "DROP COLUMN", access_exclusive,
         "every read and write of the table (briefly)", "breaking",
         "Application code that still selects or writes the column fails; the data is gone.",
         "Stop using the column in the application first (Prisma: remove the field and deploy), "
         "then drop it in a later migration."},
        {"ban-drop-table", severity::warning, "DROP TABLE", "ACCESS EXCLUSIVE on the table",
         blocks_all, "breaking", "The data is gone and code still using the table fails.",
         "Stop using the table first, keep a backup, drop it in a later migration."},
        {"ban-cluster", severity::error, "CLUSTER", access_exclusive, blocks_all, "rewrite",
         "CLUSTER rewrites the table and its indexes under ACCESS EXCLUSIVE.",
         "Do not run CLUSTER in a migration; use pg_repack outside the deploy."},
        {"ban-vacuum-full", severity::error, "VACUUM FULL", access_exclusive, blocks_all, "rewrite",
         "VACUUM FULL rewrites the table and its indexes under ACCESS EXCLUSIVE.",
         "Plain VACUUM (no exclusive lock), or pg_repack outside the deploy."},
        {"require-concurrent-refresh", severity::error,
         "REFRESH MATERIALIZED VIEW without CONCURRENTLY",
         "ACCESS EXCLUSIVE on the materialized view", "every read of the view", "rewrite",
         "Readers of the view wait for the whole query to run again.",
         "REFRESH MATERIALIZED VIEW CONCURRENTLY (needs a unique index on the view)."},
        {"require-timeout-settings", severity::warning,
         "lock-taking DDL on an existing table without lock_timeout", "", "", "lock queue",
         "A DDL statement waiting for its lock (behind a long transaction) blocks every later "
         "query on the table, even plain reads, for as long as it waits.",
         "`-- ratchet:lock-timeout=5s` in the migration's leading comments, `SET lock_timeout "
         "= '5s'` before the DDL, or `deploy --migration-lock-timeout 5s --lock-retries 3` "
         "(then set assume_lock_timeout in ratchet-lint.json)."},
        {"transaction-nesting", severity::warning, "BEGIN / COMMIT / ROLLBACK inside a migration",
         "", "", "transaction",
         "ratchet (and Prisma) already run a migration in a transaction; with its own "
         "transaction control the file runs in autocommit, statement by statement, and a "
         "failure leaves it half-applied.",
         "Remove BEGIN/COMMIT; use `-- ratchet:no-transaction` when the migration really must "
         "run outside a transaction."},
        {"prefer-bigint-keys", severity::info, "int / serial primary key", "", "", "style",
         "A 32-bit key runs out at 2.1 billion; widening it later rewrites the table and every "
         "referencing table.",
         "bigint (Prisma: BigInt @id @default(autoincrement())) or bigint GENERATED ALWAYS AS "
         "IDENTITY."},
        {"prefer-text-field", severity::info, "varchar(n)", "", "", "style",
         "Changing n later is a migration of its own (a rewrite when it shrinks); text with a "
         "CHECK on length is as fast.",
         "text, with CHECK (char_length(col) <= n) NOT VALID when a limit matters."},
        {"prefer-timestamptz", severity::info, "timestamp without time zone", "", "", "style",
         "Values are stored without their zone and read back in whatever zone the session has.",
         "timestamptz (Prisma: DateTime @db.Timestamptz(3))."},
        {"not-checked", severity::warning,
         "a statement the PostgreSQL 15 parser cannot read (not checked)", "", "", "unknown",
         "Newer syntax or an error: the statement was split with ratchet's lexer but no rule "
         "ran on it.",
         "Check the statement by hand, or suppress with a reason."},
        {"invalid-lint-ignore", severity::error,
         "a lint-ignore directive without rule or reason, or naming an unknown rule", "", "",
         "config", "A suppression must say which rule and why, so that reviewers can judge it.",
         "`-- ratchet:lint-ignore <rule> <reason>` on the line before the statement."},
        {"unused-lint-ignore", severity::warning, "a lint-ignore directive that suppresses nothing",
         "", "", "config",
         "The statement it was written for changed or moved; the directive would hide a "
         "future finding on whatever statement follows it.",
         "Remove the directive."},
    };
    return all;
}

const rule_info* find_rule(std::string_view id) noexcept {
    const auto& all = rules();
    const auto it =
        std::find_if(all.begin(), all.end(), [&](const rule_info& r) { return r.id == id; });
    return it == all.end() ? nullptr : &*it;
}

severity config::level_of(std::string_view rule) const {
    if (const auto it = severities.find(rule); it != severities.end()) return it->second;
    const auto* r = find_rule(rule);
    return r != nullptr ? r->default_severity : severity::warning;
}

bool has_errors(const std::vector<finding>& findings) noexcept {
    return std::any_of(findings.begin(), findings.end(),
                       [](const finding& f) { return f.level == severity::error; });
}

}  // namespace ratchet::lint
