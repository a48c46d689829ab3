/// @file invoke.hpp
/// One invocation end to end: parse, choose who answers, handle under a watchdog, answer once.
#pragma once

#include "runtime/runtime_api.hpp"

namespace ratchet::lambda {

void run_invocation(runtime_api& api, const invocation& inv);

}  // namespace ratchet::lambda
