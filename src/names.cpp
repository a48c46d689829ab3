// Stable names of the public enums, shared by every adapter (CLI JSON, Lambda answers, logs).
#include <ratchet/options.hpp>
#include <ratchet/report.hpp>

namespace ratchet {
inline namespace v1 {

std::string_view to_string(migration_state s) noexcept {
    switch (s) {
        case migration_state::applied:
            return "applied";
        case migration_state::pending:
            return "pending";
        case migration_state::failed:
            return "failed";
        case migration_state::missing_locally:
            return "missing_locally";
    }
    return "pending";
}

std::string_view to_string(status_summary s) noexcept {
    switch (s) {
        case status_summary::up_to_date:
            return "up_to_date";
        case status_summary::database_is_behind:
            return "database_is_behind";
        case status_summary::histories_diverge:
            return "histories_diverge";
        case status_summary::has_failed:
            return "has_failed";
        case status_summary::not_managed:
            return "not_managed";
    }
    return "up_to_date";
}

std::string_view to_string(warning_code c) noexcept {
    switch (c) {
        case warning_code::checksum_drift:
            return "checksum_drift";
        case warning_code::missing_locally:
            return "missing_locally";
        case warning_code::out_of_order:
            return "out_of_order";
        case warning_code::rolled_back:
            return "rolled_back";
        case warning_code::source:
            return "source";
        case warning_code::failed:
            return "failed";
        case warning_code::unreadable:
            return "unreadable";
        case warning_code::provider_mismatch:
            return "provider_mismatch";
    }
    return "source";
}

std::string_view to_string(log_level l) noexcept {
    switch (l) {
        case log_level::trace:
            return "trace";
        case log_level::debug:
            return "debug";
        case log_level::info:
            return "info";
        case log_level::warn:
            return "warn";
        case log_level::error:
            return "error";
    }
    return "info";
}

}  // namespace v1
}  // namespace ratchet
