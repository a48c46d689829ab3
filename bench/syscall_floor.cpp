// The kernel's share of W5: list a migrations directory and read every <name>/migration.sql
// with nothing but readdir + openat/read/close, on one thread. What ratchet's discovery costs
// above this is ratchet's own work (decoding, SHA-256, the autocommit pre-scan, sorting).
//
//   syscall_floor DIR [REPS]     prints one JSON line per repetition
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: syscall_floor DIR [REPS]\n");
        return 2;
    }
    const int reps = argc > 2 ? std::atoi(argv[2]) : 5;
    std::vector<char> buf(1 << 20);
    for (int rep = 0; rep < reps; ++rep) {
        const auto start = std::chrono::steady_clock::now();
        std::vector<std::string> names;
        if (DIR* d = ::opendir(argv[1])) {
            while (const dirent* e = ::readdir(d)) {
                if (e->d_type == DT_DIR && e->d_name[0] != '.') names.emplace_back(e->d_name);
            }
            ::closedir(d);
        }
        const int dir = ::open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        std::size_t bytes = 0;
        for (const auto& n : names) {
            const int fd = ::openat(dir, (n + "/migration.sql").c_str(), O_RDONLY | O_CLOEXEC);
            if (fd < 0) continue;
            for (ssize_t got; (got = ::read(fd, buf.data(), buf.size())) > 0;)
                bytes += static_cast<std::size_t>(got);
            ::close(fd);
        }
        ::close(dir);
        const std::chrono::duration<double, std::milli> took =
            std::chrono::steady_clock::now() - start;
        std::printf("{\"files\":%zu,\"bytes\":%zu,\"ms\":%.3f}\n", names.size(), bytes,
                    took.count());
    }
    return 0;
}
