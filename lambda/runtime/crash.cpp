#include "runtime/crash.hpp"

#include "aws/aws_env.hpp"
#include "aws/redact.hpp"
#include "cfn/outcome.hpp"
#include "runtime/log.hpp"
#include "runtime/responder.hpp"
#include "runtime/runtime_api.hpp"

#include <nlohmann/json.hpp>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <mutex>
#include <vector>

#include <sys/mman.h>
#include <unistd.h>

extern char** environ;

namespace ratchet::lambda {

namespace {

using json = nlohmann::json;

constexpr int fatal_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};

// Everything the signal handler touches is prepared in advance: no allocation in the handler.
std::atomic<int> armed_fd{-1};
std::vector<std::string> exec_args;   // the command that restarts this bootstrap
std::vector<std::string> armed_args;  // exec_args + "--answer-crash" <fd> <signal placeholder>
std::vector<char*> armed_argv;        // pointers into armed_args, null-terminated
char stage_buf[256];
std::atomic<bool> in_handler{false};

void on_fatal_signal(int sig) {
    const int fd = armed_fd.load();
    if (fd >= 0 && armed_argv.size() >= 4 && !in_handler.exchange(true)) {
        // The stage the invoke reached, after the context (async-signal-safe calls only).
        const char nl = '\n';
        if (::lseek(fd, 0, SEEK_END) >= 0 && ::write(fd, &nl, 1) == 1) {
            (void)!::write(fd, stage_buf, ::strnlen(stage_buf, sizeof stage_buf - 1));
        }
        char sig_arg[8] = {};
        int n = sig > 0 && sig < 1000 ? sig : 0;
        char digits[4];
        int i = 0;
        do {
            digits[i++] = static_cast<char>('0' + n % 10);
            n /= 10;
        } while (n > 0 && i < 3);
        for (int j = 0; j < i; ++j) sig_arg[j] = digits[i - 1 - j];
        armed_argv[armed_argv.size() - 2] = sig_arg;
        ::execve(armed_argv[0], armed_argv.data(), environ);
    }
    // Not armed (between invokes) or exec failed: die as the signal would have.
    ::signal(sig, SIG_DFL);
    ::raise(sig);
}

void on_terminate() {
    // Name the exception in the log, then take the signal path (abort is SIGABRT).
    try {
        if (const auto e = std::current_exception()) std::rethrow_exception(e);
        log_line("error", "std::terminate called without an exception");
    } catch (const std::exception& e) {
        log_line("error", std::string("uncaught exception: ") + e.what());
    } catch (...) {
        log_line("error", "uncaught exception of unknown type");
    }
    std::abort();
}

/// The command that starts this bootstrap again: through the zip's loader when we were started
/// by it (bin/bootstrap next to lib/ld-linux-x86-64.so.2), else /proc/self/exe, else argv0.
std::vector<std::string> restart_command(const char* argv0) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path program = argv0 != nullptr ? fs::path(argv0) : fs::path();
    const fs::path loader = program.parent_path().parent_path() / "lib" / "ld-linux-x86-64.so.2";
    if (program.is_absolute() && program.parent_path().filename() == "bin" &&
        fs::exists(loader, ec)) {
        return {loader.string(), "--library-path", loader.parent_path().string(), program.string()};
    }
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (!ec && !self.empty()) return {self.string()};
    if (program.is_absolute()) return {program.string()};
    return {};
}

}  // namespace

void install_crash_handlers(const char* argv0) {
    exec_args = restart_command(argv0);
    std::set_terminate(&on_terminate);
    // The handler's own stack, so a stack overflow can still be answered.
    static std::vector<char> alt_stack(256 * 1024);
    stack_t ss{};
    ss.ss_sp = alt_stack.data();
    ss.ss_size = alt_stack.size();
    (void)::sigaltstack(&ss, nullptr);
    struct sigaction sa {};
    sa.sa_handler = &on_fatal_signal;
    sa.sa_flags = SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    for (const int sig : fatal_signals) (void)::sigaction(sig, &sa, nullptr);
}

void note_crash_stage(std::string_view stage) noexcept {
    const std::size_t n = std::min(stage.size(), sizeof stage_buf - 1);
    std::memcpy(stage_buf, stage.data(), n);
    stage_buf[n] = '\0';
}

void arm_crash_answer(const crash_context& c) {
    disarm_crash_answer();
    if (exec_args.empty()) return;
    json j{{"requestId", c.request_id},
           {"direct", c.mode == response_mode::direct},
           {"physicalId", c.physical_id},
           {"deadlineMs", c.deadline ? std::chrono::duration_cast<std::chrono::milliseconds>(
                                           c.deadline->time_since_epoch())
                                           .count()
                                     : 0}};
    if (c.cfn) {
        j["cfn"] = {{"RequestType", std::string(to_string(c.cfn->type))},
                    {"ResponseURL", c.cfn->response_url},
                    {"StackId", c.cfn->stack_id},
                    {"RequestId", c.cfn->request_id},
                    {"LogicalResourceId", c.cfn->logical_resource_id},
                    {"PhysicalResourceId", c.cfn->physical_resource_id}};
    }
    // Not close-on-exec: the restarted process reads it. In memory only (it holds the
    // ResponseURL, a secret).
    const int fd = ::memfd_create("ratchet-crash-answer", 0);
    if (fd < 0) return;
    const std::string text = j.dump(-1, ' ', false, json::error_handler_t::replace);
    if (::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
        ::close(fd);
        return;
    }
    note_crash_stage("starting");
    armed_args = exec_args;
    armed_args.emplace_back("--answer-crash");
    armed_args.push_back(std::to_string(fd));
    armed_args.emplace_back("0");  // replaced by the signal number in the handler
    armed_argv.clear();
    for (auto& a : armed_args) armed_argv.push_back(a.data());
    armed_argv.push_back(nullptr);
    armed_fd.store(fd);
}

void disarm_crash_answer() noexcept {
    const int fd = armed_fd.exchange(-1);
    if (fd >= 0) ::close(fd);
}

bool answer_crash_if_asked(int argc, char** argv) {
    if (argc < 4 || std::string_view(argv[1]) != "--answer-crash") return false;
    // The signal that brought us here is still blocked (exec keeps the mask): unblock all.
    sigset_t all;
    sigfillset(&all);
    (void)::sigprocmask(SIG_UNBLOCK, &all, nullptr);
    const int fd = std::atoi(argv[2]);
    const int sig = std::atoi(argv[3]);
    std::string text;
    char buf[4096];
    ::lseek(fd, 0, SEEK_SET);
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;)
        text.append(buf, static_cast<std::size_t>(n));
    ::close(fd);
    const auto nl = text.find('\n');
    const std::string stage =
        nl == std::string::npos ? "handling the request" : text.substr(nl + 1);
    try {
        const json j = json::parse(text.substr(0, nl));
        std::optional<cfn_event> cfn;
        if (j.contains("cfn")) {
            const json& c = j["cfn"];
            cfn_event e;
            e.type =
                c.value("RequestType", "") == "Delete" ? request_type::del : request_type::create;
            e.response_url = c.value("ResponseURL", "");
            e.stack_id = c.value("StackId", "");
            e.request_id = c.value("RequestId", "");
            e.logical_resource_id = c.value("LogicalResourceId", "");
            e.physical_resource_id = c.value("PhysicalResourceId", "");
            register_secret(e.response_url);
            cfn = e;
        }
        const std::string request_id = j.value("requestId", "");
        set_log_request_id(request_id);
        const char* name = sigabbrev_np(sig);
        const std::string signal_name =
            name != nullptr ? std::string("SIG") + name : "signal " + std::to_string(sig);
        log_line("error",
                 "the bootstrap crashed (" + signal_name +
                     ") mid-invoke; answering from a fresh process",
                 {{"stage", stage}});
        const auto deadline_ms = j.value("deadlineMs", static_cast<long long>(0));
        const auto give_up = deadline_ms > 0
                                 ? std::chrono::system_clock::time_point{std::chrono::milliseconds{
                                       deadline_ms - 250}}
                                 : std::chrono::system_clock::now() + std::chrono::seconds{30};
        runtime_api api(env_or_empty("AWS_LAMBDA_RUNTIME_API"));
        responder answer(api, request_id, cfn,
                         j.value("direct", false) ? response_mode::direct : response_mode::provider,
                         give_up);
        const outcome o =
            cfn && cfn->type == request_type::del
                ? delete_success(*cfn)
                : failure(j.value("physicalId", ""), "Crashed",
                          "the bootstrap crashed (" + signal_name + ") while " + stage +
                              "; nothing after the last committed migration was applied; see the "
                              "function's log");
        answer.deliver(o);
        clear_invoke_secrets();
    } catch (const std::exception& e) {
        log_line("error", std::string("cannot answer after the crash: ") + e.what());
    }
    return true;
}

}  // namespace ratchet::lambda
