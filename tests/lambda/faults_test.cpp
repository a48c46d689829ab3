// The bootstrap as a process against faults: a handler stuck in connect, in a statement or in
// Secrets Manager (the watchdog's and the engine's deadlines), a ResponseURL that fails for good
// or hangs, a Runtime API that refuses, credentials from every source, and verify-full TLS.
// Loopback fakes (tests/lambda/support) and a real PostgreSQL (RATCHET_TEST_ADMIN_URL).
#define BOOST_TEST_MODULE lambda_faults
#include "aws/text.hpp"
#include "harness.hpp"
#include "support/net.hpp"
#include "support/pg.hpp"
#include "tcp_fakes.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <thread>

using namespace ratchet::lambda::test;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

const std::string self_arn = test_function_arn;
const std::string framework_arn =
    "arn:aws:lambda:eu-west-1:123456789012:function:Stack-ProviderframeworkonEvent-1X";
/// The id CloudFormation holds for the resource; a failed Update must answer with it.
const std::string old_id = "ratchet:previous-host:5432/app/public";

bool have_db() {
    return ratchet_test::admin_url_or_skip().has_value();
}

json body_of(const fake_runtime_api::result& r) {
    return json::parse(r.body);
}

std::string token_for(bool direct) {
    return direct ? self_arn : framework_arn;
}

const char* mode_name(bool direct) {
    return direct ? "direct" : "provider";
}

/// A FAILED answer that arrived before Lambda's deadline, with the old id (direct mode: the
/// PUT's PhysicalResourceId; provider mode: the framework keeps the id of a failed Update by
/// itself). Returns the error type (provider mode; direct mode's PUT has none: "") and the
/// reason.
std::pair<std::string, std::string> failed_in_time(harness& h, bool direct,
                                                   const fake_runtime_api::result& r,
                                                   std::chrono::system_clock::time_point sent,
                                                   milliseconds timeout) {
    BOOST_TEST((r.at < sent + timeout), "answered after the deadline");
    if (!direct) {
        BOOST_TEST(r.kind == "error");
        const json b = body_of(r);
        return {b.value("errorType", ""), b.value("errorMessage", "")};
    }
    BOOST_TEST(r.kind == "response");
    BOOST_REQUIRE(h.cfn.wait_puts(1, seconds{2}));
    const json put = json::parse(h.cfn.puts().back().body);
    BOOST_TEST(put["Status"] == "FAILED");
    BOOST_TEST(put["PhysicalResourceId"] == old_id);
    return {"", put.value("Reason", "")};
}

/// A keyword-string value, quoted as libpq reads it.
std::string kw_quote(const std::string& v) {
    std::string out = "'";
    for (const char c : v) {
        if (c == '\'' || c == '\\') out += '\\';
        out += c;
    }
    return out + "'";
}

std::optional<std::string> tls_file(const char* var) {
    if (const char* v = std::getenv(var); v != nullptr && *v != '\0') return std::string{v};
    if (ratchet_test::in_ci())
        BOOST_FAIL(std::string{var} +
                   " is not set: scripts/pg-cluster.sh enables TLS when openssl is installed");
    BOOST_TEST_MESSAGE("skipped: " << var << " is not set");
    return std::nullopt;
}

}  // namespace

// ---- 1. the handler stuck: connect, statement, Secrets Manager ----

BOOST_AUTO_TEST_CASE(a_connect_that_never_completes_is_answered_in_time_in_both_modes) {
    harness h("v1", false);
    silent_listener database;  // accepts, never says a byte (a stuck load balancer, a SYN proxy)
    h.secrets.put("db-secret", json{{"username", "app"}, {"password", "pw-Stuck-c0nnect"}}.dump());
    h.start();
    const json props{{"ServiceToken", framework_arn},
                     {"DatabaseHost", "127.0.0.1"},
                     {"DatabasePort", std::to_string(database.port())},
                     {"DatabaseName", "app"},
                     {"SecretArn", "db-secret"},
                     {"MigrationsHash", fixture_hash("v1")}};
    const auto timeout = seconds{9};
    for (const bool direct : {false, true}) {
        BOOST_TEST_CONTEXT(mode_name(direct)) {
            if (!h.running()) h.start();
            const auto sent = std::chrono::system_clock::now();
            const auto r = h.invoke(h.cfn_event("Update", props, old_id, token_for(direct)).dump(),
                                    timeout, seconds{30});
            const auto [type, reason] = failed_in_time(h, direct, r, sent, timeout);
            BOOST_TEST_MESSAGE(mode_name(direct) << ": " << reason);
            BOOST_TEST((direct || type == "ConnectionFailed" || type == "DeadlineExceeded"), type);
            BOOST_TEST((reason.find("connect") != std::string::npos ||
                        reason.find("Lambda time limit") != std::string::npos),
                       reason);
        }
    }
    BOOST_TEST(database.accepted() >= 2);
    h.check_no_secrets();
    BOOST_TEST(h.everything().find("pw-Stuck-c0nnect") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_statement_behind_a_lock_is_cancelled_in_time_in_both_modes) {
    if (!have_db()) return;
    harness h("v1");
    h.start();
    BOOST_REQUIRE(h.invoke(h.cfn_event("Create", h.db_props()).dump()).kind == "response");
    h.use_fixture("locked");  // ALTER TABLE "User": waits for the lock the test holds
    h.start();
    ratchet_test::session holder{h.db->url()};
    holder.exec("BEGIN; LOCK TABLE \"User\" IN ACCESS SHARE MODE");
    const auto timeout = seconds{9};
    for (const bool direct : {false, true}) {
        BOOST_TEST_CONTEXT(mode_name(direct)) {
            if (!h.running()) h.start();
            json props = h.db_props();
            props["ServiceToken"] = token_for(direct);
            const auto sent = std::chrono::system_clock::now();
            const auto r = h.invoke(h.cfn_event("Update", props, old_id, token_for(direct)).dump(),
                                    timeout, seconds{30});
            const auto [type, reason] = failed_in_time(h, direct, r, sent, timeout);
            BOOST_TEST_MESSAGE(mode_name(direct) << ": " << reason);
            BOOST_TEST((direct || type == "DeadlineExceeded" || type == "MigrationFailed"), type);
            BOOST_TEST(reason.find("20240103000000_alter_user") != std::string::npos, reason);
        }
    }
    holder.exec("ROLLBACK");
    BOOST_TEST(h.db->scalar("SELECT count(*) FROM _prisma_migrations WHERE migration_name = "
                            "'20240103000000_alter_user' AND finished_at IS NOT NULL")
                   .value_or("") == "0");
    h.check_no_secrets();
}

// A network partition mid-statement: the engine's cancel request cannot reach the server
// either (libpq's PQcancel has no timeout), so only the watchdog can answer.
BOOST_AUTO_TEST_CASE(the_watchdog_answers_when_the_network_freezes_mid_statement_in_both_modes) {
    if (!have_db()) return;
    harness h("slow");  // the third migration runs pg_sleep(30)
    const auto timeout = seconds{12};
    for (const bool direct : {false, true}) {
        BOOST_TEST_CONTEXT(mode_name(direct)) {
            tcp_proxy proxy(std::stoi(h.db->port()));
            h.start();
            json props = h.db_props();
            props["ServiceToken"] = token_for(direct);
            props["DatabaseHost"] = "127.0.0.1";
            props["DatabasePort"] = std::to_string(proxy.port());
            const std::string id = h.runtime.enqueue(
                h.cfn_event("Update", props, old_id, token_for(direct)).dump(), timeout);
            const auto sent = std::chrono::system_clock::now();
            // Freeze once the slow statement runs on the server.
            bool sleeping = false;
            for (int i = 0; i < 400 && !sleeping; ++i) {
                sleeping = h.db->scalar(
                                   "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                                   "current_database() AND query LIKE '%pg_sleep(30)%' "
                                   "AND pid <> pg_backend_pid()")
                               .value_or("0") != "0";
                if (!sleeping) std::this_thread::sleep_for(milliseconds{20});
            }
            BOOST_REQUIRE_MESSAGE(sleeping, "the slow migration never started");
            proxy.freeze();
            const auto r = h.runtime.wait_result(id, seconds{30});
            BOOST_REQUIRE_MESSAGE(r.has_value(), "no answer: " << h.everything());
            const auto [type, reason] = failed_in_time(h, direct, *r, sent, timeout);
            BOOST_TEST_MESSAGE(mode_name(direct) << ": " << reason);
            BOOST_TEST((direct || type == "DeadlineExceeded"), type);
            BOOST_TEST(reason.find("Lambda time limit") != std::string::npos, reason);
            BOOST_TEST(h.everything().find("watchdog: the Lambda deadline is near") !=
                       std::string::npos);
            BOOST_TEST(h.wait_exit(seconds{5}));  // the watchdog ends the stuck process
            h.check_no_secrets();
            h.stop();
            // The orphaned session still sleeps in its transaction: end it for the next round.
            h.db->exec(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
                "current_database() AND pid <> pg_backend_pid()");
        }
    }
    BOOST_TEST(
        h.db->scalar("SELECT count(*) FROM pg_tables WHERE tablename = 'Partial'").value_or("") ==
        "0");
}

BOOST_AUTO_TEST_CASE(a_secrets_manager_that_never_answers_is_answered_in_time_in_both_modes) {
    harness h("v1", false);
    silent_listener endpoint;
    h.env["AWS_ENDPOINT_URL_SECRETS_MANAGER"] =
        "http://127.0.0.1:" + std::to_string(endpoint.port());
    h.start();
    const json props{{"ServiceToken", framework_arn},
                     {"DatabaseHost", "127.0.0.1"},
                     {"SecretArn", "db-secret"},
                     {"MigrationsHash", fixture_hash("v1")}};
    const auto timeout = seconds{9};
    for (const bool direct : {false, true}) {
        BOOST_TEST_CONTEXT(mode_name(direct)) {
            if (!h.running()) h.start();
            const auto sent = std::chrono::system_clock::now();
            const auto r = h.invoke(h.cfn_event("Update", props, old_id, token_for(direct)).dump(),
                                    timeout, seconds{30});
            const auto [type, reason] = failed_in_time(h, direct, r, sent, timeout);
            BOOST_TEST_MESSAGE(mode_name(direct) << ": " << reason);
            BOOST_TEST((direct || type == "SecretError" || type == "DeadlineExceeded"), type);
            BOOST_TEST((reason.find("secret db-secret") != std::string::npos ||
                        reason.find("Lambda time limit") != std::string::npos),
                       reason);
        }
    }
    BOOST_TEST(endpoint.accepted() >= 2);
    h.check_no_secrets();
}

// ---- 2. a ResponseURL that fails for good or hangs ----

namespace {

/// Direct-mode Delete (no database: only the answer is tested) with the given ResponseURL.
fake_runtime_api::result delete_with_url(harness& h, const std::string& url, milliseconds timeout,
                                         std::chrono::system_clock::time_point& sent) {
    json e = h.cfn_event("Delete", json{{"ServiceToken", self_arn}}, old_id, self_arn);
    if (!url.empty()) e["ResponseURL"] = url;
    sent = std::chrono::system_clock::now();
    return h.invoke(e.dump(), timeout, seconds{30});
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_response_url_that_fails_for_good_is_retried_boundedly_then_reported) {
    harness h("v1", false);
    h.start();
    const auto timeout = seconds{6};
    std::chrono::system_clock::time_point sent;
    // 500 on every attempt.
    h.cfn.fail_next(1'000);
    const auto r = delete_with_url(h, "", timeout, sent);
    BOOST_TEST((r.at < sent + timeout));
    BOOST_TEST(r.kind == "error");
    BOOST_TEST(body_of(r)["errorType"] == "ResponseDeliveryFailed");
    BOOST_TEST_MESSAGE("attempts on 500: " << h.cfn.attempts());
    BOOST_TEST(h.cfn.attempts() >= 2);  // retried ...
    BOOST_TEST(h.cfn.attempts() <= 5);  // ... boundedly
    BOOST_TEST(h.cfn.puts().empty());
    // Connection refused: the same, and the runtime carries on.
    const std::string refused =
        "http://127.0.0.1:" + std::to_string(ratchet_test::closed_loopback_port()) +
        "/cloudformation-custom-resource-response-euwest1/gone?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        "&X-Amz-Signature=deadbeefSIGNEDurlSECRETrefused";
    const auto c = delete_with_url(h, refused, timeout, sent);
    BOOST_TEST((c.at < sent + timeout));
    BOOST_TEST(c.kind == "error");
    BOOST_TEST(body_of(c)["errorType"] == "ResponseDeliveryFailed");
    BOOST_TEST(h.running());
    h.check_no_secrets();
}

BOOST_AUTO_TEST_CASE(a_response_url_that_s3_refuses_is_not_retried) {
    harness h("v1", false);
    h.start();
    std::chrono::system_clock::time_point sent;
    // 403: the pre-signed URL expired or its signature is wrong; waiting will not change that.
    h.cfn.fail_next(1'000, 403);
    const auto r = delete_with_url(h, "", seconds{6}, sent);
    BOOST_TEST(r.kind == "error");
    BOOST_TEST(body_of(r)["errorType"] == "ResponseDeliveryFailed");
    BOOST_TEST(h.cfn.attempts() == 1);
    h.check_no_secrets();
}

BOOST_AUTO_TEST_CASE(a_hanging_response_url_is_given_up_before_the_deadline) {
    harness h("v1", false);
    h.cfn.hang_puts(seconds{60});
    h.start();
    const auto timeout = seconds{6};
    std::chrono::system_clock::time_point sent;
    const auto r = delete_with_url(h, "", timeout, sent);
    BOOST_TEST((r.at < sent + timeout));
    BOOST_TEST(r.kind == "error");
    BOOST_TEST(body_of(r)["errorType"] == "ResponseDeliveryFailed");
    BOOST_TEST(h.cfn.attempts() >= 1);
    BOOST_TEST(h.running());
    h.check_no_secrets();
}

// ---- 3. the Runtime API refusing ----

BOOST_AUTO_TEST_CASE(runtime_api_403_on_a_response_is_logged_and_the_runtime_carries_on) {
    harness h("v1", false);
    h.start();
    h.runtime.reject_posts(403, 1);
    const std::string first = h.runtime.enqueue(
        h.cfn_event("Delete", json{{"ServiceToken", framework_arn}}, old_id).dump());
    // The rejected answer is not recorded; the runtime polls for the next event.
    BOOST_REQUIRE(h.runtime.wait_next_calls(2, seconds{10}));
    BOOST_TEST(h.runtime.rejected_posts() == 1);
    BOOST_TEST(!h.runtime.wait_result(first, milliseconds{200}).has_value());
    const auto r =
        h.invoke(h.cfn_event("Delete", json{{"ServiceToken", framework_arn}}, old_id).dump());
    BOOST_TEST(r.kind == "response");
    BOOST_TEST(body_of(r)["PhysicalResourceId"] == old_id);
    BOOST_TEST(h.everything().find("the Runtime API refused the answer") != std::string::npos);
    BOOST_TEST(h.runtime.duplicate_posts() == 0);  // no second post for the refused id
}

BOOST_AUTO_TEST_CASE(runtime_api_403_on_next_is_retried_and_three_in_a_row_end_the_process) {
    harness h("v1", false);
    // Three refusals in a row: the runtime exits (Lambda restarts the environment).
    h.runtime.reject_next(403, 3);
    h.start();
    BOOST_TEST(h.wait_exit(seconds{10}));
    BOOST_TEST(h.runtime.rejected_next() == 3);
    // One refusal: retried, and the event is served.
    h.runtime.reject_next(403, 1);
    h.start();
    const auto r =
        h.invoke(h.cfn_event("Delete", json{{"ServiceToken", framework_arn}}, old_id).dump());
    BOOST_TEST(r.kind == "response");
    BOOST_TEST(h.runtime.rejected_next() == 4);
    BOOST_TEST(h.everything().find("Runtime API /next failed: ") != std::string::npos);
    BOOST_TEST(h.running());
}

// ---- 4. credentials: precedence and sources ----

BOOST_AUTO_TEST_CASE(a_rotation_style_secret_supplies_host_port_and_database) {
    if (!have_db()) return;
    harness h("v1");
    h.secrets.put("rotation", json{{"engine", "postgres"},
                                   {"host", h.db->host()},
                                   {"port", std::stoi(h.db->port())},  // a number, as RDS writes it
                                   {"dbname", h.db->name()},
                                   {"username", h.db->user()},
                                   {"password", h.db->password()}}
                                  .dump());
    h.start();
    const json props{{"ServiceToken", framework_arn},
                     {"SecretArn", "rotation"},
                     {"MigrationsHash", fixture_hash("v1")}};
    const auto r = h.invoke(h.cfn_event("Create", props).dump());
    BOOST_TEST(r.kind == "response", r.body);
    BOOST_TEST(body_of(r)["Data"]["AppliedCount"] == "2");
    BOOST_TEST(h.db->scalar("SELECT count(*) FROM _prisma_migrations WHERE finished_at IS NOT NULL")
                   .value_or("") == "2");
    h.check_no_secrets();
}

BOOST_AUTO_TEST_CASE(database_url_wins_over_a_secret_also_in_keyword_form) {
    if (!have_db()) return;
    harness h("v1");
    h.secrets.deny("db-secret");  // would fail if it were read
    const std::string expected =
        "ratchet:" + h.db->host() + ":" + h.db->port() + "/" + h.db->name() + "/public";
    for (const std::string& url :
         {h.db->owner_url(),
          "host=" + h.db->host() + " port=" + h.db->port() + " dbname=" + kw_quote(h.db->name()) +
              " user=" + kw_quote(h.db->user()) + " password=" + kw_quote(h.db->password())}) {
        BOOST_TEST_CONTEXT(url.substr(0, 12)) {
            h.env["DATABASE_URL"] = url;
            h.start();
            const auto r = h.invoke(h.cfn_event("Create", h.db_props()).dump());
            BOOST_TEST(r.kind == "response", r.body);
            BOOST_TEST(body_of(r)["PhysicalResourceId"] == expected);
        }
    }
    BOOST_TEST(h.secrets.calls() == 0);
    BOOST_TEST(h.db->scalar("SELECT count(*) FROM _prisma_migrations WHERE finished_at IS NOT NULL")
                   .value_or("") == "2");
    h.check_no_secrets();
}

BOOST_AUTO_TEST_CASE(binary_and_non_json_secrets_fail_naming_the_secret_never_its_value) {
    harness h("v1", false);
    const std::string binary_value = "eyJwYXNzd29yZCI6ICJCaW5hcnlTM2NyZXQifQ==";
    const std::string plain_value = "Plain-Text-Passw0rd-value";
    h.secrets.put_binary("prod/db-binary", binary_value);
    h.secrets.put("prod/db-plain", plain_value);
    h.start();
    for (const std::string& arn : {std::string("prod/db-binary"), std::string("prod/db-plain")}) {
        BOOST_TEST_CONTEXT(arn) {
            const json props{{"ServiceToken", framework_arn},
                             {"DatabaseHost", "127.0.0.1"},
                             {"SecretArn", arn},
                             {"MigrationsHash", fixture_hash("v1")}};
            const auto r = h.invoke(h.cfn_event("Create", props).dump());
            BOOST_TEST(r.kind == "error");
            BOOST_TEST(body_of(r)["errorType"] == "SecretError");
            const std::string msg = body_of(r)["errorMessage"];
            BOOST_TEST_MESSAGE(msg);
            if (arn == "prod/db-binary") {
                BOOST_TEST(msg.find("SecretBinary") != std::string::npos, msg);
                BOOST_TEST(msg.find("secret prod/db-binary") != std::string::npos, msg);
            } else {
                BOOST_TEST(msg.find("not a JSON object") != std::string::npos, msg);
                BOOST_TEST(msg.find("secret prod/db-plain") != std::string::npos, msg);
            }
        }
    }
    const std::string all = h.everything();
    BOOST_TEST(all.find(binary_value) == std::string::npos);
    BOOST_TEST(all.find(plain_value) == std::string::npos);
    h.check_no_secrets();
}

BOOST_AUTO_TEST_CASE(secrets_manager_throttling_and_5xx_are_retried_to_success) {
    if (!have_db()) return;
    harness h("v1");
    h.start();
    h.secrets.fail_next(2, 400, "ThrottlingException");
    const auto t = h.invoke(h.cfn_event("Create", h.db_props()).dump());
    BOOST_TEST(t.kind == "response", t.body);
    BOOST_TEST(h.secrets.calls() == 3);
    h.secrets.fail_next(1, 500, "InternalServiceError");
    const auto s = h.invoke(h.cfn_event("Create", h.db_props()).dump());
    BOOST_TEST(s.kind == "response", s.body);
    BOOST_TEST(h.secrets.calls() == 5);
    BOOST_TEST(h.secrets.bad_signatures() == 0);  // every retry signed afresh and valid
    // Not retried: a final error.
    h.secrets.fail_next(1, 400, "ResourceNotFoundException");
    const auto f = h.invoke(h.cfn_event("Create", h.db_props()).dump());
    BOOST_TEST(f.kind == "error");
    BOOST_TEST(h.secrets.calls() == 6);
    const std::string msg = body_of(f)["errorMessage"];
    BOOST_TEST(msg.find("secret db-secret") != std::string::npos, msg);
    h.check_no_secrets();
}

// ---- 5. verify-full against the cluster's TLS ----

BOOST_AUTO_TEST_CASE(verify_full_with_the_right_ca_connects_and_with_a_wrong_ca_fails) {
    if (!have_db()) return;
    const auto ca = tls_file("RATCHET_TEST_TLS_CA");
    const auto other = tls_file("RATCHET_TEST_TLS_OTHER_CA");
    if (!ca || !other) return;
    harness h("v1");
    h.env["RATCHET_SSLMODE"] = "verify-full";
    json props = h.db_props();
    props["DatabaseHost"] = "127.0.0.1";  // the server certificate's name
    h.env["RATCHET_SSLROOTCERT"] = *other;
    h.start();
    const auto wrong = h.invoke(h.cfn_event("Create", props).dump());
    BOOST_TEST(wrong.kind == "error");
    BOOST_TEST(body_of(wrong)["errorType"] == "ConnectionFailed", wrong.body);
    const std::string msg = body_of(wrong)["errorMessage"];
    BOOST_TEST(msg.find("certificate") != std::string::npos, msg);
    BOOST_TEST(h.db->scalar("SELECT count(*) FROM pg_tables WHERE tablename = '_prisma_migrations'")
                   .value_or("") == "0");
    h.env["RATCHET_SSLROOTCERT"] = *ca;
    h.start();
    const auto right = h.invoke(h.cfn_event("Create", props).dump());
    BOOST_TEST(right.kind == "response", right.body);
    BOOST_TEST(body_of(right)["Data"]["AppliedCount"] == "2");
    h.check_no_secrets();
}
