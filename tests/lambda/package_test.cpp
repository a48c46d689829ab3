// The packaged zip runs in an otherwise empty root filesystem: only the unzipped files at
// /var/task, an empty /tmp and three device nodes. Proof that the bootstrap takes nothing
// (no loader, no libc, no shared object, no shell) from the machine it runs on.
//   env RATCHET_LAMBDA_ZIP   the zip to test (default: this build's lambda/ratchet-lambda.zip)
//   env RATCHET_LAMBDA_ARCH  aarch64: run the bootstrap under qemu-aarch64-static (copied into
//                            the root; tests/portable registers this for the arm64 zip)
#define BOOST_TEST_MODULE lambda_package
#include "harness.hpp"

#include <ratchet/migration.hpp>

#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <vector>

namespace fs = std::filesystem;
using namespace ratchet::lambda::test;
using std::chrono::seconds;

namespace {

std::uintmax_t tree_size(const fs::path& dir) {
    std::uintmax_t total = 0;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        if (e.is_regular_file()) total += e.file_size();
    }
    return total;
}

bool is_ci() {
    const char* ci = std::getenv("CI");
    return ci != nullptr && std::string(ci) == "true";
}

std::string zip_path() {
    const char* z = std::getenv("RATCHET_LAMBDA_ZIP");
    return z != nullptr && *z != '\0' ? z : RATCHET_LAMBDA_ZIP_PATH;
}

std::string arch() {
    const char* a = std::getenv("RATCHET_LAMBDA_ARCH");
    return a != nullptr && *a != '\0' ? a : "native";
}

/// The bootstrap chrooted into root (argv[0] /var/task/bootstrap, or qemu running it), output
/// to log; killed and reaped on destruction.
class chrooted {
public:
    chrooted(const fs::path& root, const std::vector<std::string>& argv,
             const std::map<std::string, std::string>& env, const fs::path& log) {
        std::vector<std::string> env_strings;
        for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
        std::vector<char*> args, envp;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        for (auto& e : env_strings) envp.push_back(e.data());
        envp.push_back(nullptr);
        const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        BOOST_REQUIRE(out >= 0);
        pid_ = ::fork();
        BOOST_REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            ::dup2(out, 1);
            ::dup2(out, 2);
            if (::chroot(root.c_str()) != 0 || ::chdir("/") != 0) ::_exit(126);
            ::execve(args[0], args.data(), envp.data());
            ::_exit(127);
        }
        ::close(out);
    }
    ~chrooted() {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
    chrooted(const chrooted&) = delete;
    chrooted& operator=(const chrooted&) = delete;
    [[nodiscard]] pid_t pid() const { return pid_; }

private:
    pid_t pid_ = -1;
};

/// Shared objects mapped into the process (its /proc/PID/maps, read from outside the root).
int shared_objects_mapped(pid_t pid) {
    std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
    std::set<std::string> files;
    for (std::string line; std::getline(maps, line);) {
        const auto slash = line.find('/');
        if (slash == std::string::npos) continue;
        const std::string file = line.substr(slash);
        if (file.find(".so") != std::string::npos) files.insert(file);
    }
    for (const auto& f : files) BOOST_TEST_MESSAGE("mapped: " << f);
    return static_cast<int>(files.size());
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// <tmp>/root with var/task (the unzipped zip), tmp and dev/{null,zero,urandom}.
fs::path make_root() {
    const fs::path root =
        fs::temp_directory_path() / ("ratchet-lambda-root-" + std::to_string(::getpid()));
    fs::remove_all(root);
    fs::create_directories(root / "var/task");
    fs::create_directories(root / "tmp");
    fs::create_directories(root / "dev");
    const std::string cmd = "unzip -q " + zip_path() + " -d " + (root / "var/task").string();
    BOOST_REQUIRE_MESSAGE(std::system(cmd.c_str()) == 0, "unzip failed");
    ::mknod((root / "dev/null").c_str(), S_IFCHR | 0666, makedev(1, 3));
    ::mknod((root / "dev/zero").c_str(), S_IFCHR | 0666, makedev(1, 5));
    ::mknod((root / "dev/urandom").c_str(), S_IFCHR | 0666, makedev(1, 9));
    const fs::path migrations = root / "var/task/migrations";
    if (fs::is_empty(migrations))
        fs::copy(fixture_dir("v1"), migrations, fs::copy_options::recursive);
    return root;
}

/// A UDP socket on ip:53 that takes every DNS query and never answers (a resolver behind a
/// security group that drops the replies). Nothing listening would give an instant ICMP error.
class silent_dns {
public:
    explicit silent_dns(const char* ip) {
        fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        BOOST_REQUIRE(fd_ >= 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(53);
        ::inet_pton(AF_INET, ip, &a.sin_addr);
        BOOST_REQUIRE_MESSAGE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0,
                              "cannot bind UDP " << ip << ":53");
    }
    ~silent_dns() { ::close(fd_); }
    silent_dns(const silent_dns&) = delete;
    silent_dns& operator=(const silent_dns&) = delete;
    /// Queries received so far (read and dropped).
    int queries() {
        char buf[512];
        while (::recv(fd_, buf, sizeof buf, MSG_DONTWAIT) > 0) ++queries_;
        return queries_;
    }

private:
    int fd_ = -1;
    int queries_ = 0;
};

/// Root and qemu checks shared by the cases; false (skip) outside CI without root.
bool can_chroot() {
    if (!fs::exists(zip_path())) BOOST_FAIL("zip not built: " << zip_path());
    if (::geteuid() != 0) {
        if (is_ci()) BOOST_FAIL("the empty-root test needs root (chroot)");
        BOOST_TEST_MESSAGE("not root: empty-root test skipped");
        return false;
    }
    return true;
}

std::vector<std::string> bootstrap_argv(const fs::path& root) {
    std::vector<std::string> argv{"/var/task/bootstrap"};
    if (arch() == "aarch64") {
        const char* qemu = "/usr/bin/qemu-aarch64-static";
        BOOST_REQUIRE_MESSAGE(fs::exists(qemu), "qemu-aarch64-static is not installed");
        fs::copy_file(qemu, root / "qemu-aarch64-static", fs::copy_options::overwrite_existing);
        argv.insert(argv.begin(), "/qemu-aarch64-static");
    }
    return argv;
}

}  // namespace

// The handler stuck in name resolution: getaddrinfo has no timeout of its own (glibc waits
// timeout x attempts per server), and only the static bootstrap reads the root's resolv.conf,
// so this case lives here. The answer must still be FAILED before Lambda's deadline, keeping
// the resource's id.
BOOST_AUTO_TEST_CASE(a_handler_stuck_in_dns_is_answered_before_the_deadline) {
    if (!can_chroot()) return;
    const fs::path root = make_root();
    fs::create_directories(root / "etc");
    std::ofstream(root / "etc/resolv.conf")
        << "nameserver 127.0.0.9\noptions timeout:30 attempts:5\n";
    silent_dns dns("127.0.0.9");
    harness h("v1", false);
    h.env["LAMBDA_TASK_ROOT"] = "/var/task";
    h.env.erase("RATCHET_MIGRATIONS_DIR");
    h.secrets.put("db-secret", json{{"username", "app"}, {"password", "pw-Stuck-in-DNS-9"}}.dump());
    const fs::path log = root.parent_path() / (root.filename().string() + ".log");
    chrooted proc(root, bootstrap_argv(root), h.env, log);
    BOOST_REQUIRE_MESSAGE(h.runtime.wait_next_calls(1, seconds{30}), slurp(log));
    const json props{
        {"DatabaseHost", "db.cluster-stuck.eu-west-1.rds.amazonaws.com"},
        {"DatabaseName", "app"},
        {"SecretArn", "db-secret"},
        {"MigrationsHash",
         ratchet::migrations_hash(ratchet::load_directory(root / "var/task/migrations"))}};
    const std::string old_id = "ratchet:previous-host:5432/app/public";
    const auto timeout = seconds{10};
    const auto sent = std::chrono::system_clock::now();
    // Direct mode (the function's own ARN as ServiceToken): the PUT carries the verdict.
    const auto r = h.invoke(h.cfn_event("Update", props, old_id, test_function_arn).dump(), timeout,
                            seconds{40});
    BOOST_TEST((r.at < sent + timeout), "answered after the deadline");
    BOOST_REQUIRE(h.cfn.wait_puts(1, seconds{5}));
    const json put = json::parse(h.cfn.puts().back().body);
    BOOST_TEST_MESSAGE("PUT: " << h.cfn.puts().back().body);
    BOOST_TEST(put["Status"] == "FAILED");
    BOOST_TEST(put["PhysicalResourceId"] == old_id);
    BOOST_TEST(dns.queries() >= 1);  // it really was waiting on the resolver
    h.check_no_secrets();
    BOOST_TEST(slurp(log).find("pw-Stuck-in-DNS-9") == std::string::npos);
    fs::remove_all(root);
    fs::remove(log);
}

BOOST_AUTO_TEST_CASE(zip_runs_in_an_empty_root_against_the_fakes_and_postgres) {
    if (!can_chroot() || !ratchet_test::admin_url_or_skip()) return;
    const fs::path root = make_root();
    BOOST_TEST_MESSAGE(arch() << " zip " << zip_path() << ": " << fs::file_size(zip_path())
                              << " bytes, unzipped " << tree_size(root / "var/task") << " bytes");
    // One static executable: no loader, no lib/ folder.
    BOOST_TEST(!fs::exists(root / "var/task/lib"));
    const std::vector<std::string> argv = bootstrap_argv(root);
    harness h("v1");
    h.env["LAMBDA_TASK_ROOT"] = "/var/task";
    h.env.erase("RATCHET_MIGRATIONS_DIR");
    h.env["RATCHET_RESPONSE_MODE"] = "auto";
    const std::string bundle_hash =
        ratchet::migrations_hash(ratchet::load_directory(root / "var/task/migrations"));
    const auto t0 = std::chrono::steady_clock::now();
    const fs::path log = root.parent_path() / (root.filename().string() + ".log");
    chrooted proc(root, argv, h.env, log);
    BOOST_REQUIRE_MESSAGE(h.runtime.wait_next_calls(1, seconds{30}), slurp(log));
    BOOST_TEST_MESSAGE("exec to first /next (chroot, "
                       << arch() << "): "
                       << std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now() - t0)
                              .count()
                       << " ms");
    // Static: nothing is loaded (under qemu, these are qemu's own maps: static as well).
    BOOST_TEST(shared_objects_mapped(proc.pid()) == 0);
    json props = h.db_props();
    props["MigrationsHash"] = bundle_hash;
    const auto r = h.invoke(h.cfn_event("Create", props, "", test_function_arn).dump());
    BOOST_TEST(r.kind == "response");
    BOOST_REQUIRE(h.cfn.wait_puts(1, seconds{5}));
    const json put = json::parse(h.cfn.puts().front().body);
    BOOST_TEST(put["Status"] == "SUCCESS");
    BOOST_TEST_MESSAGE("PUT: " << h.cfn.puts().front().body);
    BOOST_TEST(put["Data"]["MigrationsHash"] == bundle_hash);
    BOOST_TEST(h.secrets.calls() == 1);
    h.check_no_secrets();
    const std::string output = slurp(log);
    BOOST_TEST_MESSAGE("bootstrap output:\n" << output);
    BOOST_TEST(output.find(h.db->password()) == std::string::npos);
    for (const std::string& secret : {std::string(test_secret_key), std::string(test_session_token),
                                      std::string("X-Amz-Signature")})
        BOOST_TEST(output.find(secret) == std::string::npos);
    fs::remove_all(root);
    fs::remove(log);
}
