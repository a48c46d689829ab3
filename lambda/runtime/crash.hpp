/// @file crash.hpp
/// The last answer when the process itself fails mid-invoke: an exception nobody catches
/// (std::terminate, e.g. thrown on a std::thread), abort(), or a fatal signal (SIGSEGV, SIGBUS,
/// SIGFPE, SIGILL, SIGABRT; stack overflows included, the handler runs on its own stack).
///
/// Before the handler runs, the invoke is "armed": what an answer needs (request id, mode,
/// the CloudFormation routing fields, the PhysicalResourceId) is written to an in-memory file
/// (memfd) that survives exec. A fatal signal then re-executes the bootstrap (execve is
/// async-signal-safe; nothing else is done in the handler) with `--answer-crash <fd> <signal>`;
/// the fresh process answers FAILED (a Delete: SUCCESS) the way the invoke would have - to
/// Lambda, or to the ResponseURL in direct mode - and continues with the next event.
#pragma once

#include "cfn/event.hpp"
#include "cfn/response_mode.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace ratchet::lambda {

/// Installs the terminate handler and the fatal-signal handlers. argv0: main's argv[0].
void install_crash_handlers(const char* argv0);

/// What the crash answer needs; set before handling, cleared after answering.
struct crash_context {
    std::string request_id;
    std::optional<cfn_event> cfn;
    response_mode mode = response_mode::provider;
    std::string physical_id;
    std::optional<std::chrono::system_clock::time_point> deadline;
};
void arm_crash_answer(const crash_context& c);
void disarm_crash_answer() noexcept;

/// The current stage, copied where a signal handler can read it (progress::set calls it).
void note_crash_stage(std::string_view stage) noexcept;

/// Handles `--answer-crash <fd> <signal>`: reads the armed context and delivers the answer.
/// @return true when argv was such a request (answered or not).
bool answer_crash_if_asked(int argc, char** argv);

}  // namespace ratchet::lambda
