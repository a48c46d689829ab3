/// @file version.hpp
/// Compile-time version of the ratchet headers and a run-time query for the library.
#pragma once

#include <ratchet/export.hpp>

#include <string_view>

/// Major version; bumped on incompatible API changes.
#define RATCHET_VERSION_MAJOR 0
/// Minor version; bumped on compatible additions.
#define RATCHET_VERSION_MINOR 1
/// Patch version; bumped on fixes.
#define RATCHET_VERSION_PATCH 0

namespace ratchet {
inline namespace v1 {

/// The version of the headers, as "MAJOR.MINOR.PATCH".
inline constexpr std::string_view header_version = "0.1.0";

/// The version of the compiled library. Differs from header_version only on a build mix-up.
[[nodiscard]] RATCHET_API std::string_view library_version() noexcept;

}  // namespace v1
}  // namespace ratchet
