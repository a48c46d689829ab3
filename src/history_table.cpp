#include "history_table.hpp"

#include "prisma_text.hpp"
#include "sha256.hpp"

#include <ratchet/error.hpp>

#include <openssl/rand.h>

#include <array>
#include <charconv>

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

// Timestamps travel as integer microseconds since the epoch: exact, and no parsing of
// server-formatted dates.
constexpr const char* select_rows_sql =
    "SELECT id, checksum, (extract(epoch FROM finished_at) * 1000000)::bigint, migration_name, "
    "logs, (extract(epoch FROM rolled_back_at) * 1000000)::bigint, "
    "(extract(epoch FROM started_at) * 1000000)::bigint, applied_steps_count "
    "FROM _prisma_migrations ORDER BY started_at ASC";

std::optional<timestamp> micros_at(const pg_result_ptr& r, int row, int col) {
    if (r.is_null(row, col)) return std::nullopt;
    const auto text = r.get(row, col);
    long long v = 0;
    std::from_chars(text.data(), text.data() + text.size(), v);
    return timestamp{std::chrono::microseconds{v}};
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

void create_history_table(pg_connection& c) { c.exec(create_table_sql); }

std::vector<history_row> load_history(pg_connection& c) {
    const auto r = c.exec(select_rows_sql);
    std::vector<history_row> rows;
    rows.reserve(static_cast<std::size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) {
        history_row h;
        h.id = std::string{r.get(i, 0)};
        h.checksum = std::string{r.get(i, 1)};
        h.finished_at = micros_at(r, i, 2);
        h.migration_name = std::string{r.get(i, 3)};
        if (!r.is_null(i, 4)) h.logs = std::string{r.get(i, 4)};
        h.rolled_back_at = micros_at(r, i, 5);
        h.started_at = *micros_at(r, i, 6);
        const auto steps = r.get(i, 7);
        std::from_chars(steps.data(), steps.data() + steps.size(), h.applied_steps_count);
        rows.push_back(std::move(h));
    }
    return rows;
}

timestamp now_utc() {
    return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
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

}  // namespace ratchet::detail
