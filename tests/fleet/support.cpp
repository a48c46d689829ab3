#include "support.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>

namespace fleet_test {

void add_tables(const migrations_dir& dir, int n) {
    for (int k = 1; k <= n; ++k) {
        char name[32];
        std::snprintf(name, sizeof name, "%04d_m%04d", k, k);
        dir.add(name, "CREATE TABLE t" + std::to_string(k) + " (id int PRIMARY KEY, note text);\n");
    }
}

int closed_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

}  // namespace fleet_test
