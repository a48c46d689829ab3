// The secret registry: registration rules and redaction.
#include "conninfo.hpp"

#include <ratchet/error.hpp>
#include <ratchet/secrets.hpp>

#include <algorithm>

namespace ratchet {
inline namespace v1 {

void secret_registry::add(std::string_view secret) {
    if (secret.size() < min_length) return;
    if (std::find(secrets_.begin(), secrets_.end(), secret) != secrets_.end()) return;
    secrets_.emplace_back(secret);
    // Longest first, so a secret that contains another is masked whole.
    std::stable_sort(
        secrets_.begin(), secrets_.end(),
        [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

void secret_registry::add_connection(std::string_view url) {
    try {
        (void)detail::parse_connection(url, *this);  // registers passwords as it reads them
    } catch (const error&) {
        // What was found before the malformed part is registered; the caller reports the error.
    }
}

void secret_registry::add_all(const secret_registry& other) {
    for (const auto& s : other.secrets_) add(s);
}

std::string secret_registry::redact(std::string_view text) const {
    std::string out{text};
    for (const auto& s : secrets_) {
        for (std::size_t pos = out.find(s); pos != std::string::npos;
             pos = out.find(s, pos + secret_mask.size())) {
            out.replace(pos, s.size(), secret_mask);
        }
    }
    return out;
}

}  // namespace v1
}  // namespace ratchet
