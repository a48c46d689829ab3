// Source: migrations compiled into the binary by ratchet_embed_migrations().
#include <ratchet/migration.hpp>

namespace ratchet {
inline namespace v1 {

migration_set from_embedded(const embedded_file* files, std::size_t count,
                            std::optional<std::string_view> lock_file, std::string origin) {
    migration_set set;
    set.origin = std::move(origin);
    if (lock_file) set.lock_file = std::string{*lock_file};
    std::vector<std::string> names;
    names.reserve(count);
    for (std::size_t i = 0; i < count; ++i) names.emplace_back(files[i].migration);
    if (!sort_like_prisma(names)) {
        set.warnings.push_back(
            "some migration names contain non-ASCII or control characters; they are ordered by "
            "code point after ASCII characters, which can differ from Prisma's order");
    }
    for (const auto& name : names) {
        const embedded_file* f = files;
        while (f->migration != name) ++f;
        if (f->present) {
            set.migrations.push_back(make_migration(name, f->content));
        } else {
            migration m;
            m.name = name;
            m.read_error = "missing " + set.origin + "/" + name + "/migration.sql";
            set.migrations.push_back(std::move(m));
        }
    }
    return set;
}

}  // namespace v1
}  // namespace ratchet
