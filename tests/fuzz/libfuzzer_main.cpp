// The libFuzzer entry point of one target; RATCHET_FUZZ_TARGET names the harness function.
#include "harness.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return RATCHET_FUZZ_TARGET(data, size);
}
