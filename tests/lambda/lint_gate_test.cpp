// The Lambda's lint gate (resource property Lint, command field "lint"): the real bootstrap
// against the loopback fakes (Runtime API, Secrets Manager, ResponseURL) and a real PostgreSQL
// (RATCHET_TEST_ADMIN_URL). A CREATE INDEX without CONCURRENTLY on an existing table with rows
// must stop the request before anything is applied, in both response modes and in the command
// mode; warn must deploy; the answer must fit CloudFormation's 4,096 bytes with many findings.
#define BOOST_TEST_MODULE lambda_lint_gate
#include "harness.hpp"

#include <ratchet/migration.hpp>

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>

using namespace ratchet::lambda::test;
using std::chrono::seconds;

namespace {

namespace fs = std::filesystem;

const std::string self_arn = test_function_arn;
const std::string gate_rule = "require-concurrent-index-creation";

bool have_db() {
    return ratchet_test::admin_url_or_skip().has_value();
}

/// A migrations directory of its own (the shared fixtures belong to bootstrap_test.cpp).
class migrations_dir {
public:
    migrations_dir() {
        static int counter = 0;
        dir_ = fs::temp_directory_path() / ("ratchet-lint-gate-" + std::to_string(::getpid()) +
                                            "-" + std::to_string(++counter));
        fs::create_directories(dir_);
        std::ofstream(dir_ / "migration_lock.toml") << "provider = \"postgresql\"\n";
        // An existing table with rows: the index below would lock it for its whole build.
        add("20240101000000_init",
            "CREATE TABLE \"users\" (\"id\" BIGSERIAL PRIMARY KEY, \"email\" TEXT NOT NULL);\n"
            "INSERT INTO \"users\" (\"email\") SELECT 'u' || g || '@example.com' FROM "
            "generate_series(1, 500) g;\n");
    }
    ~migrations_dir() {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    migrations_dir(const migrations_dir&) = delete;
    migrations_dir& operator=(const migrations_dir&) = delete;

    void add(const std::string& name, const std::string& sql) {
        fs::create_directories(dir_ / name);
        std::ofstream(dir_ / name / "migration.sql") << sql;
    }
    [[nodiscard]] std::string path() const { return dir_.string(); }
    [[nodiscard]] std::string hash() const {
        return ratchet::migrations_hash(ratchet::load_directory(dir_));
    }

private:
    fs::path dir_;
};

/// Points the harness at `m` (restarting the bootstrap) and returns the properties for it.
json use(harness& h, const migrations_dir& m, const std::string& lint) {
    h.env["RATCHET_MIGRATIONS_DIR"] = m.path();
    h.start();
    json props = h.db_props();
    props["MigrationsHash"] = m.hash();
    if (!lint.empty()) props["Lint"] = lint;
    return props;
}

std::string expected_id(const harness& h) {
    return "ratchet:" + h.db->host() + ":" + h.db->port() + "/" + h.db->name() + "/public";
}

/// Everything in the history table, to show that a refused request did not touch it.
std::string history(const harness& h) {
    return h.db
        ->scalar(
            "SELECT coalesce(string_agg(id || '|' || migration_name || '|' || "
            "coalesce(finished_at::"
            "text, '-') || '|' || applied_steps_count, ';' ORDER BY migration_name), '') FROM "
            "_prisma_migrations")
        .value_or("?");
}

std::string index_count(const harness& h) {
    return h.db
        ->scalar(
            "SELECT count(*) FROM pg_indexes WHERE tablename = 'users' AND "
            "indexname LIKE 'users_email%'")
        .value_or("?");
}

/// The body the CDK provider framework PUTs for our error answer (as bootstrap_test.cpp and
/// unit_test.cpp compute it), with the longest function name.
std::string framework_failure_put(const json& answer, const json& event) {
    std::string reason = answer["errorMessage"].get<std::string>() + "\n\nLogs: /aws/lambda/" +
                         std::string(64, 'f') + "\n";
    for (std::size_t i = 1; i < answer["trace"].size(); ++i)
        reason += "\n" + answer["trace"][i].get<std::string>();
    return json{{"Status", "FAILED"},
                {"Reason", reason},
                {"StackId", event["StackId"]},
                {"RequestId", event["RequestId"]},
                {"PhysicalResourceId", event.value("PhysicalResourceId",
                                                   "AWSCDK::CustomResourceProviderFramework::"
                                                   "CREATE_FAILED")},
                {"LogicalResourceId", event["LogicalResourceId"]}}
        .dump();
}

/// The body the framework PUTs for our success answer.
std::string framework_success_put(const json& answer, const json& event) {
    return json{{"Status", "SUCCESS"},
                {"Reason", "SUCCESS"},
                {"StackId", event["StackId"]},
                {"RequestId", event["RequestId"]},
                {"PhysicalResourceId", answer["PhysicalResourceId"]},
                {"LogicalResourceId", event["LogicalResourceId"]},
                {"Data", answer["Data"]}}
        .dump();
}

}  // namespace

BOOST_AUTO_TEST_CASE(error_stops_an_index_build_on_an_existing_table_before_anything_is_applied) {
    if (!have_db()) return;
    harness h("v1");
    migrations_dir m;
    // A clean pending migration (its table is created by the same deploy) passes Lint=error.
    auto props = use(h, m, "error");
    const auto created = h.invoke(h.cfn_event("Create", props).dump());
    BOOST_TEST(created.kind == "response");
    BOOST_TEST(json::parse(created.body)["Data"]["AppliedCount"] == "1");
    BOOST_TEST(json::parse(created.body)["Data"]["LintFindings"] == "0");
    BOOST_TEST(json::parse(created.body)["Data"]["LintErrors"] == "0");

    m.add("20240102000000_email_index",
          "CREATE INDEX \"users_email_idx\" ON \"users\" (\"email\");\n");
    props = use(h, m, "error");
    const std::string before = history(h);
    const json upd = h.cfn_event("Update", props, expected_id(h));
    const auto r = h.invoke(upd.dump());
    BOOST_TEST(r.kind == "error");
    BOOST_TEST(r.error_type == "Function.LintFailed");
    const json b = json::parse(r.body);
    BOOST_TEST(b["errorType"] == "LintFailed");
    const std::string msg = b["errorMessage"];
    BOOST_TEST_MESSAGE("errorMessage: " << msg);
    BOOST_TEST_INFO(msg);
    BOOST_TEST(msg.find("nothing was applied") != std::string::npos);
    BOOST_TEST(msg.find(gate_rule) != std::string::npos);
    BOOST_TEST(msg.find("20240102000000_email_index/migration.sql:1:35 error " + gate_rule) !=
               std::string::npos);
    BOOST_TEST(msg.find("users") != std::string::npos);
    BOOST_TEST(framework_failure_put(b, upd).size() <= 4'096U);
    BOOST_TEST(history(h) == before);
    BOOST_TEST(index_count(h) == "0");

    // Direct mode: a FAILED PUT with the finding in its Reason; still nothing applied.
    const auto d = h.invoke(h.cfn_event("Update", props, expected_id(h), self_arn).dump());
    BOOST_TEST(d.kind == "response");
    BOOST_REQUIRE(h.cfn.wait_puts(1, seconds{5}));
    const json put = json::parse(h.cfn.puts().front().body);
    BOOST_TEST(put["Status"] == "FAILED");
    BOOST_TEST(put["Reason"].get<std::string>().find(gate_rule) != std::string::npos);
    BOOST_TEST(history(h) == before);
    BOOST_TEST(index_count(h) == "0");

    // A Delete (the stack's rollback) is not linted.
    const auto del = h.invoke(h.cfn_event("Delete", props, expected_id(h)).dump());
    BOOST_TEST(del.kind == "response");
    h.check_no_secrets();
}

BOOST_AUTO_TEST_CASE(warn_logs_the_finding_and_deploys) {
    if (!have_db()) return;
    harness h("v1");
    migrations_dir m;
    auto props = use(h, m, "");
    BOOST_TEST(h.invoke(h.cfn_event("Create", props).dump()).kind == "response");
    m.add("20240102000000_email_index",
          "CREATE INDEX \"users_email_idx\" ON \"users\" (\"email\");\n");
    props = use(h, m, "Warn");
    const auto r = h.invoke(h.cfn_event("Update", props, expected_id(h)).dump());
    BOOST_TEST(r.kind == "response");
    const json data = json::parse(r.body)["Data"];
    BOOST_TEST(data["AppliedCount"] == "1");
    BOOST_TEST(data["LintErrors"] == "1");
    BOOST_TEST(data["Lint"].get<std::string>().find(gate_rule) != std::string::npos);
    BOOST_TEST(index_count(h) == "1");
    BOOST_TEST(h.everything().find("\"rule\":\"" + gate_rule + "\"") != std::string::npos);
    h.check_no_secrets();
}

BOOST_AUTO_TEST_CASE(many_findings_fit_the_cloudformation_budget) {
    if (!have_db()) return;
    harness h("v1");
    migrations_dir m;
    BOOST_TEST(h.invoke(h.cfn_event("Create", use(h, m, "off")).dump()).kind == "response");
    std::string sql;
    for (int i = 0; i < 120; ++i) {
        sql += "CREATE INDEX \"users_email_" + std::to_string(i) + "\" ON \"users\" (\"email\");\n";
    }
    m.add("20240102000000_many_indexes", sql);
    auto props = use(h, m, "error");
    const std::string before = history(h);
    const json upd = h.cfn_event("Update", props, expected_id(h));
    const auto r = h.invoke(upd.dump());
    BOOST_TEST(r.kind == "error");
    const json b = json::parse(r.body);
    BOOST_TEST(b["errorType"] == "LintFailed");
    // The count comes first, so a cut list still says how many there are.
    BOOST_TEST(b["errorMessage"].get<std::string>().find("120 finding(s) of severity error") !=
               std::string::npos);
    BOOST_TEST(framework_failure_put(b, upd).size() <= 4'096U);
    BOOST_TEST(history(h) == before);
    BOOST_TEST(index_count(h) == "0");

    BOOST_TEST(h.invoke(h.cfn_event("Update", props, expected_id(h), self_arn).dump()).kind ==
               "response");
    BOOST_REQUIRE(h.cfn.wait_puts(1, seconds{5}));
    BOOST_TEST(h.cfn.puts().front().body.size() <= 4'096U);
    BOOST_TEST(json::parse(h.cfn.puts().front().body)["Status"] == "FAILED");

    // warn: applied, and the success answers (Data.Lint cut) fit as well.
    props = use(h, m, "warn");
    const json direct = h.cfn_event("Update", props, expected_id(h), self_arn);
    BOOST_TEST(h.invoke(direct.dump()).kind == "response");
    BOOST_REQUIRE(h.cfn.wait_puts(2, seconds{5}));
    const std::string ok_put = h.cfn.puts().back().body;
    BOOST_TEST(ok_put.size() <= 4'096U);
    BOOST_TEST(json::parse(ok_put)["Status"] == "SUCCESS");
    BOOST_TEST(json::parse(ok_put)["Data"]["LintErrors"] == "120");
    BOOST_TEST(index_count(h) == "120");
    h.check_no_secrets();
}

BOOST_AUTO_TEST_CASE(warn_answer_through_the_framework_fits_with_many_findings) {
    if (!have_db()) return;
    harness h("v1");
    migrations_dir m;
    BOOST_TEST(h.invoke(h.cfn_event("Create", use(h, m, "")).dump()).kind == "response");
    std::string sql;
    for (int i = 0; i < 80; ++i) {
        sql += "CREATE INDEX \"users_email_" + std::to_string(i) + "\" ON \"users\" (\"email\");\n";
    }
    m.add("20240102000000_many_indexes", sql);
    const json upd = h.cfn_event("Update", use(h, m, "warn"), expected_id(h));
    const auto r = h.invoke(upd.dump());
    BOOST_TEST(r.kind == "response");
    const json answer = json::parse(r.body);
    BOOST_TEST(answer["Data"]["LintErrors"] == "80");
    BOOST_TEST(answer["Data"]["Lint"].get<std::string>().find(gate_rule) != std::string::npos);
    BOOST_TEST(framework_success_put(answer, upd).size() <= 4'096U);
    BOOST_TEST(index_count(h) == "80");
}

BOOST_AUTO_TEST_CASE(a_bad_value_fails_naming_the_property) {
    if (!have_db()) return;
    harness h("v1");
    migrations_dir m;
    auto props = use(h, m, "strict");
    const auto r = h.invoke(h.cfn_event("Create", props).dump());
    BOOST_TEST(r.kind == "error");
    const std::string msg = json::parse(r.body)["errorMessage"];
    BOOST_TEST_INFO(msg);
    BOOST_TEST(msg.find("Lint must be \"off\", \"warn\" or \"error\"") != std::string::npos);
    BOOST_TEST(h.db->scalar("SELECT to_regclass('_prisma_migrations') IS NULL").value_or("") ==
               "t");
    // Delete with the same properties still succeeds (a rollback must never be blocked).
    const auto del = h.invoke(h.cfn_event("Delete", props, "ratchet:x:5432/app/public").dump());
    BOOST_TEST(del.kind == "response");
}

BOOST_AUTO_TEST_CASE(command_mode_deploy_and_plan) {
    if (!have_db()) return;
    harness h("v1");
    migrations_dir m;
    h.env["DATABASE_URL"] = h.db->owner_url();
    use(h, m, "");
    BOOST_TEST(
        json::parse(h.invoke(R"({"command":"deploy","lint":"error"})").body)["applied"].size() ==
        1U);
    m.add("20240102000000_email_index",
          "CREATE INDEX \"users_email_idx\" ON \"users\" (\"email\");\n");
    use(h, m, "");
    const std::string before = history(h);
    const auto plan = json::parse(h.invoke(R"({"command":"plan","lint":"error"})").body);
    BOOST_TEST(plan["lint"]["errors"] == 1);
    BOOST_TEST(plan["lint"]["findings"][0]["rule"] == gate_rule);
    const auto r = h.invoke(R"({"command":"deploy","lint":"error"})");
    BOOST_TEST(r.kind == "error");
    BOOST_TEST(json::parse(r.body)["errorType"] == "LintFailed");
    BOOST_TEST(history(h) == before);
    BOOST_TEST(index_count(h) == "0");
    const auto bad = h.invoke(R"({"command":"deploy","lint":"on"})");
    BOOST_TEST(bad.kind == "error");
    BOOST_TEST(json::parse(bad.body)["errorMessage"].get<std::string>().find("lint must be") !=
               std::string::npos);
    const auto ok = json::parse(h.invoke(R"({"command":"deploy","lint":"warn"})").body);
    BOOST_TEST(ok["applied"].size() == 1U);
    BOOST_TEST(ok["lint"]["errors"] == 1);
    BOOST_TEST(index_count(h) == "1");
    h.check_no_secrets();
}
