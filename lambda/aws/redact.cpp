#include "aws/redact.hpp"

#include "aws/text.hpp"

#include <ratchet/secrets.hpp>

#include <cstdlib>
#include <mutex>

namespace ratchet::lambda {

namespace {

/// The process's one registry, an instance of the core's (ratchet/secrets.hpp): `all` is what
/// redact() uses, `permanent` what survives clear_invoke_secrets(). The core class is not
/// synchronised; the watchdog thread logs while the handler registers, hence the mutex.
struct registry {
    std::mutex mu;
    ratchet::secret_registry permanent;
    ratchet::secret_registry all;
};

registry& reg() {
    static registry r;
    return r;
}

/// The value and its percent-encoded form (URLs, IAM tokens, signed query strings).
void add(ratchet::secret_registry& r, std::string_view value) {
    r.add(value);
    if (const std::string encoded = uri_encode(value); encoded != value) r.add(encoded);
}

}  // namespace

void register_secret(std::string_view value) {
    auto& r = reg();
    const std::lock_guard lock(r.mu);
    add(r.all, value);
}

void clear_invoke_secrets() {
    auto& r = reg();
    const std::lock_guard lock(r.mu);
    r.all.clear();
    r.all.add_all(r.permanent);
}

void register_environment_secrets() {
    auto& r = reg();
    const std::lock_guard lock(r.mu);
    for (const char* name : {"AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"}) {
        if (const char* v = std::getenv(name)) add(r.permanent, v);
    }
    if (const char* url = std::getenv("DATABASE_URL")) r.permanent.add_connection(url);
    r.all.add_all(r.permanent);
}

std::string redact(std::string_view text) {
    auto& r = reg();
    const std::lock_guard lock(r.mu);
    return r.all.redact(text);
}

}  // namespace ratchet::lambda
