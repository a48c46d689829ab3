// Building a migration from bytes the caller no longer needs (no copy of the script).
#pragma once

#include <ratchet/migration.hpp>

#include <string>

namespace ratchet::detail {

/// As ratchet::make_migration, taking ownership of the bytes.
migration make_migration_owned(std::string name, std::string&& raw_bytes);

}  // namespace ratchet::detail
