#include "history_table.hpp"

#include "conninfo.hpp"

#include "prisma_text.hpp"
#include "sha256.hpp"

#include <ratchet/error.hpp>

#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>

namespace ratchet::detail {
namespace {

constexpr const char* create_table_sql =
    "CREATE TABLE _prisma_migrations (\n"
    "    id                      VARCHAR(36) PRIMARY KEY NOT NULL,\n"
    "    checksum                VARCHAR(64) NOT NULL,\n"
    "    finished_at             TIMESTAMPTZ,\n"
    "    migration_name          VARCHAR(255) NOT NULL,\n"
    "    logs                    TEXT,\n"
    "    rolled_back_at          TIMESTAMPTZ,\n"
    "    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),\n"
    "    applied_steps_count     INTEGER NOT NULL DEFAULT 0\n"
    ")";

// Read in binary: timestamps arrive as integers (exact, independent of the session's DateStyle
// and TimeZone), and the server evaluates no expressions and sorts nothing; on a new session
// that saves about 2 ms of the no-op deploy. Rows are ordered by started_at here.
constexpr const char* select_rows_sql =
    "SELECT id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, "
    "applied_steps_count FROM ";

// Reads name the schema when there is one: they then need no session search_path, which a
// transaction pooler does not keep. Writes stay unqualified, as Prisma's.
std::string table_in(const std::optional<std::string>& schema) {
    return schema ? quote_identifier(*schema) + "._prisma_migrations"
                  : std::string{"_prisma_migrations"};
}

// PostgreSQL's binary timestamps count microseconds from 2000-01-01 00:00:00 UTC.
constexpr std::int64_t postgres_epoch_unix_micros = 946'684'800'000'000;

std::int64_t big_endian(std::string_view bytes) {
    std::uint64_t v = 0;
    for (const char b : bytes) v = (v << 8U) | static_cast<std::uint8_t>(b);
    if (bytes.size() < sizeof v) {  // sign-extend 4-byte integers
        const unsigned shift = 64U - 8U * static_cast<unsigned>(bytes.size());
        return static_cast<std::int64_t>(v << shift) >> shift;
    }
    return static_cast<std::int64_t>(v);
}

std::string_view binary_field(const pg_result_ptr& r, int row, int col,
                              std::initializer_list<std::size_t> sizes, const char* column) {
    const auto bytes = r.get(row, col);
    if (std::find(sizes.begin(), sizes.end(), bytes.size()) == sizes.end()) {
        throw error(errc::internal, std::string{"_prisma_migrations."} + column +
                                        " has an unexpected type (" + std::to_string(bytes.size()) +
                                        "-byte value); expected Prisma's column types");
    }
    return bytes;
}

std::optional<timestamp> micros_at(const pg_result_ptr& r, int row, int col, const char* column) {
    if (r.is_null(row, col)) return std::nullopt;
    const auto micros = big_endian(binary_field(r, row, col, {8}, column));
    return timestamp{std::chrono::microseconds{micros + postgres_epoch_unix_micros}};
}

std::string ts_literal(timestamp t) {
    std::string s{"'"};  // built step by step: GCC 12 -O3 warns falsely (-Wrestrict) on "'" + str
    s += prisma_text::iso8601(t);
    s += '\'';
    return s;
}

}  // namespace

schema_contents inspect_schema(pg_connection& c, const std::string& schema) {
    const auto r = c.exec_params(
        "SELECT coalesce(bool_or(c.relname = '_prisma_migrations'), false), "
        "coalesce(bool_or(c.relname <> '_prisma_migrations'), false) "
        "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = $1 AND c.relkind = 'r'",
        {schema});
    return {r.get(0, 0) == "t", r.get(0, 1) == "t"};
}

bool history_table_exists(pg_connection& c, const std::string& schema) {
    const auto r = c.exec_params(
        "SELECT to_regclass(format('%I._prisma_migrations', $1::text)) IS NOT NULL", {schema});
    return r.get(0, 0) == "t";
}

void create_history_table(pg_connection& c) {
    c.exec(create_table_sql);
}

std::vector<history_row> load_history(pg_connection& c, const std::optional<std::string>& schema) {
    const auto r = c.exec_binary(select_rows_sql + table_in(schema));
    std::vector<history_row> rows;
    rows.reserve(static_cast<std::size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) {
        history_row h;
        h.id = std::string{r.get(i, 0)};
        h.checksum = std::string{r.get(i, 1)};
        h.finished_at = micros_at(r, i, 2, "finished_at");
        h.migration_name = std::string{r.get(i, 3)};
        if (!r.is_null(i, 4)) h.logs = std::string{r.get(i, 4)};
        h.rolled_back_at = micros_at(r, i, 5, "rolled_back_at");
        h.started_at = *micros_at(r, i, 6, "started_at");
        h.applied_steps_count =
            static_cast<int>(big_endian(binary_field(r, i, 7, {4, 8}, "applied_steps_count")));
        rows.push_back(std::move(h));
    }
    // Prisma reads ORDER BY started_at; its "first row" rules depend on that order.
    std::stable_sort(rows.begin(), rows.end(), [](const history_row& a, const history_row& b) {
        return a.started_at < b.started_at;
    });
    return rows;
}

timestamp now_utc() {
    return std::chrono::time_point_cast<std::chrono::microseconds>(
        std::chrono::system_clock::now());
}

std::string new_uuid_v4() {
    std::array<std::uint8_t, 16> b{};
    if (RAND_bytes(b.data(), static_cast<int>(b.size())) != 1) {
        throw error(errc::internal, "OpenSSL could not generate random bytes for a uuid");
    }
    b[6] = static_cast<std::uint8_t>((b[6] & 0x0FU) | 0x40U);  // version 4
    b[8] = static_cast<std::uint8_t>((b[8] & 0x3FU) | 0x80U);  // RFC 4122 variant
    const std::string hex = to_hex(b.data(), b.size());
    return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
           hex.substr(16, 4) + "-" + hex.substr(20);
}

std::string insert_row_sql(const pg_connection& c, const history_row& row) {
    auto opt_ts = [](const std::optional<timestamp>& t) { return t ? ts_literal(*t) : "NULL"; };
    return "INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, logs, "
           "rolled_back_at, started_at, applied_steps_count) VALUES (" +
           c.literal(row.id) + ", " + c.literal(row.checksum) + ", " + opt_ts(row.finished_at) +
           ", " + c.literal(row.migration_name) + ", " +
           (row.logs ? c.literal(*row.logs) : "NULL") + ", " + opt_ts(row.rolled_back_at) + ", " +
           ts_literal(row.started_at) + ", " + std::to_string(row.applied_steps_count) + ")";
}

std::string mark_rolled_back_sql(const pg_connection& c, const std::string& id, timestamp at) {
    return "UPDATE _prisma_migrations SET rolled_back_at = " + ts_literal(at) +
           " WHERE id = " + c.literal(id);
}

std::string set_logs_sql(const pg_connection& c, const std::string& id, const std::string& logs) {
    return "UPDATE _prisma_migrations SET logs = " + c.literal(logs) +
           " WHERE id = " + c.literal(id);
}

std::string mark_finished_sql(const pg_connection& c, const std::string& id, timestamp at) {
    return "UPDATE _prisma_migrations SET applied_steps_count = applied_steps_count + 1, "
           "finished_at = " +
           ts_literal(at) + " WHERE id = " + c.literal(id);
}

void mark_rolled_back(pg_connection& c, const std::vector<const history_row*>& rows, timestamp at,
                      const history_row* insert_after, bool already_in_transaction) {
    std::string sql = already_in_transaction ? "" : "BEGIN;";
    for (const history_row* r : rows) sql += mark_rolled_back_sql(c, r->id, at) + ";";
    if (insert_after != nullptr) sql += insert_row_sql(c, *insert_after) + ";";
    c.exec(sql + "COMMIT");
}

std::optional<bool> row_finished(pg_connection& c, const std::optional<std::string>& schema,
                                 const std::string& id) {
    const auto r = c.exec_params(
        "SELECT finished_at IS NOT NULL FROM " + table_in(schema) + " WHERE id = $1", {id});
    if (r.rows() != 1) return std::nullopt;
    return r.get(0, 0) == "t";
}

}  // namespace ratchet::detail
