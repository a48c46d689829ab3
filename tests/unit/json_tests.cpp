// The one JSON encoding (include/ratchet/json.hpp) the CLI and the Lambda print: names, units
// and the envelope that scripts parse.
#include <ratchet/json.hpp>
#include <ratchet/secrets.hpp>
#include <ratchet/target.hpp>

#include <boost/test/unit_test.hpp>

#include <string>

namespace {

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

ratchet::timestamp at_micros(long long us) {
    return ratchet::timestamp{std::chrono::microseconds{us}};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(json_encoding)

BOOST_AUTO_TEST_CASE(deploy_result_uses_snake_case_milliseconds_and_typed_warning_codes) {
    ratchet::deploy_report r;
    r.applied.push_back({"1_init", std::chrono::microseconds{11'600}, true});
    r.pending_before = {"1_init"};
    r.warnings.push_back({ratchet::warning_code::checksum_drift, "edited", "0_old"});
    r.total = std::chrono::microseconds{55'200};
    const auto j = ratchet::to_json(r);
    BOOST_TEST(has(j, "\"schema_version\": 2"));
    BOOST_TEST(has(j, "\"command\": \"deploy\""));
    BOOST_TEST(has(j, "\"duration_ms\": 11.6"));
    BOOST_TEST(has(j, "\"total_ms\": 55.2"));
    BOOST_TEST(has(j, "\"code\": \"checksum_drift\""));
    BOOST_TEST(has(j, "\"error\": null"));
}

BOOST_AUTO_TEST_CASE(status_times_are_rfc3339_utc_with_microseconds) {
    ratchet::status_report r;
    r.summary = ratchet::status_summary::database_is_behind;
    r.migrations.push_back({"1_a", ratchet::migration_state::applied, false, false,
                            at_micros(1'700'000'000'123'456LL), std::nullopt});
    const auto j = ratchet::to_json(r);
    BOOST_TEST(has(j, "\"ok\": false"));
    BOOST_TEST(has(j, "\"summary\": \"database_is_behind\""));
    BOOST_TEST(has(j, "\"started_at\": \"2023-11-14T22:13:20.123456Z\""));
    BOOST_TEST(has(j, "\"finished_at\": null"));
}

BOOST_AUTO_TEST_CASE(plan_reports_the_deploy_verdict_as_its_error) {
    ratchet::plan_report r;
    r.blocking = ratchet::error(ratchet::errc::failed_migrations, "P3009 text", {}, "2_b");
    const auto j = ratchet::to_json(r);
    BOOST_TEST(has(j, "\"ok\": false"));
    BOOST_TEST(has(j, "\"code\": \"P3009\""));
    BOOST_TEST(has(j, "\"migration\": \"2_b\""));
}

BOOST_AUTO_TEST_CASE(facts_carry_the_target_without_its_password) {
    ratchet::run_facts facts;
    facts.target = ratchet::describe_target(
        "postgresql://app:Sup3rSecret@db.internal:6543/app?schema=s1&pgbouncer=true");
    facts.config = {{"schema_file", "prisma/schema.prisma"}};
    const auto j = ratchet::to_json(ratchet::hash_report{"abc", 3}, facts);
    BOOST_TEST(has(j, "\"host\": \"db.internal\""));
    BOOST_TEST(has(j, "\"port\": \"6543\""));
    BOOST_TEST(has(j, "\"schema\": \"s1\""));
    BOOST_TEST(has(j, "\"pgbouncer\": true"));
    BOOST_TEST(has(j, "\"schema_file\": \"prisma/schema.prisma\""));
    BOOST_TEST(!has(j, "Sup3rSecret"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(target_and_secrets)

BOOST_AUTO_TEST_CASE(describes_urls_and_keyword_strings_alike) {
    const auto u =
        ratchet::describe_target("postgresql://u:pw@[::1]:5433/shop?sslmode=verify-full");
    BOOST_TEST(u.host == "::1");
    BOOST_TEST(u.port == "5433");
    BOOST_TEST(u.database == "shop");
    BOOST_TEST(u.user == "u");
    BOOST_TEST(*u.sslmode == "verify-full");
    BOOST_TEST(u.address() == "::1:5433");
    const auto k =
        ratchet::describe_target("host=/run/pg port=5499 dbname=shop user=u password=pw");
    BOOST_TEST(k.unix_socket());
    BOOST_TEST(k.port == "5499");
    BOOST_TEST(!k.schema.has_value());
    BOOST_CHECK_THROW((void)ratchet::describe_target("mysql://u:pw@h/db"), ratchet::error);
}

BOOST_AUTO_TEST_CASE(registry_masks_url_passwords_raw_and_decoded_before_any_encoding) {
    ratchet::secret_registry secrets;
    secrets.add_connection("postgresql://u:p%40ss%22word@h/db");
    secrets.add("ab");  // too short to mask: would mangle ordinary words
    BOOST_TEST(secrets.redact("raw p%40ss%22word, decoded p@ss\"word, ab") ==
               "raw ********, decoded ********, ab");
    ratchet::secret_registry other;
    other.add_all(secrets);
    BOOST_TEST(other.redact("p@ss\"word") == std::string{ratchet::secret_mask});
    secrets.add_connection("host=h password='it''s long'");  // malformed: still no throw
    other.clear();
    BOOST_TEST(other.empty());
}

BOOST_AUTO_TEST_SUITE_END()
