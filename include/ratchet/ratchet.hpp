/// @file ratchet.hpp
/// Umbrella header: everything a user of the library needs.
#pragma once

#include <ratchet/engine.hpp>
#include <ratchet/error.hpp>
#include <ratchet/json.hpp>
#include <ratchet/migration.hpp>
#include <ratchet/options.hpp>
#include <ratchet/report.hpp>
#include <ratchet/secrets.hpp>
#include <ratchet/target.hpp>
#include <ratchet/version.hpp>
