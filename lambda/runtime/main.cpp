// bootstrap: the ratchet custom runtime for AWS Lambda (provided.al2023).
#include "aws/aws_env.hpp"
#include "aws/redact.hpp"
#include "cfn/response_mode.hpp"
#include "handler/bundle.hpp"
#include "runtime/crash.hpp"
#include "runtime/invoke.hpp"
#include "runtime/log.hpp"
#include "runtime/runtime_api.hpp"

#include <ratchet/version.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <thread>

namespace {

using namespace ratchet::lambda;

/// Fetches the next event, retrying a few times; nullopt when the Runtime API is gone.
std::optional<invocation> next_event(runtime_api& api) {
    for (int attempt = 1; attempt <= 3; ++attempt) {
        try {
            return api.next();
        } catch (const runtime_broken& e) {
            log_line("error", std::string(e.what()) + ": exiting");
            return std::nullopt;
        } catch (const std::exception& e) {
            log_line("error", std::string("Runtime API /next failed: ") + e.what(),
                     {{"attempt", attempt}});
            std::this_thread::sleep_for(std::chrono::milliseconds{200 * attempt});
        }
    }
    return std::nullopt;
}

#ifdef RATCHET_LAMBDA_TEST_HOOKS
// Test build only (never packaged): the property RatchetTestCrash makes the handler fail the
// way a bug would, so the crash answer can be tested.
void crash_on_request(const cfn_event* e) {
    if (e == nullptr) return;
    const auto it = e->props.find("RatchetTestCrash");
    if (it == e->props.end()) return;
    if (it->second == "abort") std::abort();
    if (it->second == "segv") std::raise(SIGSEGV);
    if (it->second == "thread-throw") {
        std::thread([] { throw std::runtime_error("thrown on a worker thread"); }).join();
    }
    if (it->second == "hang") std::this_thread::sleep_for(std::chrono::hours{1});
}
#endif

}  // namespace

int main(int argc, char** argv) {
    register_environment_secrets();
    install_crash_handlers(argc > 0 ? argv[0] : nullptr);
#ifdef RATCHET_LAMBDA_TEST_HOOKS
    before_handling_hook = &crash_on_request;
#endif
    const std::string endpoint = env_or_empty("AWS_LAMBDA_RUNTIME_API");
    if (endpoint.empty()) {
        std::fputs(
            "bootstrap: AWS_LAMBDA_RUNTIME_API is not set (this program runs inside AWS Lambda)\n",
            stderr);
        return 2;
    }
    // A restart after a crash answers the interrupted invoke first, then carries on.
    (void)answer_crash_if_asked(argc, argv);
    runtime_api api(endpoint);
    // Not an init error: in direct mode nobody would answer CloudFormation. Each invoke
    // answers FAILED naming the setting instead (invoke.cpp).
    if (!parse_response_setting(env_or_empty("RATCHET_RESPONSE_MODE"))) {
        log_line("error",
                 "RATCHET_RESPONSE_MODE must be provider, direct or auto; every request will fail");
    }
    log_line("info", "ratchet Lambda runtime started",
             {{"version", std::string(ratchet::library_version())},
              {"migrationsDir", migrations_dir().string()}});
    while (const auto inv = next_event(api)) {
        try {
            run_invocation(api, *inv);
        } catch (...) {
            // Unreachable by design (run_invocation answers every failure); if not, the crash
            // path still answers.
            std::terminate();
        }
    }
    return 1;
}
