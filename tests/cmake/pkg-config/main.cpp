// One-file program built with `c++ $(pkg-config --cflags --libs --static ratchet)`.
#include <ratchet/ratchet.hpp>

#include <iostream>

int main(int argc, char** argv) {
    if (argc != 2) return 2;
    const auto set = ratchet::load_directory(argv[1]);
    ratchet::engine engine{{.url = "postgresql://app@127.0.0.1:1/app", .migrations = set}};
    std::cout << "ratchet " << ratchet::library_version() << ": " << set.migrations.size()
              << " migrations, hash " << ratchet::migrations_hash(set) << '\n';
    return ratchet::library_version() == ratchet::header_version && set.migrations.size() == 2 ? 0
                                                                                               : 1;
}
