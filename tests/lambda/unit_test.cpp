// Adapter units that need no server: event parsing, response-mode rule, connection strings,
// CloudFormation body limits, truncation, redaction, time budget.
#define BOOST_TEST_MODULE lambda_unit
#include "cfn/cfn_response.hpp"
#include "handler/conninfo.hpp"
#include "handler/db_config.hpp"
#include "cfn/event.hpp"
#include "cfn/outcome.hpp"
#include "aws/redact.hpp"
#include "cfn/response_mode.hpp"
#include "aws/text.hpp"
#include "runtime/time_budget.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

using namespace ratchet::lambda;
using json = nlohmann::json;

namespace {

const std::string self_arn = "arn:aws:lambda:eu-west-1:123456789012:function:migrate";

cfn_event cfn_with(const std::string& token, const std::string& url = "https://s3/x?sig") {
    cfn_event e;
    e.response_url = url;
    e.service_token = token;
    return e;
}

}  // namespace

BOOST_AUTO_TEST_CASE(parses_a_cloudformation_update) {
    const auto ev = parse_event(R"({"RequestType":"Update","ResponseURL":"https://x","StackId":"s","RequestId":"r",
        "LogicalResourceId":"L","PhysicalResourceId":"ratchet:h:5432/d/public","ServiceToken":"arn:t",
        "ResourceProperties":{"ServiceToken":"arn:t","DatabasePort":5432,"IamAuth":true,"MigrationsHash":"abc"},
        "OldResourceProperties":{"MigrationsHash":"old"}})");
    const auto& e = std::get<cfn_event>(ev);
    BOOST_TEST((e.type == request_type::update));
    BOOST_TEST(e.physical_resource_id == "ratchet:h:5432/d/public");
    BOOST_TEST(e.props.at("DatabasePort") == "5432");
    BOOST_TEST(prop_bool(e.props, "IamAuth"));
    BOOST_TEST(e.old_props.at("MigrationsHash") == "old");
}

BOOST_AUTO_TEST_CASE(rejects_malformed_and_empty_events_without_echoing_them) {
    BOOST_CHECK_THROW((void)parse_event(""), bad_event);
    BOOST_CHECK_THROW((void)parse_event("   "), bad_event);
    BOOST_CHECK_THROW((void)parse_event("{not json"), bad_event);
    BOOST_CHECK_THROW((void)parse_event("[1,2]"), bad_event);
    BOOST_CHECK_THROW((void)parse_event(R"({"RequestType":"Explode"})"), bad_event);
    BOOST_CHECK_THROW((void)parse_event(R"({"RequestType":"Delete"})"), bad_event);  // no PhysicalResourceId
    BOOST_CHECK_THROW((void)parse_event(R"({"command":"drop everything"})"), bad_event);
    try {
        (void)parse_event(R"({"password":"hunter2-secret")");
    } catch (const bad_event& e) {
        BOOST_TEST(std::string(e.what()).find("hunter2") == std::string::npos);
    }
    BOOST_TEST(std::get<command_event>(parse_event(R"({"command":"plan"})")).command == "plan");
}

BOOST_AUTO_TEST_CASE(auto_mode_answers_directly_only_when_the_service_token_is_this_function) {
    BOOST_TEST((choose_response_mode("", cfn_with(self_arn), self_arn + ":live") == response_mode::direct));
    BOOST_TEST((choose_response_mode("auto", cfn_with(self_arn + ":3"), self_arn) == response_mode::direct));
    // Behind the CDK Provider the ServiceToken is the framework's onEvent function.
    const std::string framework = "arn:aws:lambda:eu-west-1:123456789012:function:Stack-ProviderframeworkonEvent-AbC";
    BOOST_TEST((choose_response_mode("auto", cfn_with(framework), self_arn) == response_mode::provider));
    BOOST_TEST((choose_response_mode("auto", cfn_with(self_arn, ""), self_arn) == response_mode::provider));
    BOOST_TEST((choose_response_mode("auto", cfn_with(""), self_arn) == response_mode::provider));
    BOOST_TEST((choose_response_mode("provider", cfn_with(self_arn), self_arn) == response_mode::provider));
    BOOST_TEST((choose_response_mode("direct", cfn_with(framework), self_arn) == response_mode::direct));
    BOOST_CHECK_THROW((void)choose_response_mode("both", cfn_with(self_arn), self_arn), bad_event);
    BOOST_TEST(function_name_of("migrate") == "migrate");
}

BOOST_AUTO_TEST_CASE(conninfo_values_are_quoted) {
    BOOST_TEST(quote_conninfo_value("it's a \\ test") == "'it\\'s a \\\\ test'");
    BOOST_TEST(build_conninfo({{"host", "h"}, {"password", "p w'"}, {"sslrootcert", ""}}) == "host='h' password='p w\\''");
}

BOOST_AUTO_TEST_CASE(targets_are_read_from_urls_and_keyword_strings_without_the_password) {
    const auto t = parse_target("postgresql://app:p%40ss:word@db.example.com:6432/app%2Fdb?schema=tenant&sslmode=require");
    BOOST_TEST(t.host == "db.example.com");
    BOOST_TEST(t.port == "6432");
    BOOST_TEST(t.dbname == "app/db");
    BOOST_TEST(t.schema == "tenant");
    const auto k = parse_target("host='db x' port=5433 dbname=app password='se cret'");
    BOOST_TEST(k.host == "db x");
    BOOST_TEST(k.port == "5433");
    BOOST_TEST(k.dbname == "app");
    BOOST_TEST(parse_target("postgresql://[::1]:5432/db").host == "::1");
    BOOST_TEST(make_physical_id("h", "5432", "d", "public") == "ratchet:h:5432/d/public");
}

BOOST_AUTO_TEST_CASE(tls_defaults_to_verify_full_off_loopback) {
    ::unsetenv("RATCHET_SSLMODE");
    ::unsetenv("RATCHET_SSLROOTCERT");
    BOOST_TEST(tls_for_host("127.0.0.1").first == "prefer");
    BOOST_TEST(tls_for_host("db.abc.eu-west-1.rds.amazonaws.com").first == "verify-full");
    ::setenv("RATCHET_SSLMODE", "require", 1);
    BOOST_TEST(tls_for_host("db.abc.eu-west-1.rds.amazonaws.com").first == "require");
    ::unsetenv("RATCHET_SSLMODE");
}

BOOST_AUTO_TEST_CASE(cfn_body_never_exceeds_4096_bytes) {
    cfn_event e;
    e.stack_id = "arn:aws:cloudformation:eu-west-1:123456789012:stack/s/" + std::string(100, 'x');
    e.request_id = "r";
    e.logical_resource_id = "L";
    const outcome o = failure("ratchet:h:5432/d/public", "MigrationFailed", std::string(20'000, '"'),
                              {"code: P3018", "sqlstate: 42701"});
    BOOST_TEST(o.reason.size() <= max_reason_bytes);
    const std::string body = cfn_response_body(e, o);
    BOOST_TEST(body.size() <= max_cfn_body_bytes);
    const auto j = json::parse(body);
    BOOST_TEST(j["Status"] == "FAILED");
    BOOST_TEST(j["PhysicalResourceId"] == "ratchet:h:5432/d/public");
}

BOOST_AUTO_TEST_CASE(truncation_keeps_utf8_whole) {
    const std::string s = "ab\xC3\xA9\xC3\xA9\xC3\xA9";
    const std::string t = truncate_utf8(s, 5, "");
    BOOST_TEST(t == "ab\xC3\xA9");
    BOOST_TEST(truncate_utf8("short", 100) == "short");
    BOOST_TEST(truncate_utf8(std::string(100, 'x'), 20).size() <= 20U);
}

BOOST_AUTO_TEST_CASE(registered_secrets_are_redacted_also_percent_encoded) {
    register_secret("p@ss word/1");
    BOOST_TEST(redact("a p@ss word/1 b p%40ss%20word%2F1 c") == "a *** b *** c");
    clear_invoke_secrets();
    BOOST_TEST(redact("p@ss word/1") == "p@ss word/1");
}

BOOST_AUTO_TEST_CASE(soft_deadline_keeps_a_safety_margin) {
    const auto now = clock::now();
    const auto b = make_budget(now + std::chrono::seconds{10}, now);
    BOOST_TEST((*b.soft == now + std::chrono::seconds{7}));
    BOOST_TEST((*b.watchdog > *b.soft));
    BOOST_TEST((*b.watchdog < *b.hard));
    const auto big = make_budget(now + std::chrono::seconds{800}, now);
    BOOST_TEST((*big.soft == now + std::chrono::seconds{760}));
    BOOST_TEST(!make_budget(std::nullopt, now).soft.has_value());
}
