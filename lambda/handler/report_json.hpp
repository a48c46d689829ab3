/// @file report_json.hpp
/// ratchet reports as JSON, for the operator commands (status, plan, deploy).
#pragma once

#include <nlohmann/json.hpp>
#include <ratchet/report.hpp>

namespace ratchet::lambda {

[[nodiscard]] nlohmann::json to_json(const ratchet::status_report& r);
[[nodiscard]] nlohmann::json to_json(const ratchet::plan_report& r);
[[nodiscard]] nlohmann::json to_json(const ratchet::deploy_report& r);
[[nodiscard]] nlohmann::json to_json(const std::vector<ratchet::warning>& w);

}  // namespace ratchet::lambda
