/// @file secrets.hpp
/// The one secret registry: every text ratchet logs, throws or prints passes through it.
#pragma once

#include <ratchet/export.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace ratchet {
inline namespace v1 {

/// The mask that replaces a secret in every text: eight asterisks, whatever the secret's length.
inline constexpr std::string_view secret_mask = "********";

/// A set of secret values (passwords, tokens, signed URLs) and the redaction that removes them.
///
/// The engine keeps one for the URL it connects with; adapters (the CLI, the Lambda) keep one
/// for what they add (AWS keys, IAM tokens, the ResponseURL). Redact raw text, **before** any
/// encoding (JSON escaping, percent-encoding): an escaped secret no longer matches.
///
/// Not synchronised: an adapter whose threads add while others redact (the Lambda's watchdog)
/// guards its instance with a mutex.
class RATCHET_API secret_registry {
public:
    /// Secrets shorter than this are ignored: masking them would mangle ordinary words.
    static constexpr std::size_t min_length = 3;

    /// Registers a secret; redact() never returns it afterwards.
    void add(std::string_view secret);

    /// Registers every password in a Prisma URL or libpq keyword string (raw and decoded
    /// forms), and PGPASSWORD. Malformed input registers what can be found and never throws.
    void add_connection(std::string_view url);

    /// Registers every secret of another registry.
    void add_all(const secret_registry& other);

    /// Forgets every secret.
    void clear() noexcept { secrets_.clear(); }

    /// True when no secret is registered.
    [[nodiscard]] bool empty() const noexcept { return secrets_.empty(); }

    /// The text with every registered secret replaced by secret_mask (longest secrets first,
    /// so a secret containing another is masked whole).
    [[nodiscard]] std::string redact(std::string_view text) const;

private:
    std::vector<std::string> secrets_;  // longest first
};

}  // namespace v1
}  // namespace ratchet
