/// @file engine_setup.hpp
/// ratchet::options for one invoke: URL, schema, bundled migrations, the soft deadline, lock
/// waits bounded by the time left, engine log lines routed to our log and to the progress.
#pragma once

#include "handler/bundle.hpp"
#include "handler/db_config.hpp"
#include "runtime/progress.hpp"
#include "runtime/time_budget.hpp"

#include <ratchet/options.hpp>

namespace ratchet::lambda {

/// RATCHET_LOCK_TIMEOUT (e.g. "60s", parsed by ratchet::parse_duration; default the engine's).
[[nodiscard]] ratchet::options make_engine_options(const db_config& cfg, const bundle& b,
                                                   const time_budget& budget, progress& prog);

}  // namespace ratchet::lambda
