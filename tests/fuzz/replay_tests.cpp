// Replays the committed fuzz corpus and every minimised crash through the fuzz harnesses,
// so the ordinary unit build guards against regressions without libFuzzer or clang.
#define BOOST_TEST_MODULE ratchet_fuzz_replay
#include <boost/test/unit_test.hpp>

#include "harness.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

namespace {

namespace fs = std::filesystem;
using harness = int (*)(const std::uint8_t*, std::size_t);

std::vector<fs::path> inputs_of(const std::string& target) {
    std::vector<fs::path> files;
    for (const char* kind : {"corpus", "regressions"}) {
        const fs::path dir = fs::path{RATCHET_FUZZ_DIR} / kind / target;
        if (!fs::is_directory(dir)) continue;
        for (const auto& e : fs::directory_iterator{dir}) {
            if (e.is_regular_file()) files.push_back(e.path());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

void replay(const std::string& target, harness h) {
    ratchet_fuzz::set_known_open_file(std::string{RATCHET_FUZZ_DIR} + "/KNOWN_OPEN");
    const auto files = inputs_of(target);
    const auto hits_before = ratchet_fuzz::known_open_hits();
    BOOST_TEST(!files.empty(), "no corpus for " << target);
    for (const auto& f : files) {
        std::ifstream in{f, std::ios::binary};
        const std::string data{std::istreambuf_iterator<char>{in}, {}};
        try {
            h(reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
        } catch (const std::exception& e) {
            BOOST_ERROR(f.string() << ": " << e.what());
        } catch (...) {
            BOOST_ERROR(f.string() << ": non-standard exception");
        }
    }
    BOOST_TEST_MESSAGE(target << ": replayed " << files.size() << " inputs");
    if (ratchet_fuzz::known_open_hits() > hits_before) {
        BOOST_TEST_MESSAGE("known open (tests/fuzz/KNOWN_OPEN) still reproduce: "
                           << ratchet_fuzz::known_open_seen());
    }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fuzz_replay)
BOOST_AUTO_TEST_CASE(sql_lexer) {
    replay("sql_lexer", fuzz_sql_lexer);
}
BOOST_AUTO_TEST_CASE(lock_file) {
    replay("lock_file", fuzz_lock_file);
}
BOOST_AUTO_TEST_CASE(conninfo) {
    replay("conninfo", fuzz_conninfo);
}
BOOST_AUTO_TEST_CASE(directives) {
    replay("directives", fuzz_directives);
}
BOOST_AUTO_TEST_CASE(utf8) {
    replay("utf8", fuzz_utf8);
}
#if RATCHET_FUZZ_LAMBDA
BOOST_AUTO_TEST_CASE(lambda_event) {
    replay("lambda_event", fuzz_lambda_event);
}
BOOST_AUTO_TEST_CASE(lambda_secret) {
    replay("lambda_secret", fuzz_lambda_secret);
}
BOOST_AUTO_TEST_CASE(sigv4) {
    replay("sigv4", fuzz_sigv4);
}
#endif
BOOST_AUTO_TEST_SUITE_END()
