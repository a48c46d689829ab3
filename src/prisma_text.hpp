// Prisma's user-facing texts, verbatim where Prisma has one (../docs: prisma-compat §1-§9).
#pragma once

#include <ratchet/report.hpp>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace ratchet::detail::prisma_text {

std::string p3005();
std::string p3008(std::string_view name);
std::string p3009(const std::vector<const history_row*>& failed);
std::string p3011(std::string_view name);
std::string p3012(std::string_view name);
std::string p3015();
std::string p3017(std::string_view name);
std::string p3019(std::string_view found);
std::string p1002(std::chrono::milliseconds timeout, std::string_view holder);
std::string no_history_table_for_rollback();
/// The head of P3018 (the rest is error details added by the caller).
std::string p3018_head(std::string_view name);

/// chrono's UTC Display, as Prisma prints started_at: "2024-01-02 03:04:05.123456 UTC".
std::string utc_display(timestamp t);
/// ISO 8601 with microseconds: "2024-01-02T03:04:05.123456Z".
std::string iso8601(timestamp t);

}  // namespace ratchet::detail::prisma_text
