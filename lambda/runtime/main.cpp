// bootstrap: the ratchet custom runtime for AWS Lambda (provided.al2023).
#include "aws/aws_env.hpp"
#include "handler/bundle.hpp"
#include "runtime/invoke.hpp"
#include "runtime/log.hpp"
#include "aws/redact.hpp"
#include "runtime/runtime_api.hpp"

#include <ratchet/version.hpp>

#include <chrono>
#include <cstdio>
#include <thread>

namespace {

using namespace ratchet::lambda;

/// Fetches the next event, retrying a few times; nullopt when the Runtime API is gone.
std::optional<invocation> next_event(runtime_api& api) {
    for (int attempt = 1; attempt <= 3; ++attempt) {
        try {
            return api.next();
        } catch (const std::exception& e) {
            log_line("error", std::string("Runtime API /next failed: ") + e.what(), {{"attempt", attempt}});
            std::this_thread::sleep_for(std::chrono::milliseconds{200 * attempt});
        }
    }
    return std::nullopt;
}

bool valid_mode_setting() {
    const std::string m = env_or_empty("RATCHET_RESPONSE_MODE");
    return m.empty() || m == "auto" || m == "provider" || m == "direct";
}

}  // namespace

int main() {
    register_environment_secrets();
    const std::string endpoint = env_or_empty("AWS_LAMBDA_RUNTIME_API");
    if (endpoint.empty()) {
        std::fputs("bootstrap: AWS_LAMBDA_RUNTIME_API is not set (this program runs inside AWS Lambda)\n", stderr);
        return 2;
    }
    runtime_api api(endpoint);
    if (!valid_mode_setting()) {
        log_line("error", "RATCHET_RESPONSE_MODE must be provider, direct or auto");
        (void)api.post_init_error({"InvalidConfiguration", "RATCHET_RESPONSE_MODE must be provider, direct or auto", {}});
        return 1;
    }
    log_line("info", "ratchet Lambda runtime started",
             {{"version", std::string(ratchet::library_version())}, {"migrationsDir", migrations_dir().string()}});
    while (const auto inv = next_event(api)) run_invocation(api, *inv);
    return 1;
}
