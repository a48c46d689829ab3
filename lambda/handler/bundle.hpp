/// @file bundle.hpp
/// The migrations shipped in the zip: RATCHET_MIGRATIONS_DIR, else $LAMBDA_TASK_ROOT/migrations,
/// else `migrations` next to the executable (or its parent, for the bin/ layout).
#pragma once

#include <ratchet/migration.hpp>

#include <filesystem>
#include <string>

namespace ratchet::lambda {

struct bundle {
    std::filesystem::path dir;
    ratchet::migration_set set;
    std::string hash;  ///< ratchet::migrations_hash(set)
};

[[nodiscard]] std::filesystem::path migrations_dir();

/// @throws ratchet::error when a script is unreadable beyond limits.
[[nodiscard]] bundle load_bundle();

}  // namespace ratchet::lambda
