// migration_lock.toml: the provider check never crashes and accepts exactly "postgresql".
#include "harness.hpp"

#include "plan.hpp"

#include <ratchet/error.hpp>

using ratchet_fuzz::check;

int fuzz_lock_file(const std::uint8_t* data, std::size_t size) {
    constexpr std::string_view target = "lock_file";
    const std::string content{ratchet_fuzz::bytes(data, size)};
    const auto found = ratchet::detail::lock_file_mismatch(content);
    if (found) check(*found != "postgresql", target, "mismatch reported for provider postgresql");
    ratchet::migration_set set;
    set.lock_file = content;
    try {
        ratchet::detail::check_lock_file(set);
        check(!found, target, "check_lock_file accepted a mismatching file");
    } catch (const ratchet::error& e) {
        check(found.has_value(), target, "check_lock_file threw for an accepted file");
        check(e.code() == ratchet::errc::provider_mismatch, target, "wrong error code");
    }
    // Prefixing a valid provider line must make any remaining text acceptable.
    const auto ok = ratchet::detail::lock_file_mismatch("provider = \"postgresql\"\n" + content);
    check(!ok, target, "a leading provider = \"postgresql\" line was not accepted");
    return 0;
}
