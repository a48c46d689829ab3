// The _prisma_migrations table: Prisma's DDL, and reads and writes with Prisma's values.
#pragma once

#include "pg.hpp"

#include <ratchet/report.hpp>

#include <string>
#include <vector>

namespace ratchet::detail {

/// What the target schema holds (Prisma's `initialize` looks at ordinary tables only).
struct schema_contents {
    bool has_history_table = false;
    bool has_other_tables = false;
};

/// Inspects the schema (relkind 'r' only, as Prisma: views, sequences, partitioned parents and
/// other schemas do not count).
schema_contents inspect_schema(pg_connection& c, const std::string& schema);

/// Whether a relation named _prisma_migrations exists in the schema. For the read-only no-op
/// check of deploy: a name lookup without planning a catalogue join (about 1 ms instead of 3-4
/// on a new session); anything unusual falls through to the locked path, which inspects fully.
bool history_table_exists(pg_connection& c, const std::string& schema);

/// Creates _prisma_migrations with Prisma's DDL (unqualified: lands in the search_path schema).
void create_history_table(pg_connection& c);

/// All rows, ordered by started_at (Prisma's "first row" rule depends on it).
std::vector<history_row> load_history(pg_connection& c);

/// Client clock, UTC, microseconds (Prisma uses the client clock, never now()).
timestamp now_utc();

/// A new lower-case uuid v4 from OpenSSL's CSPRNG.
std::string new_uuid_v4();

/// SQL text of an INSERT of a complete row, with every value escaped as a literal.
std::string insert_row_sql(const pg_connection& c, const history_row& row);

/// SQL text setting rolled_back_at on one row.
std::string mark_rolled_back_sql(const pg_connection& c, const std::string& id, timestamp at);

}  // namespace ratchet::detail
