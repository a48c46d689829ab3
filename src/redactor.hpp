// Removes secrets (passwords, tokens) from any text before it leaves the library.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ratchet::detail {

class redactor {
public:
    /// Registers a secret; texts passed to redact() never contain it afterwards.
    /// Secrets shorter than 3 characters are ignored (they would mask ordinary words).
    void add(std::string secret);
    /// The text with every registered secret replaced by "********".
    [[nodiscard]] std::string redact(std::string_view text) const;

private:
    std::vector<std::string> secrets_;
};

}  // namespace ratchet::detail
