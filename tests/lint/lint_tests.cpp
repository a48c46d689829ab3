// ratchet::lint without a server: the rule corpus, suppressions, config, formats, Prisma's SQL,
// and the `ratchet lint` command.
#include <ratchet/error.hpp>
#include <ratchet/lint.hpp>

#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>

#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace fs = std::filesystem;
namespace lint = ratchet::lint;

namespace {

const fs::path source_dir{RATCHET_LINT_TEST_DIR};

std::string read(const fs::path& p) {
    std::ifstream in{p, std::ios::binary};
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::vector<lint::finding> lint_sql(const std::string& sql, const lint::config& cfg = {}) {
    return lint::lint_migration(ratchet::make_migration("20240101000000_case", sql), cfg);
}

std::vector<std::string> rules_of(const std::vector<lint::finding>& fs) {
    std::vector<std::string> out;
    for (const auto& f : fs) out.push_back(f.rule);
    return out;
}

bool fired(const std::vector<lint::finding>& fs, std::string_view rule) {
    return std::any_of(fs.begin(), fs.end(),
                       [&](const lint::finding& f) { return f.rule == rule; });
}

struct run_result {
    int code = -1;
    std::string out;
};

run_result run(const std::string& command) {
    run_result r;
    const bool merged = command.size() >= 4 && command.compare(command.size() - 4, 4, "2>&1") == 0;
    FILE* p = popen((merged ? command : command + " 2>/dev/null").c_str(), "r");
    if (p == nullptr) return r;
    std::array<char, 4096> buf{};
    std::size_t n = 0;
    while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
    const int status = pclose(p);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(corpus)

// Every rule has cases that must fire and cases that must not: corpus/<rule>/fires_*.sql and
// ok_*.sql. A fires case must produce the rule; an ok case must not.
BOOST_AUTO_TEST_CASE(every_rule_fires_and_stays_quiet_where_it_should) {
    std::set<std::string> with_fires;
    std::set<std::string> with_ok;
    for (const auto& dir : fs::directory_iterator{source_dir / "corpus"}) {
        const std::string rule = dir.path().filename().string();
        BOOST_TEST_REQUIRE(lint::find_rule(rule) != nullptr,
                           "corpus directory names no rule: " << rule);
        for (const auto& file : fs::directory_iterator{dir.path()}) {
            const std::string name = file.path().filename().string();
            const auto found = lint_sql(read(file.path()));
            if (name.rfind("fires_", 0) == 0) {
                with_fires.insert(rule);
                BOOST_TEST(fired(found, rule), rule << "/" << name << " must fire");
            } else {
                with_ok.insert(rule);
                BOOST_TEST(!fired(found, rule), rule << "/" << name << " must not fire");
            }
        }
    }
    for (const auto& r : lint::rules()) {
        BOOST_TEST(with_fires.count(std::string{r.id}) == 1, r.id << " has no fires_ case");
        BOOST_TEST(with_ok.count(std::string{r.id}) == 1, r.id << " has no ok_ case");
    }
}

BOOST_AUTO_TEST_CASE(positions_are_file_line_and_column) {
    const auto f = lint_sql(
        "-- comment\nSET lock_timeout = '1s';\n\n  CREATE INDEX \"i\" ON \"Post\"(\"a\");\n");
    BOOST_TEST_REQUIRE(f.size() == 1U);
    BOOST_TEST(f[0].rule == "require-concurrent-index-creation");
    BOOST_TEST(f[0].file == "20240101000000_case/migration.sql");
    BOOST_TEST(f[0].line == 4U);
    BOOST_TEST(f[0].column == 23U);  // the relation, as PostgreSQL locates it
    BOOST_TEST(f[0].table == "Post");
    BOOST_TEST(lint::has_errors(f));
}

BOOST_AUTO_TEST_CASE(an_unparseable_statement_is_not_checked_and_the_rest_is) {
    const auto f = lint_sql(
        "SET lock_timeout = '1s';\nALTER TABLE t ALTER COLUMN c SET EXPRESSION AS (a * 2);\n"
        "CREATE INDEX i ON t (a);\nthis is not sql;\n");
    BOOST_TEST(
        rules_of(f) == (std::vector<std::string>{"not-checked", "require-concurrent-index-creation",
                                                 "not-checked"}),
        boost::test_tools::per_element());
    BOOST_TEST(f[0].line == 2U);
    BOOST_TEST(f[2].line == 4U);
    BOOST_TEST(f[0].message.find("not checked") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(tables_created_in_the_same_migration_are_not_at_risk) {
    const auto f = lint_sql(
        "CREATE TABLE \"T\" (\"id\" BIGINT PRIMARY KEY, \"a\" TEXT);\n"
        "CREATE INDEX \"T_a\" ON \"T\"(\"a\");\n"
        "ALTER TABLE \"T\" ALTER COLUMN \"a\" SET NOT NULL, ADD CONSTRAINT c CHECK (a <> '');\n"
        "ALTER TABLE \"T\" ALTER COLUMN \"a\" TYPE varchar(10);\n");
    BOOST_TEST(rules_of(f) == std::vector<std::string>{}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(suppression)

BOOST_AUTO_TEST_CASE(a_directive_with_a_reason_suppresses_only_its_rule_on_its_statement) {
    const auto f = lint_sql(
        "SET lock_timeout = '1s';\n"
        "-- ratchet:lint-ignore require-concurrent-index-creation table has 40 rows\n"
        "CREATE INDEX a ON t (x);\n"
        "CREATE INDEX b ON t (y);\n");
    BOOST_TEST_REQUIRE(f.size() == 1U);
    BOOST_TEST(f[0].line == 4U);
}

BOOST_AUTO_TEST_CASE(a_missing_reason_is_an_error_naming_file_and_line) {
    const auto f = lint_sql("SELECT 1;\n-- ratchet:lint-ignore ban-drop-table\nDROP TABLE t;\n");
    BOOST_TEST_REQUIRE(fired(f, "invalid-lint-ignore"));
    BOOST_TEST(fired(f, "ban-drop-table"));  // not suppressed
    for (const auto& x : f) {
        if (x.rule != "invalid-lint-ignore") continue;
        BOOST_TEST((x.level == lint::severity::error));
        BOOST_TEST(x.file == "20240101000000_case/migration.sql");
        BOOST_TEST(x.line == 2U);
        BOOST_TEST(x.message.find("no reason") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(directives_inside_a_multi_line_statement_apply_to_it) {
    const auto f = lint_sql(
        "SELECT 1;\nALTER TABLE t\n  -- ratchet:lint-ignore ban-drop-column deprecated since v2\n"
        "  DROP COLUMN c;\n",
        [] {
            lint::config c;
            c.assume_lock_timeout = true;
            return c;
        }());
    BOOST_TEST(f.empty(), lint::format_human(f, "", false));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(config)

BOOST_AUTO_TEST_CASE(severities_and_switches_apply) {
    const auto c = lint::config::parse(
        R"({"rules": {"ban-drop-column": "error", "require-timeout-settings": "off"},
            "assume_lock_timeout": false, "rate_mb_per_s": 250})",
        "ratchet-lint.json");
    BOOST_TEST(c.rate_mb_per_s == 250.0);
    const auto f = lint_sql("ALTER TABLE t DROP COLUMN c;\n", c);
    BOOST_TEST_REQUIRE(f.size() == 1U);
    BOOST_TEST(f[0].rule == "ban-drop-column");
    BOOST_TEST((f[0].level == lint::severity::error));
}

BOOST_AUTO_TEST_CASE(bad_config_is_one_clear_error_naming_file_and_line) {
    auto message = [](const std::string& text) {
        try {
            (void)lint::config::parse(text, "m/ratchet-lint.json");
        } catch (const ratchet::error& e) {
            BOOST_TEST((e.code() == ratchet::errc::invalid_input));
            return std::string{e.what()};
        }
        return std::string{"no error"};
    };
    BOOST_TEST(
        message("{\n \"rules\": {\n  \"no-such-rule\": \"error\"}}") ==
        "m/ratchet-lint.json line 3: unknown rule \"no-such-rule\" (see docs/lint-rules.md)");
    BOOST_TEST(message("{\"rules\": {\"ban-cluster\": \"fatal\"}}").find("severity must be") !=
               std::string::npos);
    BOOST_TEST(message("{\n\n \"colour\": 1}").find("line 3: unknown key \"colour\"") !=
               std::string::npos);
    BOOST_TEST(message("{\n \"rules\": ,}").find("m/ratchet-lint.json line 2: not valid JSON") ==
               0U);
    BOOST_TEST(message("[]").find("expected a JSON object") != std::string::npos);
    // Found by fuzz_lint_config: a number beyond a double threw json::out_of_range, which
    // escaped as an uncaught exception (regressions/lint_config/).
    BOOST_TEST(message("{\n \"comment\": \"x\",\n \"rate_mb_per_s\": 1e999\n}") ==
               "m/ratchet-lint.json line 3: not valid JSON (number overflow parsing '1e999')");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(formats)

BOOST_AUTO_TEST_CASE(json_github_and_sarif_carry_the_findings) {
    const auto f = lint_sql("SET lock_timeout = '1s';\nCREATE INDEX i ON \"Post\" (a);\n");
    const auto j = nlohmann::json::parse(lint::format_json(f));
    BOOST_TEST(j["ok"] == false);
    BOOST_TEST(j["findings"][0]["rule"] == "require-concurrent-index-creation");
    BOOST_TEST(j["findings"][0]["line"] == 2);
    BOOST_TEST(j["findings"][0]["lock"] == "SHARE on the table");

    const auto gh = lint::format_github(f, "prisma/migrations");
    BOOST_TEST(
        gh.rfind("::error file=prisma/migrations/20240101000000_case/migration.sql,line=2,col=",
                 0) == 0U);
    BOOST_TEST(gh.find("title=ratchet lint%3A require-concurrent-index-creation::") !=
               std::string::npos);
    BOOST_TEST(std::count(gh.begin(), gh.end(), '\n') == 1);  // newlines in the message escaped

    const auto s = nlohmann::json::parse(lint::format_sarif(f, "prisma/migrations"));
    BOOST_TEST(s["version"] == "2.1.0");
    const auto& run0 = s["runs"][0];
    BOOST_TEST(run0["tool"]["driver"]["rules"].size() == lint::rules().size());
    const auto& r0 = run0["results"][0];
    BOOST_TEST(r0["level"] == "error");
    BOOST_TEST(run0["tool"]["driver"]["rules"][r0["ruleIndex"].get<std::size_t>()]["id"] ==
               r0["ruleId"]);
    BOOST_TEST(r0["locations"][0]["physicalLocation"]["region"]["startLine"] == 2);
}

BOOST_AUTO_TEST_SUITE_END()

// Prisma's SQL for common schema changes (tests/lint/prisma, written from Prisma 6's output):
// errors and warnings only where a real risk exists; the style rules stay at info.
BOOST_AUTO_TEST_CASE(prisma_generated_sql_has_no_noise) {
    const auto set = ratchet::load_directory(source_dir / "prisma");
    BOOST_TEST_REQUIRE(set.migrations.size() == 6U);
    std::vector<std::string> serious;
    for (const auto& f : lint::lint_migrations(set, {})) {
        if (f.level >= lint::severity::warning) serious.push_back(f.migration + " " + f.rule);
    }
    BOOST_TEST(serious == (std::vector<std::string>{
                              "20240102000000_optional_field require-timeout-settings",
                              "20240103000000_required_field_with_default require-timeout-settings",
                              "20240106000000_index require-timeout-settings",
                              "20240106000000_index require-concurrent-index-creation"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE(cli)

BOOST_AUTO_TEST_CASE(ratchet_lint_exit_codes_and_formats,
                     *boost::unit_test::precondition([](boost::unit_test::test_unit_id) {
                         return boost::test_tools::assertion_result{
                             std::string{RATCHET_CLI_PATH} != "" && fs::exists(RATCHET_CLI_PATH)};
                     })) {
    const std::string bin = RATCHET_CLI_PATH;
    const std::string blog = (source_dir / "../../examples/blog/migrations").string();
    // The blog example is safe: its index is built CONCURRENTLY; only style infos and a warning.
    auto r = run(bin + " lint --color never --dir " + blog);
    BOOST_TEST(r.code == 0, r.out);
    BOOST_TEST(r.out.find("0 error(s)") != std::string::npos, r.out);

    const std::string danger = (source_dir / "corpus/require-concurrent-index-creation").string();
    r = run(bin + " lint --color never --dir " + (source_dir / "prisma").string());
    BOOST_TEST(r.code == 1);
    BOOST_TEST(r.out.find("20240106000000_index/migration.sql:2:") != std::string::npos, r.out);
    r = run(bin + " lint --format sarif --dir " + (source_dir / "prisma").string());
    BOOST_TEST(r.code == 1);
    BOOST_TEST(nlohmann::json::parse(r.out)["version"] == "2.1.0");
    r = run(bin + " lint --json --dir " + (source_dir / "prisma").string());
    BOOST_TEST(nlohmann::json::parse(r.out)["ok"] == false);
    r = run(bin + " lint --format github --dir " + (source_dir / "prisma").string());
    BOOST_TEST(r.out.find("::error file=") != std::string::npos);

    BOOST_TEST(run(bin + " lint --dir /nonexistent/dir").code == 2);
    BOOST_TEST(run(bin + " lint --format xml --dir " + blog).code == 2);
    BOOST_TEST(run(bin + " lint --config /nonexistent.json --dir " + blog).code == 2);
    // A database that cannot be reached: exit 1, one JSON error object, no password anywhere.
    r = run(bin + " lint --json --dir " + blog +
            " --url 'postgresql://u:sup3rsecret@127.0.0.1:1/x?connect_timeout=2'");
    BOOST_TEST(r.code == 1);
    BOOST_TEST(nlohmann::json::parse(r.out)["error"]["code"] == "P1001");
    r = run(bin + " lint --dir " + blog +
            " --url 'postgresql://u:sup3rsecret@127.0.0.1:1/x?connect_timeout=2' 2>&1");
    BOOST_TEST(r.code == 1);
    BOOST_TEST(r.out.find("cannot connect") != std::string::npos, r.out);
    BOOST_TEST(r.out.find("sup3rsecret") == std::string::npos, r.out);
    // Without --url nothing connects, even with DATABASE_URL set to an unreachable server.
    r = run("DATABASE_URL=postgresql://u:p@127.0.0.1:1/x " + bin + " lint --color never --dir " +
            blog);
    BOOST_TEST(r.code == 0);
}

BOOST_AUTO_TEST_SUITE_END()
