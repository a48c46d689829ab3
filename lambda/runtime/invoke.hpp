/// @file invoke.hpp
/// One invocation end to end: parse, choose who answers, handle under a watchdog, answer once.
#pragma once

#include "runtime/runtime_api.hpp"

namespace ratchet::lambda {

void run_invocation(runtime_api& api, const invocation& inv);

/// Called with each event just before it is handled. Null in the shipped bootstrap: only the
/// test build of the bootstrap (runtime/main.cpp with RATCHET_LAMBDA_TEST_HOOKS, target
/// ratchet_lambda_bootstrap_test_hooks, never packaged) sets it, to crash on purpose.
extern void (*before_handling_hook)(const struct cfn_event*);

}  // namespace ratchet::lambda
