// Prisma's migration order: Node's String.prototype.localeCompare (ICU root collation).
#pragma once

#include <string_view>

namespace ratchet::detail {

/// Strict weak ordering of names as Prisma lists them. Exact for ASCII names (the algorithm
/// in migrations-format.md, "Ordering"); other characters sort after all ASCII ones by code
/// point, which may differ from ICU.
bool prisma_less(std::string_view a, std::string_view b) noexcept;

}  // namespace ratchet::detail
