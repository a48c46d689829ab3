// The libFuzzer entry point of one ratchet::lint target (tests/fuzz/CMakeLists.txt builds one
// executable per target); RATCHET_FUZZ_TARGET names the harness function of harness_lint.hpp.
#include "harness_lint.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return RATCHET_FUZZ_TARGET(data, size);
}
