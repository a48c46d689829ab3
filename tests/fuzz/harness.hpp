// Fuzz harnesses: one plain function per target, shared by the libFuzzer executables
// (libfuzzer_main.cpp) and by the replay test of the ordinary unit build (replay_tests.cpp).
// A harness returns 0; a broken invariant throws ratchet_fuzz::failure, which libFuzzer
// reports as a crash (uncaught exception -> abort) and the replay test as a test failure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ratchet_fuzz {

/// An invariant of the code under test does not hold.
class failure : public std::logic_error {
public:
    using std::logic_error::logic_error;
};

/// Prints the message on stderr (libFuzzer shows it next to the crash) and throws failure,
/// unless "TARGET|WHAT" is listed in the known-open file (tests/fuzz/KNOWN_OPEN: bugs reported
/// but not fixed yet), which is read from $RATCHET_FUZZ_KNOWN_OPEN or set_known_open_file().
/// Then it counts the hit and returns.
void fail(std::string_view target, const std::string& what);

/// Uses this file of known-open invariant breaks (one "target|message" per line, # comments).
void set_known_open_file(const std::string& path);

/// How many known-open breaks were tolerated so far, and the distinct ones.
std::size_t known_open_hits();
std::string known_open_seen();

inline void check(bool ok, std::string_view target, const char* what) {
    if (!ok) fail(target, what);
}

inline std::string_view bytes(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

}  // namespace ratchet_fuzz

// One function per target (same signature as LLVMFuzzerTestOneInput).
int fuzz_sql_lexer(const std::uint8_t* data, std::size_t size);
int fuzz_lock_file(const std::uint8_t* data, std::size_t size);
int fuzz_conninfo(const std::uint8_t* data, std::size_t size);
int fuzz_directives(const std::uint8_t* data, std::size_t size);
int fuzz_utf8(const std::uint8_t* data, std::size_t size);
#if RATCHET_FUZZ_LAMBDA
int fuzz_lambda_event(const std::uint8_t* data, std::size_t size);
int fuzz_lambda_secret(const std::uint8_t* data, std::size_t size);
int fuzz_sigv4(const std::uint8_t* data, std::size_t size);
#endif
