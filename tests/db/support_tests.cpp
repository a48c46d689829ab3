// The shared test support (tests/support/) keeps the promises every other test relies on: a
// scratch database of one's own, dropped afterwards; child processes whose exit codes, output
// and environment are what the test says.
#include "db_test.hpp"

#include <signal.h>

using namespace ratchet_test;
using namespace std::chrono_literals;
namespace utf = boost::unit_test;

namespace {

bool database_exists(const std::string& name) {
    return scalar(*admin_url(),
                  "SELECT count(*) FROM pg_database WHERE datname = '" + name + "'") == "1";
}

bool role_exists(const std::string& name) {
    return scalar(*admin_url(), "SELECT count(*) FROM pg_roles WHERE rolname = '" + name + "'") ==
           "1";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(support_scratch_db, *utf::label("db") * utf::precondition(server_available))

BOOST_AUTO_TEST_CASE(each_test_gets_its_own_database_dropped_afterwards) {
    std::string first;
    std::string second;
    {
        const scratch_db a;
        const scratch_db b;
        first = a.name();
        second = b.name();
        BOOST_TEST(first != second);
        BOOST_TEST(a.scalar("SELECT current_database()") == first);
        a.exec("CREATE TABLE only_in_a (id int)");
        BOOST_TEST(a.table_exists("only_in_a"));
        BOOST_TEST(!b.table_exists("only_in_a"));
        const session open{a.url("application_name=left_open")};  // dropped WITH (FORCE)
        BOOST_TEST(database_exists(first));
    }
    BOOST_TEST(!database_exists(first));
    BOOST_TEST(!database_exists(second));
}

BOOST_AUTO_TEST_CASE(own_role_owns_the_database_and_logs_in_with_a_hostile_password) {
    std::string user;
    {
        const scratch_db db{{.own_role = true}};
        user = db.user();
        for (const char c : std::string{"'\\\"\t%&=?"}) {
            BOOST_TEST(db.password().find(c) != std::string::npos, "password lacks " << c);
        }
        BOOST_TEST(db.owner_url().find(db.password()) == std::string::npos);  // percent-encoded
        BOOST_TEST(scalar(db.owner_url(), "SELECT current_user") == user);
        BOOST_TEST(db.scalar("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = "
                             "current_database()") == user);
        BOOST_TEST(!db.host().empty());
        BOOST_TEST(db.url().find(":" + db.port() + "/") != std::string::npos);
    }
    BOOST_TEST(!role_exists(user));
}

BOOST_AUTO_TEST_CASE(rows_keep_nulls_and_order) {
    const scratch_db db;
    const auto r = db.rows("SELECT * FROM (VALUES (1, NULL), (2, 'b')) v(a, b) ORDER BY a");
    BOOST_TEST_REQUIRE(r.size() == 2U);
    BOOST_TEST(r[0][0] == std::optional<std::string>{"1"});
    BOOST_TEST(r[0][1] == std::optional<std::string>{});
    BOOST_TEST(r[1][1] == std::optional<std::string>{"b"});
    BOOST_TEST(db.scalar("SELECT NULL") == std::optional<std::string>{});
    BOOST_TEST(db.scalar("SELECT 1 WHERE false") == std::optional<std::string>{});
    BOOST_CHECK_THROW(db.exec("SELECT * FROM no_such_table"), std::runtime_error);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(support_urls, *utf::label("db"))

BOOST_AUTO_TEST_CASE(database_and_query_are_replaced_keeping_the_rest) {
    BOOST_TEST(with_database("postgresql://u:p%40ss@h:5433/postgres?sslmode=disable", "x") ==
               "postgresql://u:p%40ss@h:5433/x?sslmode=disable");
    BOOST_TEST(with_database("postgresql://u@h:1", "x") == "postgresql://u@h:1/x");
    BOOST_TEST(with_query("postgresql://u@h/x?a=1", "schema=s") ==
               "postgresql://u@h/x?a=1&schema=s");
    BOOST_TEST(with_query("postgresql://u@h/x", "schema=s") == "postgresql://u@h/x?schema=s");
    BOOST_CHECK_THROW((void)with_database("host=h dbname=d", "x"), std::runtime_error);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(support_child_process, *utf::label("db"))

BOOST_AUTO_TEST_CASE(exit_codes_signals_and_output) {
    const auto r = run({"sh", "-c", "echo out; echo err >&2; exit 3"});
    BOOST_TEST(r.code == 3);
    BOOST_TEST(!r.timed_out);
    BOOST_TEST(r.out == "out\nerr\n");
    BOOST_TEST(r.err.empty());
    const auto split = run({"sh", "-c", "echo out; echo err >&2"}, {.separate_stderr = true});
    BOOST_TEST(split.code == 0);
    BOOST_TEST(split.out == "out\n");
    BOOST_TEST(split.err == "err\n");
    BOOST_TEST(run({"sh", "-c", "kill -TERM $$"}).code == 128 + SIGTERM);
    BOOST_CHECK_THROW(child_process({"/nonexistent/ratchet-no-such-program"}), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(a_child_that_does_not_finish_is_killed_and_its_output_kept) {
    child_process c{{"sh", "-c", "echo started; exec sleep 60"}};
    BOOST_TEST(!c.wait_for(50ms).has_value());
    BOOST_TEST(c.running());
    BOOST_TEST(c.kill9() == 128 + SIGKILL);
    BOOST_TEST(!c.running());
    BOOST_TEST(c.output() == "started\n");
    const auto r = run({"sleep", "60"}, {}, 50ms);
    BOOST_TEST(r.timed_out);
    BOOST_TEST(r.code == -1);
}

BOOST_AUTO_TEST_CASE(environment_is_inherited_changed_or_replaced) {
    ::setenv("RATCHET_SUPPORT_PROBE", "inherited", 1);
    BOOST_TEST(run({"sh", "-c", "echo ${RATCHET_SUPPORT_PROBE-unset}"}).out == "inherited\n");
    BOOST_TEST(run({"sh", "-c", "echo ${RATCHET_SUPPORT_PROBE-unset}"},
                   {.env_set = {{"RATCHET_SUPPORT_PROBE", std::nullopt}}})
                   .out == "unset\n");
    BOOST_TEST(run({"sh", "-c", "echo ${RATCHET_SUPPORT_PROBE-unset}"},
                   {.env_set = {{"RATCHET_SUPPORT_PROBE", "it's set"}}})
                   .out == "it's set\n");
    const auto only =
        run({"/usr/bin/env"}, {.env = std::map<std::string, std::string>{{"A", "1"}}});
    BOOST_TEST(only.out == "A=1\n");
    ::unsetenv("RATCHET_SUPPORT_PROBE");
}

BOOST_AUTO_TEST_SUITE_END()
