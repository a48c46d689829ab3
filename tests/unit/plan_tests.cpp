// Prisma's decision rules as pure functions (prisma-compat §5-§7), plus ratchet's warnings.
#include "plan.hpp"
#include "prisma_text.hpp"

#include <ratchet/error.hpp>
#include <ratchet/migration.hpp>

#include <boost/test/unit_test.hpp>

#include "../support/printing.hpp"

using namespace ratchet;
using namespace ratchet::detail;

namespace {

int clock_tick = 0;

migration_set local(std::initializer_list<const char*> names) {
    clock_tick = 0;
    migration_set s;
    s.origin = "prisma/migrations";
    for (const char* n : names)
        s.migrations.push_back(make_migration(n, std::string{"SELECT '"} + n + "';"));
    return s;
}

history_row row(const migration_set& s, const std::string& name, const std::string& kind) {
    history_row r;
    r.id = "id-" + std::to_string(++clock_tick);
    r.migration_name = name;
    const auto* m = s.find(name);
    r.checksum = m != nullptr ? m->checksum : std::string(64, 'a');
    r.started_at =
        timestamp{std::chrono::microseconds{1'700'000'000'000'000LL + clock_tick * 1000}};
    if (kind == "applied") r.finished_at = r.started_at;
    if (kind == "rolled_back") r.rolled_back_at = r.started_at;
    return r;
}

std::vector<std::string> names(const std::vector<const migration*>& ms) {
    std::vector<std::string> out;
    for (const auto* m : ms) out.push_back(m->name);
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(deploy_rules, *boost::unit_test::label("unit"))

BOOST_AUTO_TEST_CASE(pending_are_local_migrations_without_an_unrolled_back_row) {
    const auto s = local({"1_a", "2_b", "3_c"});
    const std::vector<history_row> rows = {row(s, "1_a", "applied"), row(s, "2_b", "rolled_back")};
    const auto d = decide_deploy(s, rows);
    BOOST_TEST(names(d.pending) == (std::vector<std::string>{"2_b", "3_c"}),
               boost::test_tools::per_element());
    BOOST_TEST(d.failed.empty());
    BOOST_TEST(d.warnings.empty());
}

BOOST_AUTO_TEST_CASE(failed_rows_block_even_when_missing_locally) {
    const auto s = local({"1_a"});
    const std::vector<history_row> rows = {row(s, "1_a", "applied"), row(s, "0_gone", "failed")};
    const auto d = decide_deploy(s, rows);
    BOOST_TEST_REQUIRE(d.failed.size() == 1U);
    BOOST_TEST(d.failed[0]->migration_name == "0_gone");
    const auto text = ratchet::detail::prisma_text::p3009(d.failed);
    BOOST_TEST(
        text.find("The `0_gone` migration started at 2023-11-14 22:13:20.002 UTC failed\n") !=
        std::string::npos);
}

BOOST_AUTO_TEST_CASE(warns_on_drift_missing_locally_and_out_of_order) {
    auto s = local({"1_a", "2_b", "3_c"});
    std::vector<history_row> rows = {row(s, "1_a", "applied"), row(s, "3_c", "applied"),
                                     row(s, "9_remote", "applied")};
    rows[0].checksum = std::string(64, 'f');  // edited after it was applied
    const auto d = decide_deploy(s, rows);
    std::vector<std::string> codes;
    for (const auto& w : d.warnings)
        codes.push_back(std::string{to_string(w.code)} + ":" + w.migration);
    BOOST_TEST(codes == (std::vector<std::string>{"checksum_drift:1_a", "out_of_order:2_b",
                                                  "missing_locally:9_remote"}),
               boost::test_tools::per_element());
    const schema_contents table_only{true, true};
    const auto strict = deploy_verdict(s, table_only, d, true);
    BOOST_TEST_REQUIRE(strict.has_value());
    BOOST_TEST(strict->code() == ratchet::errc::strict_violation);
    BOOST_TEST(strict->migration() == "1_a");
    BOOST_TEST(!deploy_verdict(s, table_only, d, false).has_value());
}

// deploy() throws and plan() reports the same verdict, so its order is tested once, here.
BOOST_AUTO_TEST_CASE(deploy_verdict_follows_prismas_order_then_strict) {
    auto s = local({"1_a", "2_b"});
    std::vector<history_row> rows = {row(s, "1_a", "failed")};
    rows.push_back(row(s, "9_remote", "applied"));  // a warning for strict mode
    const auto d = decide_deploy(s, rows);
    auto code_of = [&](const migration_set& set, schema_contents c, bool strict) {
        const auto v = deploy_verdict(set, c, d, strict);
        return v ? std::string{v->code_name()} : std::string{"none"};
    };
    auto mismatched = s;
    mismatched.lock_file = "provider = \"mysql\"";
    BOOST_TEST(code_of(mismatched, {false, true}, true) == "P3019");
    BOOST_TEST(code_of(s, {false, true}, true) == "P3005");
    BOOST_TEST(code_of(s, {true, true}, true) == "P3009");
    const std::vector<history_row> clean_rows = {row(s, "1_a", "applied"),
                                                 row(s, "9_remote", "applied")};
    const auto clean = decide_deploy(s, clean_rows);
    BOOST_TEST(deploy_verdict(s, {true, false}, clean, true)->code() ==
               ratchet::errc::strict_violation);
    BOOST_TEST(!deploy_verdict(s, {false, false}, clean, false).has_value());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(status_rules, *boost::unit_test::label("unit"))

BOOST_AUTO_TEST_CASE(up_to_date_when_everything_is_applied) {
    const auto s = local({"1_a"});
    const auto st = diagnose(s, {row(s, "1_a", "applied")}, true);
    BOOST_TEST(static_cast<int>(st.summary) == static_cast<int>(status_summary::up_to_date));
    BOOST_TEST(static_cast<int>(st.migrations[0].state) ==
               static_cast<int>(migration_state::applied));
}

BOOST_AUTO_TEST_CASE(behind_beats_failed_like_prisma) {
    const auto s = local({"1_a", "2_b"});
    const auto st = diagnose(s, {row(s, "1_a", "failed")}, true);
    BOOST_TEST(static_cast<int>(st.summary) ==
               static_cast<int>(status_summary::database_is_behind));
    BOOST_TEST(st.pending == std::vector<std::string>{"2_b"}, boost::test_tools::per_element());
    BOOST_TEST(st.failed == std::vector<std::string>{"1_a"}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(diverged_histories_name_the_last_common_migration) {
    const auto s = local({"1_a", "2_b"});
    const auto st = diagnose(s, {row(s, "1_a", "applied"), row(s, "1_z_remote", "applied")}, true);
    BOOST_TEST(static_cast<int>(st.summary) == static_cast<int>(status_summary::histories_diverge));
    BOOST_TEST(st.last_common.value() == "1_a");
    BOOST_TEST(st.missing_locally == std::vector<std::string>{"1_z_remote"},
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(database_rows_missing_locally_alone_are_up_to_date) {
    const auto s = local({"1_a"});
    const auto st = diagnose(s, {row(s, "1_a", "applied"), row(s, "0_old", "applied")}, true);
    BOOST_TEST(static_cast<int>(st.summary) == static_cast<int>(status_summary::up_to_date));
}

BOOST_AUTO_TEST_CASE(failed_and_not_managed) {
    const auto s = local({"1_a"});
    BOOST_TEST(static_cast<int>(diagnose(s, {row(s, "1_a", "failed")}, true).summary) ==
               static_cast<int>(status_summary::has_failed));
    BOOST_TEST(static_cast<int>(diagnose(local({}), {}, false).summary) ==
               static_cast<int>(status_summary::not_managed));
    BOOST_TEST(static_cast<int>(diagnose(s, {}, false).summary) ==
               static_cast<int>(status_summary::database_is_behind));
}

BOOST_AUTO_TEST_CASE(only_rolled_back_attempts_count_as_pending) {
    // Deliberate difference: Prisma reports "up to date" although deploy would apply it again.
    const auto s = local({"1_a"});
    const auto st = diagnose(s, {row(s, "1_a", "rolled_back")}, true);
    BOOST_TEST(static_cast<int>(st.summary) ==
               static_cast<int>(status_summary::database_is_behind));
    BOOST_TEST(st.warnings.size() == 1U);
}

BOOST_AUTO_TEST_CASE(edited_uses_the_applied_row_and_tolerates_crlf) {
    auto s = local({"1_a", "2_b"});
    std::vector<history_row> rows = {row(s, "1_a", "applied"), row(s, "2_b", "applied")};
    rows[0].checksum = std::string(64, '0');
    const auto st = diagnose(s, rows, true);
    BOOST_TEST(st.edited == std::vector<std::string>{"1_a"}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(unreadable_recorded_migration_is_p3015) {
    auto s = local({"1_a"});
    const auto r = row(s, "1_a", "applied");
    s.migrations[0].readable = false;
    try {
        (void)diagnose(s, {r}, true);
        BOOST_FAIL("expected P3015");
    } catch (const ratchet::error& e) {
        BOOST_TEST(e.code_name() == "P3015");
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(resolve_rules, *boost::unit_test::label("unit"))

BOOST_AUTO_TEST_CASE(applied_checks_local_presence_and_finished_rows) {
    auto s = local({"1_a", "2_b"});
    const std::vector<history_row> rows = {row(s, "1_a", "applied"), row(s, "2_b", "failed"),
                                           row(s, "2_b", "rolled_back")};
    auto code_of = [&](std::string_view name) {
        try {
            (void)resolve_applied_targets(s, rows, name);
            return std::string{"ok"};
        } catch (const ratchet::error& e) {
            return std::string{e.code_name()};
        }
    };
    BOOST_TEST(code_of("nope") == "P3017");
    BOOST_TEST(code_of("1_a") == "P3008");
    BOOST_TEST(resolve_applied_targets(s, rows, "2_b").size() == 1U);  // the failed row only
    s.migrations[1].readable = false;
    BOOST_TEST(code_of("2_b") == "P3017");
}

BOOST_AUTO_TEST_CASE(rolled_back_checks_rows) {
    const auto s = local({"1_a"});
    const std::vector<history_row> rows = {row(s, "1_a", "applied"), row(s, "2_b", "failed"),
                                           row(s, "3_c", "rolled_back")};
    auto code_of = [&](std::string_view name) {
        try {
            return std::to_string(resolve_rolled_back_targets(rows, name).size());
        } catch (const ratchet::error& e) {
            return std::string{e.code_name()};
        }
    };
    BOOST_TEST(code_of("nope") == "P3011");
    BOOST_TEST(code_of("1_a") == "P3012");
    BOOST_TEST(code_of("2_b") == "1");
    BOOST_TEST(code_of("3_c") == "0");  // already rolled back: silent success
}

BOOST_AUTO_TEST_SUITE_END()
