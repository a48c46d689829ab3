// Source: a Prisma migrations directory, listed exactly as the Prisma CLI lists it.
#include "collation.hpp"

#include <ratchet/error.hpp>
#include <ratchet/migration.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <system_error>

namespace ratchet {
inline namespace v1 {
namespace {

namespace fs = std::filesystem;

std::optional<std::string> read_file(const fs::path& p, std::string& why) {
    std::ifstream in{p, std::ios::binary};
    if (!in) {
        why = "cannot open " + p.string();
        return std::nullopt;
    }
    std::string data{std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
    if (in.bad()) {
        why = "cannot read " + p.string();
        return std::nullopt;
    }
    return data;
}

// Prisma counts only entries whose Dirent is a directory: symlinks (even to directories)
// and files are ignored.
std::vector<std::string> migration_directory_names(const fs::path& dir) {
    std::vector<std::string> names;
    std::error_code ec;
    fs::directory_iterator it{dir, ec};
    if (ec) return names;  // Prisma: a missing or unreadable directory lists nothing
    for (const auto& entry : it) {
        std::error_code tec;
        if (entry.is_symlink(tec) || !entry.is_directory(tec)) continue;
        names.push_back(entry.path().filename().string());
    }
    return names;
}

migration read_migration(const fs::path& dir, std::string name, const source_options& opts) {
    const fs::path script = dir / name / "migration.sql";
    std::error_code ec;
    if (!fs::is_regular_file(script, ec)) {
        migration m;
        m.name = std::move(name);
        m.read_error = "missing " + script.string();
        return m;
    }
    const auto size = fs::file_size(script, ec);
    if (!ec && size > opts.max_script_bytes) {
        throw error(errc::invalid_input,
                    script.string() + " is " + std::to_string(size) +
                        " bytes, over the limit of " + std::to_string(opts.max_script_bytes) +
                        " bytes (source_options::max_script_bytes); nothing was applied",
                    {}, name);
    }
    std::string why;
    auto bytes = read_file(script, why);
    if (!bytes) {
        migration m;
        m.name = std::move(name);
        m.read_error = why;
        return m;
    }
    return make_migration(std::move(name), *bytes);
}

}  // namespace

migration_set load_directory(const std::filesystem::path& dir, const source_options& opts) {
    migration_set set;
    set.origin = dir.string();
    std::string why;
    set.lock_file = read_file(dir / "migration_lock.toml", why);
    std::vector<std::string> names = migration_directory_names(dir);
    if (!sort_like_prisma(names)) {
        set.warnings.push_back(
            "some migration names contain non-ASCII or control characters; they are ordered by "
            "code point after ASCII characters, which can differ from Prisma's locale-dependent "
            "order");
    }
    set.migrations.reserve(names.size());
    for (auto& name : names) set.migrations.push_back(read_migration(dir, std::move(name), opts));
    return set;
}

}  // namespace v1
}  // namespace ratchet
