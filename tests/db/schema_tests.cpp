// ?schema= behaves as native Prisma (prisma-compat §8).
#include "db_test.hpp"

using namespace ratchet_test;
namespace utf = boost::unit_test;

BOOST_AUTO_TEST_SUITE(schema, *utf::label("db") * utf::precondition(server_available))

BOOST_AUTO_TEST_CASE(creates_the_schema_and_keeps_everything_in_it) {
    scratch_db db;
    migrations_dir dir;
    dir.add("1_a", "CREATE TABLE a (id int);");
    db.exec("CREATE TABLE public.unrelated (id int)");  // does not block a deploy to tenant1
    make_engine(db, dir, {.url = db.url("schema=tenant1")}).deploy();
    BOOST_TEST(db.table_exists("tenant1._prisma_migrations"));
    BOOST_TEST(db.table_exists("tenant1.a"));
    BOOST_TEST(!db.table_exists("public.a"));
}

BOOST_AUTO_TEST_CASE(a_table_in_the_target_schema_blocks_with_p3005) {
    scratch_db db;
    migrations_dir dir;
    dir.add("1_a", "CREATE TABLE a (id int);");
    db.exec("CREATE SCHEMA tenant2; CREATE TABLE tenant2.t (id int)");
    BOOST_TEST(error_code_of([&] {
                   make_engine(db, dir, {.url = db.url("schema=tenant2")}).deploy();
               }) == "P3005");
}

BOOST_AUTO_TEST_CASE(status_creates_a_missing_schema_but_no_table) {
    scratch_db db;
    migrations_dir dir;
    (void)make_engine(db, dir, {.url = db.url("schema=fresh")}).status();
    BOOST_TEST(db.scalar("SELECT count(*) FROM pg_namespace WHERE nspname = 'fresh'") == "1");
    BOOST_TEST(!db.table_exists("fresh._prisma_migrations"));
}

BOOST_AUTO_TEST_CASE(hostile_schema_names_cannot_inject_sql) {
    scratch_db db;
    migrations_dir dir;
    dir.add("1_a", "CREATE TABLE a (id int);");
    const std::string evil = "x\"; CREATE TABLE public.pwned (id int); --";
    make_engine(db, dir, {.schema = evil}).deploy();
    BOOST_TEST(!db.table_exists("public.pwned"));
    BOOST_TEST(db.scalar("SELECT count(*) FROM pg_namespace WHERE nspname = '" +
                         std::string{"x\"; CREATE TABLE public.pwned (id int); --"} + "'") == "1");
}

BOOST_AUTO_TEST_CASE(options_schema_overrides_the_url) {
    scratch_db db;
    migrations_dir dir;
    make_engine(db, dir, {.url = db.url("schema=from_url"), .schema = "from_options"}).deploy();
    BOOST_TEST(db.table_exists("from_options._prisma_migrations"));
}

BOOST_AUTO_TEST_SUITE_END()
