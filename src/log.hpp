// Logging inside the library: a named spdlog logger (never the host's registry or default
// logger) whose only sink forwards redacted lines to options::on_log.
#pragma once

#include "redactor.hpp"

#include <ratchet/options.hpp>

#include <spdlog/logger.h>

#include <memory>

namespace ratchet::detail {

/// A logger writing to `callback` (nothing when it is empty), with secrets removed.
std::shared_ptr<spdlog::logger> make_logger(log_callback callback, const redactor& secrets);

}  // namespace ratchet::detail
