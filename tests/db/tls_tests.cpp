// Prisma's TLS URL parameters, with Prisma's meaning, against the throwaway cluster's TLS (a test
// CA, a server certificate for 127.0.0.1 and a PKCS#12 client identity: scripts/pg-cluster.sh).
#include "db_test.hpp"

#include <cstdlib>

using namespace ratchet_test;
namespace utf = boost::unit_test;

namespace {

std::optional<std::string> tls_file(const char* var) {
    if (const char* v = std::getenv(var); v != nullptr && *v != '\0') return std::string{v};
    if (in_ci())
        BOOST_FAIL(std::string{var} +
                   " is not set: scripts/pg-cluster.sh enables TLS when openssl is installed");
    BOOST_TEST_MESSAGE("skipped: " << var << " is not set");
    return std::nullopt;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(prisma_tls, *utf::label("db") * utf::precondition(server_available))

BOOST_AUTO_TEST_CASE(sslcert_is_the_ca_and_strict_verifies_the_server) {
    const auto ca = tls_file("RATCHET_TEST_TLS_CA");
    const auto other = tls_file("RATCHET_TEST_TLS_OTHER_CA");
    if (!ca || !other) return;
    scratch_db db;
    migrations_dir dir;
    dir.add("1_a",
            "CREATE TABLE tls_check AS SELECT ssl FROM pg_catalog.pg_stat_ssl WHERE pid = "
            "pg_backend_pid();");
    BOOST_TEST(
        make_engine(db, dir, {.url = db.url("sslmode=require&sslaccept=strict&sslcert=" + *ca)})
            .deploy()
            .applied.size() == 1U);
    BOOST_TEST(*db.scalar("SELECT ssl FROM tls_check") == "t");
    try {
        (void)make_engine(db, dir,
                          {.url = db.url("sslmode=require&sslaccept=strict&sslcert=" + *other)})
            .status();
        BOOST_FAIL("a server certificate from another CA must be refused");
    } catch (const ratchet::error& e) {
        BOOST_TEST(e.code_name() == "P1001");
        BOOST_TEST(std::string{e.what()}.find("certificate") != std::string::npos, e.what());
    }
}

BOOST_AUTO_TEST_CASE(sslidentity_presents_the_pkcs12_client_certificate) {
    const auto p12 = tls_file("RATCHET_TEST_TLS_CLIENT_P12");
    const auto password = tls_file("RATCHET_TEST_TLS_CLIENT_P12_PASSWORD");
    if (!p12 || !password) return;
    scratch_db db;
    migrations_dir dir;
    dir.add("1_who",
            "CREATE TABLE who AS SELECT client_dn FROM pg_catalog.pg_stat_ssl WHERE pid = "
            "pg_backend_pid();");
    BOOST_TEST(make_engine(db, dir,
                           {.url = db.url("sslmode=require&sslidentity=" + *p12 +
                                          "&sslpassword=" + *password)})
                   .deploy()
                   .applied.size() == 1U);
    BOOST_TEST(*db.scalar("SELECT client_dn FROM who") == "/CN=ratchet-test-client");
    try {
        (void)make_engine(db, dir,
                          {.url = db.url("sslmode=require&sslidentity=" + *p12 +
                                         "&sslpassword=Wrong-" + *password)})
            .status();
        BOOST_FAIL("a wrong sslpassword must fail");
    } catch (const ratchet::error& e) {
        const std::string text = e.what();
        BOOST_TEST(e.code_name() == "invalid_input");
        BOOST_TEST(text.find(*p12) != std::string::npos, text);
        BOOST_TEST(text.find(*password) == std::string::npos,
                   "the password is never shown: " << text);
    }
}

BOOST_AUTO_TEST_SUITE_END()
