#include "redactor.hpp"

#include <algorithm>

namespace ratchet::detail {

void redactor::add(std::string secret) {
    if (secret.size() < 3) return;
    if (std::find(secrets_.begin(), secrets_.end(), secret) != secrets_.end()) return;
    secrets_.push_back(std::move(secret));
    // Longest first, so a secret that contains another is masked whole.
    std::sort(secrets_.begin(), secrets_.end(),
              [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

std::string redactor::redact(std::string_view text) const {
    std::string out{text};
    for (const auto& s : secrets_) {
        for (std::size_t pos = out.find(s); pos != std::string::npos; pos = out.find(s, pos + 8)) {
            out.replace(pos, s.size(), "********");
        }
    }
    return out;
}

}  // namespace ratchet::detail
