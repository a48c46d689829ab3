#include "harness.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <set>

namespace ratchet_fuzz {
namespace {

struct known_open_state {
    std::once_flag loaded;
    std::string path;
    std::set<std::string> entries;
    std::set<std::string> seen;
    std::size_t hits = 0;
};

known_open_state& state() {
    static known_open_state s;
    return s;
}

void load() {
    auto& s = state();
    std::call_once(s.loaded, [&s] {
        if (s.path.empty()) {
            if (const char* env = std::getenv("RATCHET_FUZZ_KNOWN_OPEN")) s.path = env;
        }
        if (s.path.empty()) return;
        std::ifstream in{s.path};
        for (std::string line; std::getline(in, line);) {
            while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
            if (!line.empty() && line.front() != '#') s.entries.insert(line);
        }
    });
}

}  // namespace

void set_known_open_file(const std::string& path) {
    state().path = path;
}

void fail(std::string_view target, const std::string& what) {
    load();
    auto& s = state();
    const std::string key = std::string{target} + "|" + what;
    if (s.entries.count(key) != 0) {
        ++s.hits;
        s.seen.insert(key);
        return;
    }
    std::fprintf(stderr, "fuzz_%.*s: invariant broken: %s\n", static_cast<int>(target.size()),
                 target.data(), what.c_str());
    throw failure("fuzz_" + std::string{target} + ": " + what);
}

std::size_t known_open_hits() {
    return state().hits;
}

std::string known_open_seen() {
    std::string out;
    for (const auto& k : state().seen) out += (out.empty() ? "" : "; ") + k;
    return out;
}

}  // namespace ratchet_fuzz
