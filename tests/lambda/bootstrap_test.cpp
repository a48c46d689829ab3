// The bootstrap as a separate process against a fake Runtime API, a SigV4-checking fake
// Secrets Manager, a fake ResponseURL and a real PostgreSQL (RATCHET_TEST_ADMIN_URL).
#define BOOST_TEST_MODULE lambda_bootstrap
#include "aws/http_client.hpp"
#include "aws/sigv4.hpp"
#include "harness.hpp"
#include "support/net.hpp"
#include "support/pg.hpp"

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace ratchet::lambda::test;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

const std::string self_arn = test_function_arn;

bool have_db() {
    return ratchet_test::admin_url_or_skip().has_value();
}

json body_of(const fake_runtime_api::result& r) {
    return json::parse(r.body);
}

std::string expected_id(const harness& h) {
    return "ratchet:" + h.db->host() + ":" + h.db->port() + "/" + h.db->name() + "/public";
}

std::string finished_count(const harness& h) {
    return h.db->scalar("SELECT count(*) FROM _prisma_migrations WHERE finished_at IS NOT NULL")
        .value_or("");
}

}  // namespace

BOOST_AUTO_TEST_CASE(create_applies_through_the_provider_framework) {
    if (!have_db()) return;
    harness h("v1");
    h.start();
    const auto r = h.invoke(h.cfn_event("Create", h.db_props()).dump());
    BOOST_TEST(r.kind == "response");
    const json b = body_of(r);
    BOOST_TEST(b["PhysicalResourceId"] == expected_id(h));
    BOOST_TEST(b["Data"]["AppliedCount"] == "2");
    BOOST_TEST(b["Data"]["LastMigration"] == "20240102000000_add_name");
    BOOST_TEST(b["Data"]["MigrationsHash"] == fixture_hash("v1"));
    BOOST_TEST(finished_count(h) == "2");
    BOOST_TEST(h.secrets.calls() == 1);
    BOOST_TEST(h.secrets.bad_signatures() == 0);
    BOOST_TEST(h.secrets.independent_checks() == 1);
    BOOST_TEST(h.secrets.independent_mismatches() == 0);  // libcurl's signer agrees
    BOOST_TEST(h.cfn.puts().empty());  // the framework answers CloudFormation, not us
    h.check_no_secrets();
}

BOOST_AUTO_TEST_CASE(update_with_nothing_new_and_the_same_request_delivered_twice) {
    if (!have_db()) return;
    harness h("v1");
    h.start();
    const std::string create = h.cfn_event("Create", h.db_props()).dump();
    const auto first = body_of(h.invoke(create));
    const auto again = h.invoke(create);  // a re-invoke of the same CloudFormation request
    BOOST_TEST(again.kind == "response");
    BOOST_TEST(body_of(again)["Data"]["AppliedCount"] == "0");
    BOOST_TEST(body_of(again)["PhysicalResourceId"] == first["PhysicalResourceId"]);
    const auto upd = h.invoke(h.cfn_event("Update", h.db_props(), expected_id(h)).dump());
    BOOST_TEST(upd.kind == "response");
    BOOST_TEST(body_of(upd)["PhysicalResourceId"] == expected_id(h));
    BOOST_TEST(body_of(upd)["Data"]["AppliedCount"] == "0");
    BOOST_TEST(finished_count(h) == "2");
    BOOST_TEST(h.db->scalar("SELECT count(*) FROM _prisma_migrations").value_or("") == "2");
    h.check_no_secrets();
}

BOOST_AUTO_TEST_CASE(delete_succeeds_without_database_or_secrets_manager) {
    harness h("v1", false);
    h.env["AWS_ENDPOINT_URL_SECRETS_MANAGER"] =
        "http://127.0.0.1:" + std::to_string(ratchet_test::closed_loopback_port());
    h.start();
    const json props{{"ServiceToken", "arn:aws:lambda:eu-west-1:1:function:framework"},
                     {"DatabaseHost", "10.255.255.1"},
                     {"SecretArn", "db-secret"},
                     {"MigrationsHash", "whatever"}};
    const auto r = h.invoke(h.cfn_event("Delete", props, "ratchet:old-host:5432/app/public").dump(),
                            seconds{60}, seconds{10});
    BOOST_TEST(r.kind == "response");
    BOOST_TEST(body_of(r)["PhysicalResourceId"] == "ratchet:old-host:5432/app/public");
    // Direct mode: the PUT carries the same id; CloudFormation's invented ids are echoed too.
    const auto d = h.invoke(h.cfn_event("Delete", props, "app-Migrations-1A2B3C", self_arn).dump());
    BOOST_TEST(d.kind == "response");
    BOOST_REQUIRE(h.cfn.wait_puts(1, seconds{5}));
    const auto put = h.cfn.puts().front();
    BOOST_TEST(json::parse(put.body)["Status"] == "SUCCESS");
    BOOST_TEST(json::parse(put.body)["PhysicalResourceId"] == "app-Migrations-1A2B3C");
    BOOST_TEST(h.secrets.calls() == 0);
    h.check_no_secrets();
}

BOOST_AUTO_TEST_CASE(failing_migration_gives_a_clean_failure_in_both_modes) {
    if (!have_db()) return;
    harness h("failing");
    h.start();
    const auto r = h.invoke(h.cfn_event("Create", h.db_props()).dump());
    BOOST_TEST(r.kind == "error");
    BOOST_TEST(r.error_type == "Function.MigrationFailed");
    const json b = body_of(r);
    BOOST_TEST(b["errorType"] == "MigrationFailed");
    const std::string msg = b["errorMessage"];
    BOOST_TEST(msg.find("20240103000000_broken") != std::string::npos);
    BOOST_TEST(r.body.size() < 2'600U);
    BOOST_TEST(b["trace"].is_array());
    // Direct: FAILED PUT with a Reason, then a success to Lambda (no async retry).
    const auto d = h.invoke(h.cfn_event("Create", h.db_props(), "", self_arn).dump());
    BOOST_TEST(d.kind == "response");
    BOOST_REQUIRE(h.cfn.wait_puts(1, seconds{5}));
    const auto put = h.cfn.puts().front();
    BOOST_TEST(put.has_content_type);
    BOOST_TEST(put.content_type == "");
    const json pb = json::parse(put.body);
    BOOST_TEST(pb["Status"] == "FAILED");
    BOOST_TEST(pb["PhysicalResourceId"] == expected_id(h));
    BOOST_TEST(pb["RequestId"] == "cfn-Create-6c2a4c1e");
    BOOST_TEST(pb["Reason"].get<std::string>().find("20240103000000_broken") != std::string::npos);
    BOOST_TEST(h.runtime.duplicate_posts() == 0);
    h.check_no_secrets();
}

BOOST_AUTO_TEST_CASE(database_down_fails_cleanly) {
    if (!have_db()) return;
    harness h("v1");
    h.start();
    json props = h.db_props();
    props["DatabasePort"] = std::to_string(ratchet_test::closed_loopback_port());
    const auto r = h.invoke(h.cfn_event("Create", props).dump(), seconds{60}, seconds{30});
    BOOST_TEST(r.kind == "error");
    BOOST_TEST(body_of(r)["errorType"] == "ConnectionFailed");
    h.check_no_secrets();
}

BOOST_AUTO_TEST_CASE(secret_missing_or_access_denied_fail_cleanly) {
    if (!have_db()) return;
    harness h("v1");
    h.secrets.deny("denied-secret");
    h.start();
    json props = h.db_props();
    props["SecretArn"] = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:nope-AbCdEf";
    const auto missing = h.invoke(h.cfn_event("Create", props).dump());
    BOOST_TEST(missing.kind == "error");
    BOOST_TEST(body_of(missing)["errorType"] == "SecretError");
    BOOST_TEST(body_of(missing)["errorMessage"].get<std::string>().find(
                   "ResourceNotFoundException") != std::string::npos);
    props["SecretArn"] = "denied-secret";
    const auto denied = h.invoke(h.cfn_event("Create", props).dump());
    BOOST_TEST(body_of(denied)["errorMessage"].get<std::string>().find("AccessDeniedException") !=
               std::string::npos);
    BOOST_TEST(h.secrets.bad_signatures() == 0);
    BOOST_TEST(h.db->scalar("SELECT count(*) FROM pg_tables WHERE tablename = '_prisma_migrations'")
                   .value_or("") == "0");
    h.check_no_secrets();
}

BOOST_AUTO_TEST_CASE(fake_secrets_manager_rejects_a_wrong_signature) {
    fake_secrets_manager sm;
    sm.put("x", "{}");
    using namespace ratchet::lambda;
    sigv4::request req{"POST", "/", {}, {}, R"({"SecretId":"x"})"};
    req.headers = {{"Host", sm.url().substr(7)},
                   {"Content-Type", "application/x-amz-json-1.1"},
                   {"X-Amz-Target", "secretsmanager.GetSecretValue"}};
    sigv4::settings s{test_region, "secretsmanager", std::chrono::system_clock::now()};
    (void)sigv4::sign_headers(req, {test_access_key, "not-the-key", test_session_token}, s);
    const auto bad = http_send({"POST", sm.url() + "/", req.headers, req.body});
    BOOST_TEST(bad.status == 400);
    BOOST_TEST(bad.body.find("InvalidSignatureException") != std::string::npos);
    BOOST_TEST(sm.bad_signatures() == 1);
}

BOOST_AUTO_TEST_CASE(malformed_and_empty_events_fail_cleanly) {
    harness h("v1", false);
    h.start();
    for (const std::string payload :
         {"", "{not json", "[]", R"({"RequestType":"Explode"})", R"({"hello":1})"}) {
        const auto r = h.invoke(payload);
        BOOST_TEST(r.kind == "error");
        BOOST_TEST(body_of(r)["errorType"] == "InvalidEvent");
    }
    // Direct mode: even an unreadable request type is answered FAILED at the ResponseURL.
    json e = h.cfn_event("Create", json::object(), "", self_arn);
    e["RequestType"] = "Explode";
    const auto r = h.invoke(e.dump());
    BOOST_TEST(r.kind == "response");
    BOOST_REQUIRE(h.cfn.wait_puts(1, seconds{5}));
    BOOST_TEST(json::parse(h.cfn.puts().front().body)["Status"] == "FAILED");
    h.check_no_secrets();
}

BOOST_AUTO_TEST_CASE(deadline_mid_migration_fails_before_lambda_would_and_leaves_nothing) {
    if (!have_db()) return;
    harness h("slow");
    h.start();
    const auto timeout = seconds{9};
    const auto sent = std::chrono::system_clock::now();
    const auto r =
        h.invoke(h.cfn_event("Create", h.db_props(), "", self_arn).dump(), timeout, seconds{30});
    BOOST_TEST((r.at < sent + timeout));
    BOOST_REQUIRE(h.cfn.wait_puts(1, seconds{2}));
    const json pb = json::parse(h.cfn.puts().front().body);
    BOOST_TEST(pb["Status"] == "FAILED");
    const std::string reason = pb["Reason"];
    BOOST_TEST_MESSAGE("deadline reason: " << reason);
    BOOST_TEST(reason.find("20240104000000_slow") != std::string::npos);
    BOOST_TEST(
        h.db->scalar("SELECT count(*) FROM pg_tables WHERE tablename = 'Partial'").value_or("") ==
        "0");
    BOOST_TEST(h.db->scalar("SELECT count(*) FROM _prisma_migrations WHERE migration_name = "
                            "'20240104000000_slow' "
                            "AND finished_at IS NOT NULL")
                   .value_or("") == "0");
    BOOST_TEST(finished_count(h) == "2");
    h.check_no_secrets();
}

BOOST_AUTO_TEST_CASE(rollback_updates_succeed_without_applying) {
    if (!have_db()) return;
    harness h("v2");
    h.start();
    BOOST_TEST(h.invoke(h.cfn_event("Create", h.db_props()).dump()).kind == "response");
    // The stack rolls back: old code (v1 bundle) with old properties; the database is ahead.
    h.use_fixture("v1");
    h.start();
    const auto back = h.invoke(h.cfn_event("Update", h.db_props(), expected_id(h)).dump());
    BOOST_TEST(back.kind == "response");
    BOOST_TEST(body_of(back)["Data"]["AppliedCount"] == "0");
    BOOST_TEST(body_of(back)["Data"]["Warnings"].get<std::string>().find("newer") !=
               std::string::npos);
    // Properties name another bundle than the code holds: apply nothing, succeed, no DB access.
    json other = h.db_props();
    other["MigrationsHash"] = fixture_hash("v2");
    const int calls = h.secrets.calls();
    const auto mismatch = h.invoke(h.cfn_event("Update", other, expected_id(h)).dump());
    BOOST_TEST(mismatch.kind == "response");
    BOOST_TEST(body_of(mismatch)["PhysicalResourceId"] == expected_id(h));
    BOOST_TEST(body_of(mismatch)["Data"].contains("Warnings"));
    BOOST_TEST(h.secrets.calls() == calls);
    // A Create with a mismatching hash fails.
    const auto create = h.invoke(h.cfn_event("Create", other).dump());
    BOOST_TEST(create.kind == "error");
    BOOST_TEST(body_of(create)["errorType"] == "HashMismatch");
    BOOST_TEST(finished_count(h) == "3");
    h.check_no_secrets();
}

BOOST_AUTO_TEST_CASE(rollback_update_succeeds_despite_a_failed_row_of_the_aborted_release) {
    if (!have_db()) return;
    // A no-transaction migration that fails leaves a failed row (Prisma's P3009 state).
    harness h("failing_notx");
    h.start();
    BOOST_TEST(h.invoke(h.cfn_event("Create", h.db_props()).dump()).kind == "error");
    BOOST_TEST(h.db->scalar("SELECT count(*) FROM _prisma_migrations WHERE finished_at IS NULL AND "
                            "rolled_back_at IS NULL")
                   .value_or("") == "1");
    h.use_fixture("v1");
    h.start();
    const auto back = h.invoke(h.cfn_event("Update", h.db_props(), expected_id(h)).dump());
    BOOST_TEST(back.kind == "response");
    BOOST_TEST(body_of(back)["Data"]["Warnings"].get<std::string>().find(
                   "failed migrations: 20240103000000_broken_notx") != std::string::npos);
    h.check_no_secrets();
}

BOOST_AUTO_TEST_CASE(huge_database_error_is_truncated_to_fit) {
    if (!have_db()) return;
    harness h("huge");
    h.start();
    const auto r = h.invoke(h.cfn_event("Create", h.db_props()).dump());
    BOOST_TEST(r.kind == "error");
    // What the CDK framework makes of it: errorMessage + trace[1..] (it drops trace[0]),
    // JSON-encoded with the identifiers (unit_test.cpp checks the exact framework body).
    const json b = body_of(r);
    std::string reason = b["errorMessage"].get<std::string>() + "\n\nLogs: /aws/lambda/" +
                         std::string(64, 'f') + "\n";
    for (std::size_t i = 1; i < b["trace"].size(); ++i)
        reason += "\n" + b["trace"][i].get<std::string>();
    const json e = h.cfn_event("Create", h.db_props());
    const json framework_put{
        {"Status", "FAILED"},
        {"Reason", reason},
        {"StackId", e["StackId"]},
        {"RequestId", e["RequestId"]},
        {"PhysicalResourceId", "AWSCDK::CustomResourceProviderFramework::CREATE_FAILED"},
        {"LogicalResourceId", e["LogicalResourceId"]}};
    BOOST_TEST(framework_put.dump().size() <= 4'096U);
    BOOST_TEST(h.invoke(h.cfn_event("Create", h.db_props(), "", self_arn).dump()).kind ==
               "response");
    BOOST_REQUIRE(h.cfn.wait_puts(1, seconds{5}));
    BOOST_TEST(h.cfn.puts().front().body.size() <= 4'096U);
    BOOST_TEST(json::parse(h.cfn.puts().front().body)["Status"] == "FAILED");
    h.check_no_secrets();
}

BOOST_AUTO_TEST_CASE(response_url_put_is_retried) {
    if (!have_db()) return;
    harness h("v1");
    h.cfn.fail_next(2);
    h.start();
    const auto r = h.invoke(h.cfn_event("Create", h.db_props(), "", self_arn).dump());
    BOOST_TEST(r.kind == "response");
    BOOST_REQUIRE(h.cfn.wait_puts(1, seconds{10}));
    BOOST_TEST(json::parse(h.cfn.puts().front().body)["Status"] == "SUCCESS");
    BOOST_TEST(json::parse(h.cfn.puts().front().body)["Data"]["AppliedCount"] == "2");
    h.check_no_secrets();
}

BOOST_AUTO_TEST_CASE(operator_commands_with_database_url) {
    if (!have_db()) return;
    harness h("v1");
    h.env["DATABASE_URL"] = h.db->owner_url();
    h.start();
    // The core's JSON (schema_version 2, as `ratchet --json`).
    const auto plan = body_of(h.invoke(R"({"command":"plan"})"));
    BOOST_TEST(plan["schema_version"] == 2);
    BOOST_TEST(plan["pending"].size() == 2U);
    BOOST_TEST(plan["migrations_hash"] == fixture_hash("v1"));
    const auto deploy = body_of(h.invoke(R"({"command":"deploy"})"));
    BOOST_TEST(deploy["applied"].size() == 2U);
    const auto status = body_of(h.invoke(R"({"command":"status"})"));
    BOOST_TEST(status["summary"] == "up_to_date");
    BOOST_TEST(h.secrets.calls() == 0);
    h.check_no_secrets();
}

BOOST_AUTO_TEST_CASE(iam_auth_token_is_used_as_password_and_never_shown) {
    if (!have_db()) return;
    harness h("v1");
    h.start();
    json props = h.db_props();
    props["IamAuth"] = "true";
    props["DatabaseUser"] = h.db->user();
    // The token is a password: a mode that may fall back to plain text is refused.
    const auto clear = h.invoke(h.cfn_event("Create", props).dump());
    BOOST_TEST(clear.kind == "error");
    BOOST_TEST(body_of(clear)["errorType"] == "ConfigurationError");
    h.env["RATCHET_SSLMODE"] = "require";
    h.start();
    const auto r = h.invoke(h.cfn_event("Create", props).dump());
    // The test server may lack TLS or require the real password (then ConnectionFailed);
    // with TLS and trust authentication the deploy succeeds.
    if (r.kind == "error") {
        BOOST_TEST(body_of(r)["errorType"] == "ConnectionFailed");
    } else {
        BOOST_TEST(body_of(r)["Data"]["AppliedCount"] == "2");
    }
    BOOST_TEST(h.secrets.calls() == 0);
    h.check_no_secrets();
}

BOOST_AUTO_TEST_CASE(secret_through_the_parameters_and_secrets_extension) {
    if (!have_db()) return;
    harness h("v1");
    int seen = 0;
    http_server ext([&](const http_message& m) {
        const std::string* tok = m.header("X-Aws-Parameters-Secrets-Token");
        if (tok == nullptr || *tok != test_session_token)
            return http_reply{401, {}, "unauthorized"};
        if (m.target != "/secretsmanager/get?secretId=ext%2Fdb")
            return http_reply{400, {}, "ResourceNotFoundException"};
        ++seen;
        return http_reply{
            200,
            {},
            json{{"SecretString",
                  json{{"username", h.db->user()}, {"password", h.db->password()}}.dump()}}
                .dump()};
    });
    h.env["PARAMETERS_SECRETS_EXTENSION_HTTP_PORT"] = std::to_string(ext.port());
    h.start();
    json props = h.db_props();
    props["SecretArn"] = "ext/db";
    const auto r = h.invoke(h.cfn_event("Create", props).dump());
    BOOST_TEST(r.kind == "response");
    BOOST_TEST(seen == 1);
    BOOST_TEST(h.secrets.calls() == 0);
    h.check_no_secrets();
}

BOOST_AUTO_TEST_CASE(runtime_polls_next_quickly_after_exec) {
    harness h("v1", false);
    const auto t0 = std::chrono::steady_clock::now();
    h.start();
    BOOST_REQUIRE(h.runtime.wait_next_calls(1, seconds{10}));
    const auto ms =
        std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - t0).count();
    BOOST_TEST_MESSAGE("exec to first /next: " << ms << " ms");
    BOOST_TEST(ms < 2'000);
}

BOOST_AUTO_TEST_CASE(lock_wait_is_bounded_by_the_deadline) {
    if (!have_db()) return;
    harness h("v1");
    // Another deployer holds Prisma's advisory lock for the whole test.
    const ratchet_test::session other{h.db->owner_url()};
    other.exec("SELECT pg_advisory_lock(72707369)");
    h.start();
    const auto sent = std::chrono::system_clock::now();
    const auto r = h.invoke(h.cfn_event("Create", h.db_props()).dump(), seconds{8}, seconds{30});
    BOOST_TEST((r.at < sent + seconds{8}));
    BOOST_TEST(r.kind == "error");
    const std::string type = body_of(r)["errorType"];
    BOOST_TEST((type == "LockTimeout" || type == "DeadlineExceeded"));
    BOOST_TEST_MESSAGE("lock wait answer: " << r.body);
    h.check_no_secrets();
}

BOOST_AUTO_TEST_CASE(hanging_secrets_manager_fails_before_the_deadline) {
    harness h("v1", false);
    http_server slow([](const http_message&) {
        std::this_thread::sleep_for(seconds{12});
        return http_reply{500, {}, "{}"};
    });
    h.env["AWS_ENDPOINT_URL_SECRETS_MANAGER"] = slow.base_url();
    h.start();
    const json props{{"ServiceToken", "arn:aws:lambda:eu-west-1:1:function:framework"},
                     {"DatabaseHost", "127.0.0.1"},
                     {"SecretArn", "db-secret"},
                     {"MigrationsHash", fixture_hash("v1")}};
    const auto sent = std::chrono::system_clock::now();
    const auto r = h.invoke(h.cfn_event("Create", props).dump(), seconds{8}, seconds{30});
    BOOST_TEST((r.at < sent + seconds{8}));
    BOOST_TEST(body_of(r)["errorType"] == "SecretError");
    h.stop();
}

BOOST_AUTO_TEST_CASE(secrets_manager_over_verified_https) {
    if (!have_db()) return;
    harness h("v1");
    const std::string dir = h.env["LAMBDA_TASK_ROOT"];
    const std::string gen =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
        "-addext subjectAltName=IP:127.0.0.1 -keyout " +
        dir + "/key.pem -out " + dir + "/cert.pem 2>/dev/null";
    BOOST_REQUIRE(std::system(gen.c_str()) == 0);
    const char* path = std::getenv("PATH");
    ratchet_test::child_process tls(
        {"python3", RATCHET_LAMBDA_TLS_FAKE, dir + "/cert.pem", dir + "/key.pem", dir + "/port"},
        {.env =
             std::map<std::string, std::string>{
                 {"PATH", path ? path : "/usr/bin:/bin"},
                 {"SECRET_STRING",
                  json{{"username", h.db->user()}, {"password", h.db->password()}}.dump()}},
         .output_file = dir + "/tls.log"});
    std::string port;
    for (int i = 0; i < 100 && port.empty(); ++i) {
        std::this_thread::sleep_for(milliseconds{50});
        std::ifstream in(dir + "/port");
        std::getline(in, port);
    }
    BOOST_REQUIRE_MESSAGE(!port.empty(), "TLS fake did not start: " << tls.output());
    h.env["AWS_ENDPOINT_URL_SECRETS_MANAGER"] = "https://127.0.0.1:" + port;
    // The system CA store does not trust the self-signed certificate: verification is on.
    h.env.erase("SSL_CERT_FILE");
    h.start();
    const auto untrusted = h.invoke(h.cfn_event("Create", h.db_props()).dump());
    BOOST_TEST(untrusted.kind == "error");
    BOOST_TEST(body_of(untrusted)["errorType"] == "SecretError");
    BOOST_TEST_MESSAGE("untrusted: " << body_of(untrusted)["errorMessage"]);
    h.env["SSL_CERT_FILE"] = dir + "/cert.pem";
    h.start();
    const auto trusted = h.invoke(h.cfn_event("Create", h.db_props()).dump());
    BOOST_TEST(trusted.kind == "response");
    BOOST_TEST(body_of(trusted)["Data"]["AppliedCount"] == "2");
    h.check_no_secrets();
}

// ---- defects of issue #12 and the paths nobody had tested ----

namespace {

json no_db_props(
    const std::string& service_token = "arn:aws:lambda:eu-west-1:1:function:framework") {
    return {{"ServiceToken", service_token},
            {"DatabaseHost", "10.255.255.1"},
            {"SecretArn", "db-secret"},
            {"MigrationsHash", fixture_hash("v1")}};
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_delete_with_unparseable_properties_still_succeeds_in_both_modes) {
    harness h("v1", false);
    h.start();
    const std::string deep = std::string(120'000, '[') + std::string(120'000, ']');
    for (const std::string& token :
         {std::string("arn:aws:lambda:eu-west-1:1:function:framework"), self_arn}) {
        std::string payload =
            h.cfn_event("Delete", json{{"ServiceToken", token}, {"X", "PLACEHOLDER"}},
                        "ratchet:old-host:5432/app/public", token)
                .dump();
        payload.replace(payload.find("\"PLACEHOLDER\""), 13, deep);
        const auto r = h.invoke(payload);
        BOOST_TEST(r.kind == "response");
        if (token == self_arn) {
            BOOST_REQUIRE(h.cfn.wait_puts(1, seconds{5}));
            const json put = json::parse(h.cfn.puts().front().body);
            BOOST_TEST(put["Status"] == "SUCCESS");
            BOOST_TEST(put["PhysicalResourceId"] == "ratchet:old-host:5432/app/public");
        } else {
            BOOST_TEST(body_of(r)["PhysicalResourceId"] == "ratchet:old-host:5432/app/public");
        }
    }
    // The same depth on a Create is a clean failure, not a crash.
    std::string create = h.cfn_event("Create", json{{"X", "PLACEHOLDER"}}).dump();
    create.replace(create.find("\"PLACEHOLDER\""), 13, deep);
    const auto c = h.invoke(create);
    BOOST_TEST(c.kind == "error");
    BOOST_TEST(body_of(c)["errorType"] == "InvalidEvent");
    h.check_no_secrets();
}

BOOST_AUTO_TEST_CASE(a_crash_mid_invoke_is_answered_in_both_modes_and_the_runtime_carries_on) {
    harness h("v1", false);
    h.start(RATCHET_LAMBDA_BOOTSTRAP_TEST_HOOKS);
    json props = no_db_props();
    props["RatchetTestCrash"] = "abort";
    const auto aborted = h.invoke(h.cfn_event("Create", props).dump());
    BOOST_TEST(aborted.kind == "error");
    BOOST_TEST(body_of(aborted)["errorType"] == "Crashed");
    BOOST_TEST(body_of(aborted)["errorMessage"].get<std::string>().find("SIGABRT") !=
               std::string::npos);
    props["RatchetTestCrash"] = "thread-throw";
    const auto thrown = h.invoke(h.cfn_event("Update", props, "ratchet:h:5432/d/public").dump());
    BOOST_TEST(thrown.kind == "error");
    BOOST_TEST(body_of(thrown)["errorType"] == "Crashed");
    // Direct mode: the FAILED answer reaches the ResponseURL, with the id CloudFormation gave.
    props = no_db_props(self_arn);
    props["RatchetTestCrash"] = "segv";
    const auto segv =
        h.invoke(h.cfn_event("Update", props, "ratchet:h:5432/d/public", self_arn).dump());
    BOOST_TEST(segv.kind == "response");
    BOOST_REQUIRE(h.cfn.wait_puts(1, seconds{5}));
    json put = json::parse(h.cfn.puts().back().body);
    BOOST_TEST(put["Status"] == "FAILED");
    BOOST_TEST(put["PhysicalResourceId"] == "ratchet:h:5432/d/public");
    BOOST_TEST(put["Reason"].get<std::string>().find("SIGSEGV") != std::string::npos);
    // A Delete that crashes still succeeds.
    const auto del =
        h.invoke(h.cfn_event("Delete", props, "ratchet:h:5432/d/public", self_arn).dump());
    BOOST_TEST(del.kind == "response");
    BOOST_REQUIRE(h.cfn.wait_puts(2, seconds{5}));
    put = json::parse(h.cfn.puts().back().body);
    BOOST_TEST(put["Status"] == "SUCCESS");
    BOOST_TEST(put["PhysicalResourceId"] == "ratchet:h:5432/d/public");
    // The restarted runtime serves the next event normally.
    const auto next =
        h.invoke(h.cfn_event("Delete", no_db_props(), "ratchet:h:5432/d/public").dump());
    BOOST_TEST(next.kind == "response");
    BOOST_TEST(h.runtime.duplicate_posts() == 0);
    BOOST_TEST(h.everything().find("thrown on a worker thread") != std::string::npos);
    h.check_no_secrets();
}

BOOST_AUTO_TEST_CASE(runtime_api_413_becomes_an_error_and_500_ends_the_process) {
    harness h("v1", false);
    h.start();
    h.runtime.reject_posts(413, 1);
    const auto r = h.invoke(h.cfn_event("Delete", no_db_props(), "ratchet:h:5432/d/public").dump());
    BOOST_TEST(r.kind == "error");
    BOOST_TEST(body_of(r)["errorType"] == "ResponseTooLarge");
    BOOST_TEST(h.runtime.rejected_posts() == 1);
    h.runtime.reject_posts(500, 1);
    const std::string id =
        h.runtime.enqueue(h.cfn_event("Delete", no_db_props(), "ratchet:h:5432/d/public").dump());
    BOOST_TEST(h.wait_exit(seconds{10}));  // "container broken": the runtime exits
    BOOST_TEST(h.runtime.rejected_posts() == 2);
    // /next answering 500 also ends it (the fake answers 500 to a dropped poll).
    h.start();
    BOOST_REQUIRE(h.runtime.wait_next_calls(3, seconds{10}));
    h.runtime.drop_pollers();
    BOOST_TEST(h.wait_exit(seconds{10}));
}

BOOST_AUTO_TEST_CASE(a_missing_deadline_header_still_gets_an_answer) {
    harness h("v1", false);
    h.runtime.omit_deadline(true);
    h.start();
    const auto r = h.invoke(h.cfn_event("Delete", no_db_props(), "ratchet:h:5432/d/public").dump());
    BOOST_TEST(r.kind == "response");
    BOOST_TEST(h.everything().find("no Lambda-Runtime-Deadline-Ms header") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_invalid_mode_setting_is_answered_not_an_init_error) {
    harness h("v1", false);
    h.env["RATCHET_RESPONSE_MODE"] = "both";
    h.start();
    const auto c = h.invoke(h.cfn_event("Create", no_db_props(self_arn), "", self_arn).dump());
    BOOST_TEST(c.kind == "response");
    BOOST_REQUIRE(h.cfn.wait_puts(1, seconds{5}));
    const json put = json::parse(h.cfn.puts().back().body);
    BOOST_TEST(put["Status"] == "FAILED");
    BOOST_TEST(put["Reason"].get<std::string>().find("RATCHET_RESPONSE_MODE") != std::string::npos);
    BOOST_TEST(!h.runtime.init_error().has_value());
    const auto d = h.invoke(
        h.cfn_event("Delete", no_db_props(self_arn), "ratchet:h:5432/d/public", self_arn).dump());
    BOOST_TEST(d.kind == "response");
    BOOST_REQUIRE(h.cfn.wait_puts(2, seconds{5}));
    BOOST_TEST(json::parse(h.cfn.puts().back().body)["Status"] == "SUCCESS");
    // Mixed case is the same setting everywhere.
    h.env["RATCHET_RESPONSE_MODE"] = "Provider";
    h.start();
    const auto p = h.invoke(
        h.cfn_event("Delete", no_db_props(self_arn), "ratchet:h:5432/d/public", self_arn).dump());
    BOOST_TEST(p.kind == "response");
    BOOST_TEST(body_of(p)["PhysicalResourceId"] == "ratchet:h:5432/d/public");
    BOOST_TEST(h.cfn.puts().size() == 2U);  // provider: no PUT of ours
    BOOST_TEST(!h.runtime.init_error().has_value());
}

BOOST_AUTO_TEST_CASE(a_hand_made_response_url_cannot_choose_the_protocol) {
    harness h("v1", false);
    h.env["RATCHET_RESPONSE_MODE"] = "direct";
    h.start();
    const std::string marker = h.env["LAMBDA_TASK_ROOT"] + "/written-by-put";
    // gopher:// to the recorder's own port: libcurl would send it a PUT of the event's choosing.
    const std::string recorder = h.cfn.url("x");
    const std::string port =
        recorder.substr(recorder.rfind(':') + 1, recorder.find('/', 8) - recorder.rfind(':') - 1);
    const std::string smuggled =
        "gopher://127.0.0.1:" + port +
        "/_PUT%20/smuggled%20HTTP/1.0%0D%0AContent-Length:%200%0D%0A%0D%0A";
    for (const std::string& url :
         {"file://" + marker, smuggled, std::string("gopher://127.0.0.1:1/x"),
          std::string("http://192.0.2.1:1/not-loopback")}) {
        json e = h.cfn_event("Delete", no_db_props(), "ratchet:h:5432/d/public");
        e["ResponseURL"] = url;
        const auto r = h.invoke(e.dump());
        BOOST_TEST_CONTEXT(url) {
            BOOST_TEST(r.kind == "error");
            BOOST_TEST(body_of(r)["errorType"] == "ResponseDeliveryFailed");
        }
    }
    BOOST_TEST(!std::filesystem::exists(marker));
    BOOST_TEST(h.cfn.puts().empty());
    // Refused before connecting, so never retried (each retry would cost seconds of backoff).
    BOOST_TEST(h.everything().find("\"attempt\":2") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_update_applies_the_new_migrations_and_keeps_the_id) {
    if (!have_db()) return;
    harness h("v1");
    h.start();
    BOOST_TEST(h.invoke(h.cfn_event("Create", h.db_props()).dump()).kind == "response");
    h.use_fixture("v2");
    h.start();
    const auto r = h.invoke(h.cfn_event("Update", h.db_props(), expected_id(h)).dump());
    BOOST_TEST(r.kind == "response");
    BOOST_TEST(body_of(r)["PhysicalResourceId"] == expected_id(h));
    BOOST_TEST(body_of(r)["Data"]["AppliedCount"] == "1");
    BOOST_TEST(body_of(r)["Data"]["MigrationsHash"] == fixture_hash("v2"));
    BOOST_TEST(finished_count(h) == "3");
    h.check_no_secrets();
}

BOOST_AUTO_TEST_CASE(a_failed_update_keeps_the_old_id_in_both_modes) {
    if (!have_db()) return;
    harness h("v1");
    h.start();
    BOOST_TEST(h.invoke(h.cfn_event("Create", h.db_props()).dump()).kind == "response");
    h.use_fixture("failing");
    h.start();
    const std::string old_id =
        "ratchet:previous-host:5432/app/public";  // the id CloudFormation holds
    const auto p = h.invoke(h.cfn_event("Update", h.db_props(), old_id).dump());
    BOOST_TEST(p.kind == "error");
    BOOST_TEST(body_of(p)["errorType"] == "MigrationFailed");
    const auto d = h.invoke(h.cfn_event("Update", h.db_props(), old_id, self_arn).dump());
    BOOST_TEST(d.kind == "response");
    BOOST_REQUIRE(h.cfn.wait_puts(1, seconds{5}));
    const json put = json::parse(h.cfn.puts().back().body);
    BOOST_TEST(put["Status"] == "FAILED");
    BOOST_TEST(put["PhysicalResourceId"] == old_id);  // a new id would mean replacement
    BOOST_TEST(put["Reason"].get<std::string>().find("20240103000000_broken") != std::string::npos);
    h.check_no_secrets();
}

BOOST_AUTO_TEST_CASE(libcurls_signer_agrees_with_ours_and_tells_a_wrong_key) {
    using namespace ratchet::lambda;
    sigv4::request req{
        "POST", "/", {}, {}, R"({"SecretId":"arn:aws:secretsmanager:eu-west-1:1:secret:x"})"};
    req.headers = {{"Host", "secretsmanager.eu-west-1.amazonaws.com"},
                   {"Content-Type", "application/x-amz-json-1.1"},
                   {"X-Amz-Target", "secretsmanager.GetSecretValue"}};
    sigv4::settings s{test_region, "secretsmanager", std::chrono::system_clock::now()};
    const auto r =
        sigv4::sign_headers(req, {test_access_key, test_secret_key, test_session_token}, s);
    http_message m{"POST", "/", {}, req.body};
    for (const auto& [k, v] : req.headers) m.headers.emplace_back(k, v);
    BOOST_TEST(curl_signature(m, test_secret_key, "secretsmanager", test_region) == r.signature);
    BOOST_TEST(curl_signature(m, "another-key", "secretsmanager", test_region) != r.signature);
}
