#include "harness.hpp"

#include "aws/text.hpp"

#include <ratchet/migration.hpp>

#include <boost/test/unit_test.hpp>

#include <unistd.h>
#include <filesystem>
#include <thread>

namespace ratchet::lambda::test {

std::string fixture_dir(const std::string& fixture) {
    return std::string(RATCHET_LAMBDA_FIXTURES) + "/" + fixture;
}

std::string fixture_hash(const std::string& fixture) {
    return ratchet::migrations_hash(ratchet::load_directory(fixture_dir(fixture)));
}

harness::harness(std::string fix, bool with_db) : fixture(std::move(fix)) {
    static int counter = 0;
    task_root_ =
        std::filesystem::temp_directory_path() /
        ("ratchet-lambda-task-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
    std::filesystem::create_directories(task_root_);
    log_file_ = task_root_ + "/bootstrap.log";
    env = {{"AWS_LAMBDA_RUNTIME_API", runtime.endpoint()},
           {"LAMBDA_TASK_ROOT", task_root_},
           {"RATCHET_MIGRATIONS_DIR", fixture_dir(fixture)},
           {"AWS_ACCESS_KEY_ID", test_access_key},
           {"AWS_SECRET_ACCESS_KEY", test_secret_key},
           {"AWS_SESSION_TOKEN", test_session_token},
           {"AWS_REGION", test_region},
           {"AWS_ENDPOINT_URL_SECRETS_MANAGER", secrets.url()},
           {"AWS_LAMBDA_FUNCTION_NAME", "ratchet-migrate"},
           {"_HANDLER", "bootstrap"},
           {"TZ", ":UTC"}};
    if (with_db) {
        db = std::make_unique<ratchet_test::scratch_db>(
            ratchet_test::scratch_options{.admin_url = {}, .own_role = true});
        secrets.put("db-secret",
                    json{{"username", db->user()}, {"password", db->password()}}.dump());
    }
}

harness::~harness() {
    stop();
    std::error_code ec;
    std::filesystem::remove_all(task_root_, ec);
}

void harness::start(const std::string& program, const std::string& chroot_dir) {
    stop();
    proc_ = std::make_unique<ratchet_test::child_process>(
        std::vector<std::string>{program},
        ratchet_test::spawn_options{
            .env = env, .output_file = log_file_, .chroot_dir = chroot_dir});
}

void harness::stop() {
    if (proc_) {
        BOOST_TEST_MESSAGE("bootstrap output:\n" << proc_->output());
        proc_->stop();
        proc_.reset();
        runtime.drop_pollers();
    }
}

bool harness::running() {
    return proc_ && proc_->running();
}

bool harness::wait_exit(std::chrono::milliseconds max) {
    const auto until = std::chrono::steady_clock::now() + max;
    while (running()) {
        if (std::chrono::steady_clock::now() > until) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds{20});
    }
    return true;
}

void harness::use_fixture(const std::string& f) {
    fixture = f;
    env["RATCHET_MIGRATIONS_DIR"] = fixture_dir(f);
}

json harness::db_props() const {
    return {{"ServiceToken",
             "arn:aws:lambda:eu-west-1:123456789012:function:Stack-ProviderframeworkonEvent-1X"},
            {"MigrationsHash", fixture_hash(fixture)},
            {"DatabaseHost", db->host()},
            {"DatabasePort", db->port()},
            {"DatabaseName", db->name()},
            {"SecretArn", "db-secret"},
            {"IamAuth", "false"}};
}

json harness::cfn_event(const std::string& type, const json& props, const std::string& physical_id,
                        const std::string& service_token) const {
    const std::string token =
        service_token.empty() ? props.value("ServiceToken", std::string("arn:x")) : service_token;
    json e{{"RequestType", type},
           {"ServiceToken", token},
           {"ResponseURL", cfn.url("r-" + type)},
           {"StackId",
            "arn:aws:cloudformation:eu-west-1:123456789012:stack/app/"
            "5b7d5e80-0000-11ef-0000-0a1b2c3d4e5f"},
           {"RequestId", "cfn-" + type + "-6c2a4c1e"},
           {"LogicalResourceId", "Migrations"},
           {"ResourceType", "Custom::RatchetMigrations"},
           {"ResourceProperties", props}};
    if (!physical_id.empty()) e["PhysicalResourceId"] = physical_id;
    if (type == "Update") e["OldResourceProperties"] = props;
    return e;
}

fake_runtime_api::result harness::invoke(const std::string& payload,
                                         std::chrono::milliseconds timeout,
                                         std::chrono::milliseconds wait) {
    const std::string id = runtime.enqueue(payload, timeout);
    const auto r = runtime.wait_result(id, wait);
    if (!r) {
        BOOST_TEST_MESSAGE("no answer; bootstrap output:\n" << (proc_ ? proc_->output() : ""));
        BOOST_FAIL("no answer to " << id);
    }
    return *r;
}

std::string harness::everything() const {
    std::string out = proc_ ? proc_->output() : "";
    out += runtime.all_bodies();
    for (const auto& p : cfn.puts()) out += p.body + "\n";
    return out;
}

void harness::check_no_secrets() const {
    const std::string all = everything();
    std::vector<std::string> secrets_list{
        test_secret_key,           test_session_token, uri_encode(test_session_token),
        "deadbeefSIGNEDurlSECRET", "X-Amz-Signature",  "/cloudformation-custom-resource-response"};
    if (db) {
        secrets_list.push_back(db->password());
        secrets_list.push_back(uri_encode(db->password()));
    }
    // Every secret also as JSON would encode it: a quote, a backslash or a control character
    // in a secret changes its encoded form, and that is what the logs and answers hold.
    const std::size_t raw_count = secrets_list.size();
    for (std::size_t i = 0; i < raw_count; ++i) {
        const std::string encoded = json(secrets_list[i]).dump();
        secrets_list.push_back(encoded.substr(1, encoded.size() - 2));
    }
    for (const auto& s : secrets_list) {
        BOOST_TEST_CONTEXT("secret " << s) {
            BOOST_TEST(all.find(s) == std::string::npos);
        }
    }
}

}  // namespace ratchet::lambda::test
