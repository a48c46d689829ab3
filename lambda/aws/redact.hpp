/// @file redact.hpp
/// The process-wide secret registry (passwords, session tokens, IAM tokens, the ResponseURL,
/// the secret access key): one instance of the core's ratchet::secret_registry, so the mask
/// (ratchet::secret_mask, "********") and the rules are the engine's and the CLI's. Everything
/// logged or answered passes through redact(), on raw text, before any encoding. A second line
/// of defence: the code never puts secrets into messages on purpose.
#pragma once

#include <string>
#include <string_view>

namespace ratchet::lambda {

/// Registers a secret value and its percent-encoded form (shorter than
/// ratchet::secret_registry::min_length: ignored).
void register_secret(std::string_view value);

/// Forgets all registered values except those of the environment (called between invokes).
void clear_invoke_secrets();

/// Registers the secrets found in the process environment (AWS keys, DATABASE_URL password).
void register_environment_secrets();

/// text with every registered secret replaced by ratchet::secret_mask.
[[nodiscard]] std::string redact(std::string_view text);

}  // namespace ratchet::lambda
