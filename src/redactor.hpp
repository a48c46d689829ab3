// The engine's name for the public secret registry (include/ratchet/secrets.hpp).
#pragma once

#include <ratchet/secrets.hpp>

namespace ratchet::detail {

using redactor = ratchet::secret_registry;

}  // namespace ratchet::detail
