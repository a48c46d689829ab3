// Reads the datasource of a schema.prisma, so `--schema` works as in Prisma.
#pragma once

#include <optional>
#include <string>

namespace ratchet_cli {

/// The datasource's url: `env("NAME")` resolved from the environment, or a literal.
struct datasource_url {
    std::optional<std::string> value;  ///< nullopt when the env var is unset
    std::string description;           ///< `env("DATABASE_URL")` or "a literal url"
};

/// Parses the `datasource` block of a schema.prisma file.
/// @throws usage_error when the file cannot be read or has no datasource url.
datasource_url read_datasource_url(const std::string& schema_path);

}  // namespace ratchet_cli
