// Replays tests/lint/fuzz/{corpus,regressions}/<target>/* through the lint fuzz harnesses (any
// compiler).
#include "harness_lint.hpp"

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace {

std::size_t replay(const char* target, int (*harness)(const std::uint8_t*, std::size_t)) {
    std::size_t n = 0;
    // Seeds, then the minimised inputs of bugs the fuzzers found (fixed since).
    for (const char* kind : {"corpus", "regressions"}) {
        const auto dir = std::filesystem::path{RATCHET_LINT_TEST_DIR} / "fuzz" / kind / target;
        if (!std::filesystem::is_directory(dir)) continue;
        for (const auto& e : std::filesystem::directory_iterator{dir}) {
            std::ifstream in{e.path(), std::ios::binary};
            const std::string bytes{std::istreambuf_iterator<char>{in}, {}};
            BOOST_TEST_CONTEXT(e.path().string()) {
                harness(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
            }
            ++n;
        }
    }
    return n;
}

}  // namespace

BOOST_AUTO_TEST_CASE(lint_fuzz_corpora_replay) {
    BOOST_TEST(replay("lint_directives", fuzz_lint_directives) > 0U);
    BOOST_TEST(replay("lint_config", fuzz_lint_config) > 0U);
    BOOST_TEST(replay("lint_sql", fuzz_lint_sql) > 0U);
}
