// Writes the migrations directory that tests/embed compares embedded against load_directory:
// every tricky case of discovery and decoding, plus a ~5 MB script. Run at build time:
//   ratchet_embed_make_fixture <dir> <stamp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>

namespace fs = std::filesystem;

namespace {

void write(const fs::path& p, std::string_view bytes) {
    fs::create_directories(p.parent_path());
    std::ofstream out{p, std::ios::binary | std::ios::trunc};
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + p.string());
}

std::string big_script() {
    // ~5 MB of INSERTs, with a few bytes that are not valid UTF-8 inside a comment.
    std::string s = "-- a large migration\nCREATE TABLE big (id int, payload text);\n";
    s.reserve(5'300'000);
    for (int i = 0; s.size() < 5'000'000; ++i) {
        s += "INSERT INTO big VALUES (" + std::to_string(i) +
             ", 'row payload with some text to make it longer: abcdefghijklmnopqrstuvwxyz');\n";
        if (i % 10'000 == 0) s += "-- \xff\xfe odd bytes \xc3\x28\n";
    }
    return s;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: ratchet_embed_make_fixture <dir> <stamp>\n";
        return 2;
    }
    try {
        const fs::path dir = argv[1];
        fs::remove_all(dir);
        fs::create_directories(dir);
        using namespace std::string_view_literals;
        write(dir / "migration_lock.toml", "# lock\r\nprovider = \"postgresql\"\r\n"sv);
        write(dir / "README.md", "a file, not a migration\n"sv);
        write(dir / "20240101000000_init/migration.sql",
              "CREATE TABLE users (id serial PRIMARY KEY, name text NOT NULL);\n"sv);
        write(dir / "20240102000000_bom/migration.sql", "\xEF\xBB\xBFSELECT 'bom';\n"sv);
        write(dir / "20240103000000_crlf/migration.sql", "SELECT 1;\r\nSELECT 2;\r\n"sv);
        write(dir / "20240104000000_latin1/migration.sql", "SELECT 'caf\xE9 na\xEFve';\n"sv);
        write(dir / "20240105000000_nul/migration.sql",
              "SELECT 'a';\n\0\0-- after NUL \x01\x7f\n"sv);
        write(dir / "20240106000000_empty_file/migration.sql", ""sv);
        fs::create_directories(dir / "20240107000000_no_script");
        write(dir / "20240107000000_no_script/notes.txt", "no migration.sql here\n"sv);
        fs::create_directories(dir / "20240108000000_script_is_dir/migration.sql");
        write(dir / "20240109000000_big/migration.sql", big_script());
        write(dir / "20240110000000 with space/migration.sql", "SELECT 'space';\n"sv);
        write(dir / "20240111000000_$dollar#hash/migration.sql", "SELECT 'dollar';\n"sv);
        write(dir / "20240112000000_caf\xC3\xA9/migration.sql", "SELECT 'utf8 name';\n"sv);
        write(dir / "20240113000000_seven_bytes/migration.sql",
              "SELECT;\n"sv);  // not a multiple of 8
        write(dir / ".hidden/migration.sql", "SELECT 'hidden';\n"sv);
        write(dir / "20240114000000_symlinked_script/real.sql", "SELECT 'via symlink';\n"sv);
        fs::create_symlink("real.sql", dir / "20240114000000_symlinked_script/migration.sql");
        // A symlink to a directory is ignored (as by Prisma), and so is a dangling one.
        write(dir.parent_path() / (dir.filename().string() + "-outside/real/migration.sql"),
              "SELECT 'must not be listed';\n"sv);
        fs::create_directory_symlink(
            fs::absolute(dir.parent_path() / (dir.filename().string() + "-outside/real")),
            dir / "20240115000000_symlinked_dir");
        fs::create_directory_symlink("does-not-exist", dir / "20240116000000_dangling");
        write(argv[2], "ok\n");
    } catch (const std::exception& e) {
        std::cerr << "ratchet_embed_make_fixture: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
