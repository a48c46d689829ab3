// The _prisma_migrations table: every SQL statement that reads or writes it (Prisma's DDL, the
// rows with Prisma's values), so that the rest of the engine never spells its SQL.
#pragma once

#include "pg.hpp"
#include "plan.hpp"

#include <ratchet/report.hpp>

#include <optional>
#include <string>
#include <vector>

namespace ratchet::detail {

/// Inspects the schema (relkind 'r' only, as Prisma: views, sequences, partitioned parents and
/// other schemas do not count).
schema_contents inspect_schema(pg_connection& c, const std::string& schema);

/// Whether a relation named _prisma_migrations exists in the schema. For the read-only no-op
/// check of deploy: a name lookup without planning a catalogue join (about 1 ms instead of 3-4
/// on a new session); anything unusual falls through to the locked path, which inspects fully.
bool history_table_exists(pg_connection& c, const std::string& schema);

/// Creates _prisma_migrations with Prisma's DDL (unqualified: lands in the search_path schema).
void create_history_table(pg_connection& c);

/// All rows, ordered by started_at (Prisma's "first row" rule depends on it), from the table in
/// `schema` (or the search_path's when none is given).
std::vector<history_row> load_history(pg_connection& c, const std::optional<std::string>& schema);

/// Client clock, UTC, microseconds (Prisma uses the client clock, never now()).
timestamp now_utc();

/// A new lower-case uuid v4 from OpenSSL's CSPRNG.
std::string new_uuid_v4();

/// SQL text of an INSERT of a complete row, with every value escaped as a literal.
std::string insert_row_sql(const pg_connection& c, const history_row& row);

/// SQL text setting rolled_back_at on one row.
std::string mark_rolled_back_sql(const pg_connection& c, const std::string& id, timestamp at);

/// SQL text recording the error text of a failed attempt on its row.
std::string set_logs_sql(const pg_connection& c, const std::string& id, const std::string& logs);

/// SQL text finishing a non-transactional migration's row (Prisma: applied_steps_count + 1).
std::string mark_finished_sql(const pg_connection& c, const std::string& id, timestamp at);

/// In one transaction: marks `rows` rolled back at `at` and, when given, inserts `insert_after`
/// (resolve --applied records the migration as applied in the same transaction). With
/// `already_in_transaction` the caller's open transaction is used and committed.
void mark_rolled_back(pg_connection& c, const std::vector<const history_row*>& rows, timestamp at,
                      const history_row* insert_after = nullptr,
                      bool already_in_transaction = false);

/// Whether the row with this id is finished; nullopt when there is no such row (for settling an
/// in-doubt COMMIT on a new connection).
std::optional<bool> row_finished(pg_connection& c, const std::optional<std::string>& schema,
                                 const std::string& id);

}  // namespace ratchet::detail
