#include "process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace ratchet_test {
namespace {

namespace fs = std::filesystem;

fs::path temp_file(const char* what) {
    std::string pattern =
        (fs::temp_directory_path() / (std::string{"ratchet_"} + what + "_XXXXXX")).string();
    const int fd = ::mkstemp(pattern.data());
    if (fd < 0) throw std::runtime_error("cannot create a temporary file in " + pattern);
    ::close(fd);
    return pattern;
}

std::string read_file(const fs::path& p) {
    if (p.empty()) return {};
    std::stringstream ss;
    ss << std::ifstream{p, std::ios::binary}.rdbuf();
    return ss.str();
}

int code_of(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

std::vector<std::string> environment(const spawn_options& o) {
    std::map<std::string, std::string> env;
    if (o.env) {
        env = *o.env;
    } else {
        for (char** e = environ; *e != nullptr; ++e) {
            const std::string kv = *e;
            const auto eq = kv.find('=');
            if (eq != std::string::npos) env.emplace(kv.substr(0, eq), kv.substr(eq + 1));
        }
    }
    for (const auto& [k, v] : o.env_set) {
        if (v) {
            env[k] = *v;
        } else {
            env.erase(k);
        }
    }
    std::vector<std::string> out;
    for (const auto& [k, v] : env) out.push_back(k + "=" + v);
    return out;
}

}  // namespace

child_process::child_process(const std::vector<std::string>& argv, spawn_options options) {
    if (argv.empty()) throw std::invalid_argument("child_process: empty argv");
    std::vector<std::string> args;
    if (!options.chroot_dir.empty()) args = {"/usr/sbin/chroot", options.chroot_dir};
    args.insert(args.end(), argv.begin(), argv.end());
    open_files(options);

    std::vector<std::string> env = environment(options);
    std::vector<char*> envp;
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    std::vector<char*> argp;
    for (auto& a : args) argp.push_back(a.data());
    argp.push_back(nullptr);

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (err_.empty()) {
        posix_spawn_file_actions_adddup2(&fa, 1, 2);
    } else {
        posix_spawn_file_actions_addopen(&fa, 2, err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    }
    const int rc = ::posix_spawnp(&pid_, argp[0], &fa, nullptr, argp.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        pid_ = -1;
        std::error_code ec;
        if (remove_out_) fs::remove(out_, ec);
        if (!err_.empty()) fs::remove(err_, ec);
        throw std::runtime_error("cannot start " + args[0] + ": " + std::strerror(rc));
    }
}

void child_process::open_files(const spawn_options& options) {
    remove_out_ = options.output_file.empty();
    out_ = remove_out_ ? temp_file("child_out") : options.output_file;
    if (options.separate_stderr) err_ = temp_file("child_err");
}

child_process child_process::forked(const std::function<int()>& body, spawn_options options) {
    if (options.env || !options.env_set.empty() || !options.chroot_dir.empty())
        throw std::invalid_argument("child_process::forked: env and chroot_dir need a program");
    child_process c;
    c.open_files(options);
    std::fflush(nullptr);  // else the child would write this process's buffered output again
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error(std::string{"fork failed: "} + std::strerror(errno));
    if (pid == 0) {
        const auto redirect = [](const char* path, int flags, int to) {
            const int fd = ::open(path, flags, 0644);
            if (fd < 0 || ::dup2(fd, to) < 0) ::_exit(127);
            ::close(fd);
        };
        redirect("/dev/null", O_RDONLY, 0);
        redirect(c.out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 1);
        if (c.err_.empty()) {
            ::dup2(1, 2);
        } else {
            redirect(c.err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 2);
        }
        int code = 1;
        try {
            code = body();
        } catch (const std::exception& e) {
            std::fprintf(stderr, "%s\n", e.what());
        } catch (...) {
            std::fprintf(stderr, "unknown exception\n");
        }
        std::fflush(nullptr);
        ::_exit(code);
    }
    c.pid_ = pid;
    return c;
}

child_process::child_process(child_process&& other) noexcept
    : pid_{other.pid_},
      code_{other.code_},
      out_{std::move(other.out_)},
      err_{std::move(other.err_)},
      remove_out_{other.remove_out_} {
    other.pid_ = -1;
    other.out_.clear();
    other.err_.clear();
    other.remove_out_ = false;
}

child_process::~child_process() {
    if (pid_ > 0) (void)kill9();
    std::error_code ec;
    if (remove_out_ && !out_.empty()) fs::remove(out_, ec);
    if (!err_.empty()) fs::remove(err_, ec);
}

bool child_process::reap(bool block) {
    if (pid_ <= 0) return true;
    int status = 0;
    pid_t r = 0;
    do {
        r = ::waitpid(pid_, &status, block ? 0 : WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r == 0) return false;
    code_ = r == pid_ ? code_of(status) : -1;
    pid_ = -1;
    return true;
}

bool child_process::running() {
    return !reap(false);
}

std::optional<int> child_process::wait_for(std::chrono::milliseconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!reap(false)) {
        if (std::chrono::steady_clock::now() >= until) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds{5});
    }
    return code_;
}

int child_process::kill9() {
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        reap(true);
    }
    return code_.value_or(-1);
}

std::string child_process::stop() {
    (void)kill9();
    return output();
}

std::string child_process::output() const {
    return read_file(out_);
}

std::string child_process::errors() const {
    return read_file(err_);
}

run_result run(const std::vector<std::string>& argv, spawn_options options,
               std::chrono::milliseconds limit) {
    child_process c{argv, std::move(options)};
    run_result r;
    const auto code = c.wait_for(limit);
    if (!code) {
        (void)c.kill9();
        r.timed_out = true;
    }
    r.code = code.value_or(-1);
    r.out = c.output();
    r.err = c.errors();
    return r;
}

}  // namespace ratchet_test
