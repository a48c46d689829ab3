// The --json result objects (schema_version 1, documented in the README).
#pragma once

#include <ratchet/ratchet.hpp>

#include <nlohmann/json.hpp>

#include <string>

namespace ratchet_cli {

inline constexpr int json_schema_version = 1;

nlohmann::json error_json(const std::string& command, const std::string& code, const std::string& message);
nlohmann::json error_json(const std::string& command, const ratchet::error& e);
nlohmann::json deploy_json(const ratchet::deploy_report& r);
nlohmann::json status_json(const ratchet::status_report& r, int exit_code);
nlohmann::json plan_json(const ratchet::plan_report& r);
nlohmann::json verify_json(const ratchet::verify_report& r);
nlohmann::json resolve_json(const ratchet::resolve_report& r, const std::string& action);
nlohmann::json hash_json(const std::string& hash, std::size_t count);

}  // namespace ratchet_cli
