// A password never shows up in any log line, error text or result.
#include "db_test.hpp"

using namespace ratchet_test;
namespace utf = boost::unit_test;

namespace {
const std::string password = "Sup3r-S3cret-Pw!";

std::string with_password(const std::string& url) {
    const auto scheme_end = url.find("://") + 3;
    const auto at = url.find('@', scheme_end);
    return url.substr(0, at) + ":" + "Sup3r-S3cret-Pw%21" + url.substr(at);
}
}  // namespace

BOOST_AUTO_TEST_SUITE(secrets, *utf::label("db") * utf::precondition(server_available))

BOOST_AUTO_TEST_CASE(password_never_appears_in_logs_errors_or_results) {
    scratch_db db;
    migrations_dir dir;
    // The script itself mentions the password, so the server's error echoes it back.
    dir.add("1_a", "CREATE TABLE a (id int);");
    dir.add("2_b", "SELECT * FROM \"Sup3r-S3cret-Pw!\";");
    captured_log log;
    std::vector<std::string> texts;
    try {
        make_engine(db, dir, {.url = with_password(db.url()), .on_log = log.sink()}).deploy();
    } catch (const ratchet::error& e) {
        texts.emplace_back(e.what());
    }
    try {  // connection failure: unreachable port
        make_engine(
            db, dir,
            {.url = "postgresql://u:Sup3r-S3cret-Pw%21@127.0.0.1:1/x", .on_log = log.sink()})
            .deploy();
    } catch (const ratchet::error& e) {
        texts.emplace_back(e.what());
    }
    try {  // malformed URL
        make_engine(db, dir, {.url = "postgresql://u:Sup3r-S3cret-Pw%21@h:x/d"});
    } catch (const ratchet::error& e) {
        texts.emplace_back(e.what());
    }
    BOOST_TEST(texts.size() == 3U);
    texts.insert(texts.end(), log.lines.begin(), log.lines.end());
    for (const auto& row : db.rows("SELECT coalesce(logs, '') FROM _prisma_migrations"))
        texts.push_back(*row[0]);
    BOOST_TEST(!log.lines.empty());
    for (const auto& t : texts) {
        BOOST_TEST(t.find(password) == std::string::npos, t);
        BOOST_TEST(t.find("Sup3r-S3cret-Pw%21") == std::string::npos, t);
    }
}

BOOST_AUTO_TEST_SUITE_END()
