/// @file process.hpp
/// Runs the bootstrap as a separate process (optionally chrooted), stdout+stderr to a file.
#pragma once

#include <sys/types.h>
#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace ratchet::lambda::test {

class child_process {
public:
    /// env is the complete environment. chroot_dir: run chrooted there (root only).
    child_process(const std::string& program, const std::map<std::string, std::string>& env,
                  const std::string& log_file, const std::string& chroot_dir = {},
                  const std::vector<std::string>& args = {});
    ~child_process();
    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;

    /// SIGKILL and reap; returns the captured output.
    std::string stop();
    /// True while the process runs.
    [[nodiscard]] bool running();
    /// What the process wrote so far.
    [[nodiscard]] std::string output() const;

private:
    pid_t pid_ = -1;
    std::string log_file_;
};

}  // namespace ratchet::lambda::test
