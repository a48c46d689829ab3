#include "handler/bundle.hpp"

#include "aws/aws_env.hpp"

namespace ratchet::lambda {

std::filesystem::path migrations_dir() {
    if (const auto dir = env_or_empty("RATCHET_MIGRATIONS_DIR"); !dir.empty()) return dir;
    if (const auto root = env_or_empty("LAMBDA_TASK_ROOT"); !root.empty())
        return std::filesystem::path(root) / "migrations";
    std::error_code ec;
    const auto exe_dir = std::filesystem::read_symlink("/proc/self/exe", ec).parent_path();
    if (std::filesystem::is_directory(exe_dir / "migrations", ec)) return exe_dir / "migrations";
    return exe_dir.parent_path() / "migrations";
}

bundle load_bundle() {
    bundle b;
    b.dir = migrations_dir();
    b.set = ratchet::load_directory(b.dir);
    b.hash = ratchet::migrations_hash(b.set);
    return b;
}

}  // namespace ratchet::lambda
