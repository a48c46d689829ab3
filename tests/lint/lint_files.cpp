// Test and bench helper: lints each SQL file given on the command line as one migration (no
// database) and prints one JSON object per finding and line: {"file", "rule", "line"}.
// `--count` prints only the number of findings.
#include <ratchet/lint.hpp>

#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

int main(int argc, char** argv) {
    bool count_only = false;
    std::size_t count = 0;
    for (int i = 1; i < argc; ++i) {
        const std::string path = argv[i];
        if (path == "--count") {
            count_only = true;
            continue;
        }
        std::ifstream in{path, std::ios::binary};
        if (!in) {
            std::cerr << "lint_files: cannot read " << path << '\n';
            return 2;
        }
        std::ostringstream text;
        text << in.rdbuf();
        const auto m = ratchet::make_migration(path, text.str());
        for (const auto& f : ratchet::lint::lint_migration(m, {})) {
            ++count;
            if (!count_only) {
                std::cout
                    << nlohmann::json{{"file", path}, {"rule", f.rule}, {"line", f.line}}.dump()
                    << '\n';
            }
        }
    }
    if (count_only) std::cout << count << '\n';
    return 0;
}
