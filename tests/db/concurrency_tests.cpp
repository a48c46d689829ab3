// Several deployers at once, from threads and from processes: each migration exactly once.
#include "db_test.hpp"

#include <thread>

using namespace ratchet_test;
namespace utf = boost::unit_test;

namespace {

void add_many(const migrations_dir& dir, int count) {
    for (int i = 0; i < count; ++i) {
        char name[32];
        std::snprintf(name, sizeof name, "%04d_m", i);
        dir.add(name, "CREATE TABLE t" + std::to_string(i) + " (id int); INSERT INTO t" +
                          std::to_string(i) + " VALUES (" + std::to_string(i) + ");");
    }
}

void expect_each_applied_once(const scratch_db& db, int count) {
    BOOST_TEST(db.scalar("SELECT count(*) FROM _prisma_migrations") == std::to_string(count));
    BOOST_TEST(db.scalar("SELECT count(DISTINCT migration_name) FROM _prisma_migrations WHERE "
                         "finished_at IS NOT NULL AND rolled_back_at IS NULL") ==
               std::to_string(count));
    // In order: started_at follows the directory order.
    BOOST_TEST(
        db.scalar("SELECT bool_and(ok) FROM (SELECT migration_name >= lag(migration_name, 1, '') "
                  "OVER (ORDER BY started_at) AS ok FROM _prisma_migrations) s") == "t");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(concurrency, *utf::label("db") * utf::precondition(server_available))

BOOST_AUTO_TEST_CASE(threads_apply_each_migration_exactly_once) {
    scratch_db db;
    migrations_dir dir;
    add_many(dir, 40);
    constexpr int deployers = 8;
    std::vector<std::thread> threads;
    std::vector<std::size_t> applied(deployers);
    std::vector<std::string> errors(deployers);
    for (int i = 0; i < deployers; ++i) {
        threads.emplace_back([&, i] {
            try {
                applied[i] = make_engine(db, dir).deploy().applied.size();
            } catch (const std::exception& e) {
                errors[i] = e.what();
            }
        });
    }
    for (auto& t : threads) t.join();
    std::size_t total = 0;
    for (int i = 0; i < deployers; ++i) {
        BOOST_TEST(errors[i].empty(), errors[i]);
        total += applied[i];
    }
    BOOST_TEST(total == 40U);
    expect_each_applied_once(db, 40);
}

BOOST_AUTO_TEST_CASE(processes_apply_each_migration_exactly_once) {
    const std::string cli = RATCHET_CLI_PATH;
    if (cli.empty()) return;  // CLI not built in this configuration
    scratch_db db;
    migrations_dir dir;
    add_many(dir, 40);
    const std::string url = db.url();
    const std::string path = dir.path().string();
    std::vector<child_process> deployers;
    for (int i = 0; i < 6; ++i) {
        deployers.emplace_back(
            std::vector<std::string>{cli, "deploy", "--url", url, "--dir", path, "--quiet"});
    }
    for (auto& d : deployers) {
        const auto code = d.wait_for(std::chrono::seconds{120});
        BOOST_TEST(code.value_or(-1) == 0, d.output());
    }
    expect_each_applied_once(db, 40);
}

BOOST_AUTO_TEST_SUITE_END()
