// `-- ratchet:` directives in the leading comment block of a migration.sql.
#pragma once

#include <ratchet/migration.hpp>

#include <string_view>

namespace ratchet::detail {

/// Reads the directives of one script.
/// @throws ratchet::error (invalid_input) naming the migration and line on an unknown
///         directive or a malformed value.
directives parse_directives(std::string_view migration_name, std::string_view script);

}  // namespace ratchet::detail
