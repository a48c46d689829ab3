#include "aws/redact.hpp"

#include "aws/text.hpp"

#include <cstdlib>
#include <mutex>
#include <vector>

namespace ratchet::lambda {

namespace {

struct registry {
    std::mutex mu;
    std::vector<std::string> permanent;
    std::vector<std::string> per_invoke;
};

registry& reg() {
    static registry r;
    return r;
}

void add(std::vector<std::string>& list, std::string_view value) {
    if (value.size() < 4) return;
    list.emplace_back(value);
    // The percent-encoded form appears in URLs and IAM tokens.
    const std::string encoded = uri_encode(value);
    if (encoded != value) list.push_back(encoded);
}

/// The password of a postgresql:// URL, if any.
std::string url_password(std::string_view url) {
    const auto scheme = url.find("://");
    if (scheme == std::string_view::npos) return {};
    const auto at = url.find('@', scheme + 3);
    if (at == std::string_view::npos) return {};
    const auto userinfo = url.substr(scheme + 3, at - scheme - 3);
    const auto colon = userinfo.find(':');
    if (colon == std::string_view::npos) return {};
    return uri_decode(userinfo.substr(colon + 1));
}

}  // namespace

void register_secret(std::string_view value) {
    auto& r = reg();
    const std::lock_guard lock(r.mu);
    add(r.per_invoke, value);
}

void clear_invoke_secrets() {
    auto& r = reg();
    const std::lock_guard lock(r.mu);
    r.per_invoke.clear();
}

void register_environment_secrets() {
    auto& r = reg();
    const std::lock_guard lock(r.mu);
    for (const char* name : {"AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"}) {
        if (const char* v = std::getenv(name)) add(r.permanent, v);
    }
    if (const char* url = std::getenv("DATABASE_URL")) {
        const std::string pw = url_password(url);
        add(r.permanent, pw);
        add(r.permanent, uri_encode(pw));
    }
}

std::string redact(std::string_view text) {
    std::string out(text);
    auto& r = reg();
    const std::lock_guard lock(r.mu);
    for (const auto* list : {&r.permanent, &r.per_invoke}) {
        for (const auto& secret : *list) replace_all(out, secret, "***");
    }
    return out;
}

}  // namespace ratchet::lambda
