#include <ratchet/error.hpp>
#include <ratchet/version.hpp>

namespace ratchet {
inline namespace v1 {

std::string_view code_name(errc code) noexcept {
    switch (code) {
        case errc::invalid_input:
            return "invalid_input";
        case errc::connection:
            return "P1001";
        case errc::lock_timeout:
            return "P1002";
        case errc::provider_mismatch:
            return "P3019";
        case errc::schema_not_empty:
            return "P3005";
        case errc::failed_migrations:
            return "P3009";
        case errc::migration_failed:
            return "P3018";
        case errc::script_missing:
            return "P3015";
        case errc::already_applied:
            return "P3008";
        case errc::not_found_locally:
            return "P3017";
        case errc::never_applied:
            return "P3011";
        case errc::not_failed:
            return "P3012";
        case errc::no_history_table:
            return "no_history_table";
        case errc::strict_violation:
            return "strict_violation";
        case errc::deadline_exceeded:
            return "deadline_exceeded";
        case errc::commit_in_doubt:
            return "commit_in_doubt";
        case errc::database:
            return "database";
        case errc::internal:
            return "internal";
        case errc::pooler_unsafe:
            return "pooler_unsafe";
        case errc::lint_failed:
            return "lint_failed";
    }
    return "internal";
}

bool is_prisma_code(errc code) noexcept {
    const auto name = code_name(code);
    return name.size() == 5 && name.front() == 'P';
}

error::error(errc code, std::string message, std::string sqlstate, std::string migration)
    : std::runtime_error{std::move(message)},
      code_{code},
      sqlstate_{std::move(sqlstate)},
      migration_{std::move(migration)} {}

std::string_view error::code_name() const noexcept {
    return ratchet::code_name(code_);
}

bool error::retryable() const noexcept {
    return code_ == errc::lock_timeout || code_ == errc::deadline_exceeded ||
           code_ == errc::connection;
}

std::string_view library_version() noexcept {
    return "0.1.0";
}

}  // namespace v1
}  // namespace ratchet
