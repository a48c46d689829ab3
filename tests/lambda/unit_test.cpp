// Adapter units that need no server: event parsing, response-mode rule, connection strings,
// CloudFormation body limits, truncation, redaction, time budget.
#define BOOST_TEST_MODULE lambda_unit
#include "aws/redact.hpp"
#include "aws/text.hpp"
#include "cfn/cfn_response.hpp"
#include "cfn/event.hpp"
#include "cfn/outcome.hpp"
#include "cfn/response_mode.hpp"
#include "handler/conninfo.hpp"
#include "handler/db_config.hpp"
#include "runtime/log.hpp"
#include "runtime/time_budget.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include <unistd.h>
#include <cstdio>
#include <cstdlib>

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
    const auto ev = parse_event(
        R"({"RequestType":"Update","ResponseURL":"https://x","StackId":"s","RequestId":"r",
        "LogicalResourceId":"L","PhysicalResourceId":"ratchet:h:5432/d/public","ServiceToken":"arn:t",
        "ResourceProperties":{"ServiceToken":"arn:t","DatabasePort":5432,"IamAuth":true,"MigrationsHash":"abc"},
        "OldResourceProperties":{"MigrationsHash":"old"}})");
    const auto& e = std::get<cfn_event>(ev);
    BOOST_TEST((e.type == request_type::update));
    BOOST_TEST(e.physical_resource_id == "ratchet:h:5432/d/public");
    BOOST_TEST(e.props.at("DatabasePort") == "5432");
    BOOST_TEST(prop_bool(e.props, "IamAuth"));
    BOOST_TEST(e.old_props.at("MigrationsHash") == "old");
    // Read once into types.
    BOOST_TEST(e.resource.iam_auth);
    BOOST_TEST(e.resource.database_port == "5432");
    BOOST_TEST(e.resource.migrations_hash.value_or("") == "abc");
    BOOST_TEST(!e.resource.schema.has_value());
    BOOST_CHECK_THROW((void)read_properties({{"IamAuth", "maybe"}}), bad_event);
}

BOOST_AUTO_TEST_CASE(rejects_malformed_and_empty_events_without_echoing_them) {
    BOOST_CHECK_THROW((void)parse_event(""), bad_event);
    BOOST_CHECK_THROW((void)parse_event("   "), bad_event);
    BOOST_CHECK_THROW((void)parse_event("{not json"), bad_event);
    BOOST_CHECK_THROW((void)parse_event("[1,2]"), bad_event);
    BOOST_CHECK_THROW((void)parse_event(R"({"RequestType":"Explode"})"), bad_event);
    BOOST_CHECK_THROW((void)parse_event(R"({"RequestType":"Delete"})"),
                      bad_event);  // no PhysicalResourceId
    BOOST_CHECK_THROW((void)parse_event(R"({"command":"drop everything"})"), bad_event);
    try {
        (void)parse_event(R"({"password":"hunter2-secret")");
    } catch (const bad_event& e) {
        BOOST_TEST(std::string(e.what()).find("hunter2") == std::string::npos);
    }
    BOOST_TEST(std::get<command_event>(parse_event(R"({"command":"plan"})")).command == "plan");
}

BOOST_AUTO_TEST_CASE(auto_mode_answers_directly_only_when_the_service_token_is_this_function) {
    BOOST_TEST((choose_response_mode("", cfn_with(self_arn), self_arn + ":live") ==
                response_mode::direct));
    BOOST_TEST((choose_response_mode("auto", cfn_with(self_arn + ":3"), self_arn) ==
                response_mode::direct));
    // Behind the CDK Provider the ServiceToken is the framework's onEvent function.
    const std::string framework =
        "arn:aws:lambda:eu-west-1:123456789012:function:Stack-ProviderframeworkonEvent-AbC";
    BOOST_TEST(
        (choose_response_mode("auto", cfn_with(framework), self_arn) == response_mode::provider));
    BOOST_TEST((choose_response_mode("auto", cfn_with(self_arn, ""), self_arn) ==
                response_mode::provider));
    BOOST_TEST((choose_response_mode("auto", cfn_with(""), self_arn) == response_mode::provider));
    BOOST_TEST((choose_response_mode("provider", cfn_with(self_arn), self_arn) ==
                response_mode::provider));
    BOOST_TEST(
        (choose_response_mode("direct", cfn_with(framework), self_arn) == response_mode::direct));
    BOOST_CHECK_THROW((void)choose_response_mode("both", cfn_with(self_arn), self_arn), bad_event);
    BOOST_TEST(function_name_of("migrate") == "migrate");
}

BOOST_AUTO_TEST_CASE(auto_mode_compares_account_and_region_too) {
    // Same function name in another account or region: someone else's function answers.
    BOOST_TEST((choose_response_mode(
                    "auto", cfn_with("arn:aws:lambda:eu-west-1:999999999999:function:migrate"),
                    self_arn) == response_mode::provider));
    BOOST_TEST((choose_response_mode(
                    "auto", cfn_with("arn:aws:lambda:us-east-1:123456789012:function:migrate"),
                    self_arn) == response_mode::provider));
    BOOST_TEST((choose_response_mode(
                    "auto", cfn_with("arn:aws-cn:lambda:eu-west-1:123456789012:function:migrate"),
                    self_arn) == response_mode::provider));
    BOOST_TEST(
        (choose_response_mode("auto", cfn_with("migrate"), self_arn) == response_mode::provider));
    BOOST_TEST((choose_response_mode("auto", cfn_with(self_arn + ":live"), self_arn) ==
                response_mode::direct));
}

BOOST_AUTO_TEST_CASE(the_mode_setting_is_read_the_same_way_everywhere) {
    for (const std::string text : {"Provider", "PROVIDER", " provider "}) {
        BOOST_TEST_CONTEXT(text) {
            BOOST_TEST((parse_response_setting(text) == response_setting::provider));
            BOOST_TEST((choose_response_mode(text, cfn_with(self_arn), self_arn) ==
                        response_mode::provider));
        }
    }
    BOOST_TEST((parse_response_setting("Direct") == response_setting::direct));
    BOOST_TEST((parse_response_setting("") == response_setting::automatic));
    BOOST_TEST(!parse_response_setting("both").has_value());
}

BOOST_AUTO_TEST_CASE(conninfo_values_are_quoted) {
    BOOST_TEST(quote_conninfo_value("it's a \\ test") == "'it\\'s a \\\\ test'");
    BOOST_TEST(build_conninfo({{"host", "h"}, {"password", "p w'"}, {"sslrootcert", ""}}) ==
               "host='h' password='p w\\''");
}

BOOST_AUTO_TEST_CASE(physical_ids_come_from_properties_or_the_url_never_a_secret) {
    ::unsetenv("DATABASE_HOST");
    ::unsetenv("DATABASE_URL");
    BOOST_TEST(physical_id_of(
                   read_properties({{"DatabaseHost", "db.example"}, {"DatabaseName", "app"}})) ==
               "ratchet:db.example:5432/app/public");
    ::setenv("DATABASE_URL", "postgresql://u:p%40ss@db.example:6432/app?schema=tenant", 1);
    const std::string id = physical_id_of({});
    BOOST_TEST(id == "ratchet:db.example:6432/app/tenant");
    BOOST_TEST(id.find("p@ss") == std::string::npos);
    ::unsetenv("DATABASE_URL");
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

BOOST_AUTO_TEST_CASE(only_loopback_addresses_are_loopback_not_names_that_look_like_them) {
    ::unsetenv("RATCHET_SSLMODE");
    for (const std::string host :
         {"127.0.0.1", "127.1.2.3", "::1", "localhost", "/var/run/postgresql"}) {
        BOOST_TEST_CONTEXT(host) {
            BOOST_TEST(is_loopback_host(host));
        }
    }
    for (const std::string host : {"127.attacker.example", "127.0.0.1.nip.io", "127.example.com",
                                   "::2", "10.0.0.1", "localhost.example.com"}) {
        BOOST_TEST_CONTEXT(host) {
            BOOST_TEST(!is_loopback_host(host));
            BOOST_TEST(tls_for_host(host).first == "verify-full");
        }
    }
}

BOOST_AUTO_TEST_CASE(database_url_without_sslmode_gets_verify_full_off_loopback) {
    ::unsetenv("RATCHET_SSLMODE");
    ::setenv("DATABASE_URL", "postgresql://app:pw@db.internal.example:5432/app?schema=s", 1);
    auto c = resolve_db_config({}, std::chrono::seconds{1});
    BOOST_TEST(c.url.find("sslmode=verify-full") != std::string::npos);
    BOOST_TEST(c.url.find("schema=s") != std::string::npos);
    ::setenv("DATABASE_URL", "host=db.internal.example dbname=app user=app", 1);
    c = resolve_db_config({}, std::chrono::seconds{1});
    BOOST_TEST(c.url.find("sslmode='verify-full'") != std::string::npos);
    // An explicit sslmode is the operator's choice and is kept as written.
    ::setenv("DATABASE_URL", "postgresql://app:pw@db.internal.example/app?sslmode=require", 1);
    c = resolve_db_config({}, std::chrono::seconds{1});
    BOOST_TEST(c.url == "postgresql://app:pw@db.internal.example/app?sslmode=require");
    ::unsetenv("DATABASE_URL");
}

BOOST_AUTO_TEST_CASE(iam_auth_refuses_modes_that_can_send_the_token_in_clear) {
    ::setenv("AWS_REGION", "eu-west-1", 1);
    ::setenv("AWS_ACCESS_KEY_ID", "AKIDTEST", 1);
    ::setenv("AWS_SECRET_ACCESS_KEY", "secretsecret", 1);
    const resource_properties p = read_properties(
        {{"IamAuth", "true"}, {"DatabaseUser", "app"}, {"DatabaseHost", "127.0.0.1"}});
    for (const char* mode : {"disable", "allow", "prefer", ""}) {
        if (*mode != '\0') {
            ::setenv("RATCHET_SSLMODE", mode, 1);
        } else {
            ::unsetenv("RATCHET_SSLMODE");  // loopback default is prefer
        }
        BOOST_TEST_CONTEXT(mode) {
            BOOST_CHECK_THROW((void)resolve_db_config(p, std::chrono::seconds{1}), config_error);
        }
    }
    ::setenv("RATCHET_SSLMODE", "require", 1);
    BOOST_TEST(resolve_db_config(p, std::chrono::seconds{1}).url.find("sslmode='require'") !=
               std::string::npos);
    ::unsetenv("RATCHET_SSLMODE");
    clear_invoke_secrets();
}

namespace {

/// JSON.stringify of a flat object of strings, as node does it (independent of nlohmann):
/// '"' and '\' doubled, \b \f \n \r \t short escapes, other control characters \u00XX,
/// everything else (UTF-8 included) as is.
std::string js_stringify(const std::vector<std::pair<std::string, std::string>>& fields) {
    const auto str = [](const std::string& s) {
        std::string out = "\"";
        for (const char ch : s) {
            const auto c = static_cast<unsigned char>(ch);
            switch (c) {
                case '"':
                    out += "\\\"";
                    break;
                case '\\':
                    out += "\\\\";
                    break;
                case '\b':
                    out += "\\b";
                    break;
                case '\f':
                    out += "\\f";
                    break;
                case '\n':
                    out += "\\n";
                    break;
                case '\r':
                    out += "\\r";
                    break;
                case '\t':
                    out += "\\t";
                    break;
                default:
                    if (c < 0x20) {
                        char buf[8];
                        std::snprintf(buf, sizeof buf, "\\u%04x", c);
                        out += buf;
                    } else {
                        out += ch;
                    }
            }
        }
        return out + "\"";
    };
    std::string out = "{";
    for (const auto& [k, v] : fields) out += (out.size() > 1 ? "," : "") + str(k) + ":" + str(v);
    return out + "}";
}

/// What the CDK framework (aws-cdk-lib 2.276, framework.js + cfn-response.js) PUTs for an error
/// answer: Reason = errorMessage + "\n\nLogs: /aws/lambda/<fn>\n" + trace[1..] joined by "\n".
std::string framework_put(const cfn_event& e, const json& answer,
                          const std::string& function_name) {
    std::string reason =
        answer["errorMessage"].get<std::string>() + "\n\nLogs: /aws/lambda/" + function_name + "\n";
    for (std::size_t i = 1; i < answer["trace"].size(); ++i)
        reason += "\n" + answer["trace"][i].get<std::string>();
    return js_stringify(
        {{"Status", "FAILED"},
         {"Reason", reason},
         {"StackId", e.stack_id},
         {"RequestId", e.request_id},
         {"PhysicalResourceId", e.physical_resource_id.empty()
                                    ? "AWSCDK::CustomResourceProviderFramework::CREATE_FAILED"
                                    : e.physical_resource_id},
         {"LogicalResourceId", e.logical_resource_id}});
}

cfn_event realistic_event(std::size_t scale = 1) {
    cfn_event e;
    e.stack_id = "arn:aws:cloudformation:eu-west-1:123456789012:stack/" +
                 std::string(128 * scale, 's') + "/5b7d5e80-1234-11ef-9d2e-0a1b2c3d4e5f";
    e.request_id = "6c2a4c1e-8f0b-4c1d-9a7e-2f3b4c5d6e7f";
    e.logical_resource_id = "DatabaseMigrations" + std::string(60 * scale, 'L');
    e.physical_resource_id = "ratchet:" + std::string(200 * scale, 'h') +
                             ".eu-west-1.rds.amazonaws.com:5432/" + std::string(63, 'd') + "/" +
                             std::string(63, 'n');
    return e;
}

const std::string error_start = "[P3018] migration 20240103000000_broken failed: ERROR: ";

std::vector<std::string> hostile_errors() {
    std::string quotes, controls, multibyte;
    for (int i = 0; i < 3'000; ++i) quotes += "\\\"";
    for (int i = 0; i < 3'000; ++i) controls += "\x01\t\x1f";
    for (int i = 0; i < 2'000; ++i) multibyte += "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";  // é € 😀
    return {error_start + "invalid input syntax for type json: \"" + quotes + "\"",
            error_start + controls, error_start + multibyte,
            error_start + std::string(30'000, 'x')};
}

}  // namespace

BOOST_AUTO_TEST_CASE(provider_error_fits_the_framework_body_after_json_encoding) {
    for (const std::size_t scale : {1U, 3U}) {
        for (const bool update : {false, true}) {
            cfn_event e = realistic_event(scale);
            if (!update) e.physical_resource_id.clear();
            for (const auto& message : hostile_errors()) {
                const outcome o =
                    failure(e.physical_resource_id, "MigrationFailed", message,
                            {"code: P3018", "sqlstate: 22P02", "migration: 20240103000000_broken"});
                const lambda_error err = provider_error(e, o);
                const json answer{
                    {"errorMessage", err.message}, {"errorType", err.type}, {"trace", err.trace}};
                const std::string put = framework_put(e, answer, std::string(64, 'F'));
                BOOST_TEST_CONTEXT("scale " << scale << " update " << update << " message "
                                            << message.substr(60, 20)) {
                    BOOST_TEST(put.size() <= 4'096U);
                    BOOST_TEST(err.message.rfind(error_start, 0) ==
                               0U);  // the useful start is kept
                    BOOST_TEST(err.message.size() >= 120U);
                    BOOST_TEST(
                        json::parse(put)["Reason"].is_string());  // whole UTF-8 sequences only
                }
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(direct_body_fits_after_encoding_also_with_long_identifiers) {
    for (const std::size_t scale : {1U, 3U, 12U}) {
        const cfn_event e = realistic_event(scale);
        for (const auto& message : hostile_errors()) {
            const outcome o =
                failure(e.physical_resource_id, "MigrationFailed", message, {"code: P3018"});
            const std::string body = cfn_response_body(e, o);
            BOOST_TEST_CONTEXT("scale " << scale << " message " << message.substr(60, 20)) {
                BOOST_TEST(body.size() <= max_cfn_body_bytes);
                const json j = json::parse(body);
                BOOST_TEST(j["Status"] == "FAILED");
                if (scale < 12) {
                    BOOST_TEST(j["Reason"].get<std::string>().rfind(error_start, 0) == 0U);
                    BOOST_TEST(j["PhysicalResourceId"] == e.physical_resource_id);
                    BOOST_TEST(j["StackId"] == e.stack_id);
                }
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(success_answers_fit_with_escape_heavy_warnings) {
    cfn_event e = realistic_event(3);
    outcome o;
    o.physical_id = e.physical_resource_id;
    o.data = {{"AppliedCount", "0"},
              {"LastMigration", std::string(200, 'm')},
              {"Warnings", std::string(3'000, '"')}};
    o.reason = o.data["Warnings"];
    const json answer = json::parse(provider_success(e, o));
    const std::string put = js_stringify({{"Status", "SUCCESS"},
                                          {"Reason", "SUCCESS"},
                                          {"StackId", e.stack_id},
                                          {"RequestId", e.request_id},
                                          {"PhysicalResourceId", answer["PhysicalResourceId"]},
                                          {"LogicalResourceId", e.logical_resource_id}}) +
                            answer["Data"].dump();
    BOOST_TEST(put.size() <= 4'096U);
    BOOST_TEST(answer["Data"]["LastMigration"] == std::string(200, 'm'));
    BOOST_TEST(cfn_response_body(e, o).size() <= max_cfn_body_bytes);
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
    BOOST_TEST(redact("a p@ss word/1 b p%40ss%20word%2F1 c") == "a ******** b ******** c");
    clear_invoke_secrets();
    BOOST_TEST(redact("p@ss word/1") == "p@ss word/1");
}

BOOST_AUTO_TEST_CASE(budget_leaves_the_cancel_grace_and_a_bounded_answer_for_every_timeout) {
    using std::chrono::milliseconds;
    const auto now = clock::now();
    for (milliseconds t{3'000}; t <= milliseconds{900'000}; t += milliseconds{100}) {
        const auto b = make_budget(now + t, now);
        BOOST_TEST_CONTEXT("timeout " << t.count() << " ms") {
            BOOST_REQUIRE(b.soft && b.watchdog && b.hard);
            // The watchdog's answer (one PUT bounded by the deadline, and the Runtime API post)
            // gets at least a second before Lambda's deadline.
            BOOST_TEST((*b.hard - *b.watchdog >= milliseconds{1'000}));
            BOOST_TEST((*b.watchdog > now));
            if (b.too_short) {
                BOOST_TEST((t < milliseconds{8'000}));  // only short timeouts are refused
                BOOST_TEST((t < minimum_timeout()));
                continue;
            }
            BOOST_TEST((t >= minimum_timeout()));
            BOOST_TEST((*b.soft > now));
            // The engine cancels at soft, waits up to its grace, rolls back: all before the
            // watchdog.
            BOOST_TEST((*b.watchdog - *b.soft >= engine_cancel_grace + engine_return_slack));
            BOOST_TEST((*b.hard - *b.soft <= milliseconds{16'000}));  // the margin stays modest
        }
    }
    BOOST_TEST(make_budget(now + std::chrono::seconds{3}, now).too_short);
    BOOST_TEST(!make_budget(now + std::chrono::seconds{10}, now).too_short);
    BOOST_TEST(!make_budget(std::nullopt, now).soft.has_value());
}

BOOST_AUTO_TEST_CASE(deeply_nested_properties_are_refused_without_recursion) {
    const std::size_t levels = 120'000;  // 240 KB: what overflowed the stack in json::dump()
    const std::string deep = std::string(levels, '[') + std::string(levels, ']');
    const std::string create =
        R"({"RequestType":"Create","RequestId":"r1","ResponseURL":"https://x","ResourceProperties":{"A":)" +
        deep + "}}";
    BOOST_CHECK_THROW((void)parse_event(create), bad_event);
    const auto salvaged = salvage_cfn_event(create);
    BOOST_REQUIRE(salvaged.has_value());
    BOOST_TEST((salvaged->type == request_type::create));
    // Deep but within the limit is fine.
    const std::string ok =
        R"({"RequestType":"Create","RequestId":"r1","ResourceProperties":{"A":)" +
        std::string(20, '[') + std::string(20, ']') + "}}";
    BOOST_TEST(std::get<cfn_event>(parse_event(ok)).props.at("A").size() == 40U);
}

BOOST_AUTO_TEST_CASE(a_delete_that_cannot_be_parsed_still_succeeds_with_its_id) {
    const std::string deep = std::string(100'000, '{');
    for (const std::string& props :
         {std::string(R"("oops")"),
          std::string(R"({"A":)") + std::string(50'000, '[') + std::string(50'000, ']') + "}",
          deep}) {
        const std::string payload =
            R"({"RequestType":"Delete","RequestId":"r2","ResponseURL":"https://x","StackId":"s",)"
            R"("LogicalResourceId":"L","PhysicalResourceId":"ratchet:h:5432/d/public","ResourceProperties":)" +
            props + "}";
        BOOST_CHECK_THROW((void)parse_event(payload), bad_event);
        const auto e = salvage_cfn_event(payload);
        if (props == deep) {
            BOOST_TEST(!e.has_value());  // not JSON at all: nothing to answer with
            continue;
        }
        BOOST_REQUIRE(e.has_value());
        BOOST_TEST((e->type == request_type::del));
        const outcome o = delete_success(*e);
        BOOST_TEST(o.ok);
        BOOST_TEST(o.physical_id == "ratchet:h:5432/d/public");
        BOOST_TEST(json::parse(cfn_response_body(*e, o))["Status"] == "SUCCESS");
    }
}

namespace {

/// What f writes to stderr (fd 2), through a temporary file.
template <typename F>
std::string stderr_of(F&& f) {
    std::fflush(stderr);
    char path[] = "/tmp/ratchet-lambda-stderr-XXXXXX";
    const int fd = ::mkstemp(path);
    const int saved = ::dup(2);
    ::dup2(fd, 2);
    f();
    std::fflush(stderr);
    ::dup2(saved, 2);
    ::close(saved);
    std::string out;
    char buf[4096];
    ::lseek(fd, 0, SEEK_SET);
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;)
        out.append(buf, static_cast<std::size_t>(n));
    ::close(fd);
    ::unlink(path);
    return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(secrets_with_quotes_backslashes_and_control_characters_are_redacted_in_logs) {
    const std::string secret = "pa\"ss\\wo\trd\x01-9Z";
    register_secret(secret);
    const std::string escaped = json(secret).dump().substr(1, json(secret).dump().size() - 2);
    const std::string out = stderr_of([&] {
        log_line("error", "connect failed for " + secret,
                 {{"detail", "password=" + secret}, {secret, 1}});
    });
    BOOST_TEST(out.find(secret) == std::string::npos);
    BOOST_TEST(out.find(escaped) == std::string::npos);
    BOOST_TEST(out.find("connect failed for ********") != std::string::npos);
    BOOST_TEST(json::parse(out)["detail"] == "password=********");
    clear_invoke_secrets();
}
