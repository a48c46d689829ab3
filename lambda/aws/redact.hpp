/// @file redact.hpp
/// Process-wide registry of secret values (passwords, session tokens, IAM tokens, the
/// ResponseURL, the secret access key). Everything logged or answered passes through redact(),
/// which replaces each registered value by "***". A second line of defence: the code never
/// puts secrets into messages on purpose.
#pragma once

#include <string>
#include <string_view>

namespace ratchet::lambda {

/// Registers a secret value (ignored when shorter than 4 bytes, to avoid mangling text).
void register_secret(std::string_view value);

/// Forgets all registered values except those of the environment (called between invokes).
void clear_invoke_secrets();

/// Registers the secrets found in the process environment (AWS keys, DATABASE_URL password).
void register_environment_secrets();

/// text with every registered secret replaced by "***".
[[nodiscard]] std::string redact(std::string_view text);

}  // namespace ratchet::lambda
