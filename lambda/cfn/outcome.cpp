#include "cfn/outcome.hpp"

#include "aws/redact.hpp"
#include "aws/secrets.hpp"
#include "aws/text.hpp"
#include "cfn/event.hpp"
#include "handler/db_config.hpp"

#include <ratchet/error.hpp>

#include <exception>

namespace ratchet::lambda {

namespace {

std::string type_of(const ratchet::error& e) {
    switch (e.code()) {
        case errc::connection:
            return "ConnectionFailed";
        case errc::lock_timeout:
            return "LockTimeout";
        case errc::migration_failed:
            return "MigrationFailed";
        case errc::deadline_exceeded:
            return "DeadlineExceeded";
        case errc::failed_migrations:
            return "FailedMigrations";
        case errc::invalid_input:
            return "InvalidInput";
        case errc::commit_in_doubt:
            return "CommitInDoubt";
        case errc::internal:
            return "InternalError";
        case errc::lint_failed:
            return "LintFailed";
        default:
            return "MigrationError";
    }
}

outcome from_ratchet_error(std::string physical_id, const ratchet::error& e,
                           const std::string& stage) {
    const std::string what = e.what();
    std::string msg = "[" + std::string(e.code_name()) + "] ";
    if (!e.migration().empty() && what.find(e.migration()) == std::string::npos)
        msg += "migration " + e.migration() + ": ";
    msg += what;
    if (e.code() == errc::deadline_exceeded) {
        if (e.migration().empty()) msg += " (while " + stage + ")";
        msg += "; re-run the deployment to continue";
    }
    std::vector<std::string> trace{"code: " + std::string(e.code_name())};
    if (!e.sqlstate().empty()) trace.push_back("sqlstate: " + e.sqlstate());
    if (!e.migration().empty()) trace.push_back("migration: " + e.migration());
    if (e.retryable()) trace.emplace_back("retryable: yes");
    return failure(std::move(physical_id), type_of(e), msg, std::move(trace));
}

}  // namespace

outcome delete_success(const cfn_event& e) {
    outcome o;
    o.physical_id = e.physical_resource_id.empty() ? "ratchet:unknown" : e.physical_resource_id;
    return o;
}

outcome failure(std::string physical_id, std::string type, std::string message,
                std::vector<std::string> trace) {
    outcome o;
    o.ok = false;
    o.physical_id = std::move(physical_id);
    o.error_type = std::move(type);
    for (auto& line : trace) line = truncate_utf8(redact(line), 200);
    o.trace = std::move(trace);
    o.reason = truncate_utf8(redact(message), max_reason_bytes);
    return o;
}

outcome failure_from_current_exception(std::string physical_id, const std::string& stage) {
    try {
        throw;
    } catch (const ratchet::error& e) {
        return from_ratchet_error(std::move(physical_id), e, stage);
    } catch (const bad_event& e) {
        return failure(std::move(physical_id), "InvalidEvent",
                       std::string("invalid event: ") + e.what());
    } catch (const config_error& e) {
        return failure(std::move(physical_id), "ConfigurationError",
                       std::string("configuration: ") + e.what());
    } catch (const secret_error& e) {
        return failure(std::move(physical_id), "SecretError",
                       std::string("database secret: ") + e.what(), {"code: " + e.code()});
    } catch (const std::exception& e) {
        return failure(std::move(physical_id), "InternalError", "while " + stage + ": " + e.what());
    } catch (...) {
        return failure(std::move(physical_id), "InternalError", "unknown error while " + stage);
    }
}

}  // namespace ratchet::lambda
