// The packaged zip runs in an otherwise empty root filesystem: only the unzipped files at
// /var/task, an empty /tmp and three device nodes. Proof that the bootstrap takes nothing
// (no loader, no libc, no libcurl, no shell) from the machine it runs on.
#define BOOST_TEST_MODULE lambda_package
#include "harness.hpp"

#include <ratchet/migration.hpp>

#include <boost/test/unit_test.hpp>

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <filesystem>

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

/// <tmp>/root with var/task (the unzipped zip), tmp and dev/{null,zero,urandom}.
fs::path make_root() {
    const fs::path root =
        fs::temp_directory_path() / ("ratchet-lambda-root-" + std::to_string(::getpid()));
    fs::remove_all(root);
    fs::create_directories(root / "var/task");
    fs::create_directories(root / "tmp");
    fs::create_directories(root / "dev");
    const std::string cmd =
        "unzip -q " + std::string(RATCHET_LAMBDA_ZIP_PATH) + " -d " + (root / "var/task").string();
    BOOST_REQUIRE_MESSAGE(std::system(cmd.c_str()) == 0, "unzip failed");
    ::mknod((root / "dev/null").c_str(), S_IFCHR | 0666, makedev(1, 3));
    ::mknod((root / "dev/zero").c_str(), S_IFCHR | 0666, makedev(1, 5));
    ::mknod((root / "dev/urandom").c_str(), S_IFCHR | 0666, makedev(1, 9));
    const fs::path migrations = root / "var/task/migrations";
    if (fs::is_empty(migrations))
        fs::copy(fixture_dir("v1"), migrations, fs::copy_options::recursive);
    return root;
}

}  // namespace

BOOST_AUTO_TEST_CASE(zip_runs_in_an_empty_root_against_the_fakes_and_postgres) {
    if (!fs::exists(RATCHET_LAMBDA_ZIP_PATH))
        BOOST_FAIL("zip not built: " << RATCHET_LAMBDA_ZIP_PATH);
    if (::geteuid() != 0) {
        if (is_ci()) BOOST_FAIL("the empty-root test needs root (chroot)");
        BOOST_TEST_MESSAGE("not root: empty-root test skipped");
        return;
    }
    if (!ratchet_test::admin_url_or_skip()) return;
    const fs::path root = make_root();
    BOOST_TEST_MESSAGE("zip " << fs::file_size(RATCHET_LAMBDA_ZIP_PATH) << " bytes, unzipped "
                              << tree_size(root / "var/task") << " bytes");
    harness h("v1");
    h.env["LAMBDA_TASK_ROOT"] = "/var/task";
    h.env.erase("RATCHET_MIGRATIONS_DIR");
    h.env["RATCHET_RESPONSE_MODE"] = "auto";
    const std::string bundle_hash =
        ratchet::migrations_hash(ratchet::load_directory(root / "var/task/migrations"));
    const auto t0 = std::chrono::steady_clock::now();
    h.start("/var/task/bootstrap", root.string());
    BOOST_REQUIRE(h.runtime.wait_next_calls(1, seconds{10}));
    BOOST_TEST_MESSAGE("exec to first /next (chroot): "
                       << std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now() - t0)
                              .count()
                       << " ms");
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
    h.stop();
    fs::remove_all(root);
}
