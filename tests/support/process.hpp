// Test support: the one way the C++ tests start child processes (the CLI, the Lambda bootstrap,
// helper servers). stdout and stderr go to files, so a child that is killed -9 or never exits
// still leaves what it said; nothing is read through pipes that could fill up and block it.
//
//   auto r = ratchet_test::run({cli, "deploy", "--dir", d},
//                              {.env_set = {{"DATABASE_URL", url}}, .separate_stderr = true});
//   BOOST_TEST(r.code == 0, r.err);                  // r.out: stdout, r.err: stderr
//
//   ratchet_test::child_process c{{cli, "deploy", ...}};   // runs in the background
//   c.kill9();                                       // or: std::optional<int> code =
//   c.wait_for(5s); std::string said = c.output();                   // stdout+stderr, interleaved
//
//   auto h = ratchet_test::child_process::forked([&] { /* C++ code */ return 0; });  // no exec
//
// Exit codes: the child's exit status, or 128 + signal number when a signal ended it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ratchet_test {

struct spawn_options {
    /// The child's complete environment; nullopt: this process's environment with `env_set`.
    std::optional<std::map<std::string, std::string>> env;
    /// Changes to the environment (inherited or `env`): a value sets, nullopt removes.
    std::map<std::string, std::optional<std::string>> env_set;
    /// stderr to its own file (errors(), run_result::err) instead of interleaved in output().
    bool separate_stderr = false;
    /// Where stdout (and stderr unless separate) goes; kept afterwards. Empty: a temporary file
    /// removed with the child_process.
    std::filesystem::path output_file;
    /// Run chrooted into this directory (root only, through /usr/sbin/chroot); argv[0] is then
    /// a path inside it.
    std::string chroot_dir;
};

/// A running child: argv[0] is a path, or a name looked up in PATH. stdin is /dev/null. The
/// destructor kills it (SIGKILL) if it still runs, reaps it and removes temporary files.
class child_process {
public:
    explicit child_process(const std::vector<std::string>& argv, spawn_options options = {});
    ~child_process();
    child_process(child_process&& other) noexcept;
    child_process& operator=(child_process&&) = delete;
    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;

    /// Runs `body` in a forked copy of this process (no exec): a helper that must be a process
    /// of its own, to be killed -9 mid-run, but needs no program, e.g. a client holding a lock.
    /// stdin is /dev/null, stdout/stderr go to the files as for a program (only output_file and
    /// separate_stderr apply; env and chroot_dir need a program and are refused). The child
    /// exits with body's value (1 and the message on stderr if it throws) and never runs this
    /// process's exit handlers. Fork before starting threads whose locks the body could need.
    static child_process forked(const std::function<int()>& body, spawn_options options = {});

    [[nodiscard]] pid_t pid() const { return pid_; }
    /// True while the child runs (reaps it when it has ended).
    [[nodiscard]] bool running();
    /// Waits up to `limit`; the exit code, or nullopt if it still runs.
    std::optional<int> wait_for(std::chrono::milliseconds limit);
    /// SIGKILL (if still running) and reap; returns the exit code.
    int kill9();
    /// kill9(), then what the child wrote (output()).
    std::string stop();
    /// The exit code once the child has been reaped.
    [[nodiscard]] std::optional<int> exit_code() const { return code_; }

    /// What the child wrote so far: stdout, plus stderr unless separate_stderr.
    [[nodiscard]] std::string output() const;
    /// stderr, with separate_stderr (else empty).
    [[nodiscard]] std::string errors() const;

private:
    child_process() = default;
    void open_files(const spawn_options& options);
    bool reap(bool block);

    pid_t pid_ = -1;
    std::optional<int> code_;
    std::filesystem::path out_;
    std::filesystem::path err_;
    bool remove_out_ = false;
};

struct run_result {
    int code = -1;           ///< exit code (128 + signal); -1 when it timed out
    bool timed_out = false;  ///< killed after `limit`
    std::string out;         ///< stdout (plus stderr unless separate_stderr)
    std::string err;         ///< stderr with separate_stderr
};

/// Runs a child to completion; after `limit` it is killed -9 and timed_out is set.
run_result run(const std::vector<std::string>& argv, spawn_options options = {},
               std::chrono::milliseconds limit = std::chrono::seconds{120});

}  // namespace ratchet_test
