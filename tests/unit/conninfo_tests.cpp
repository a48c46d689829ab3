// Prisma's URL form and libpq keyword strings; secrets never in errors.
#include "conninfo.hpp"

#include <ratchet/engine.hpp>
#include <ratchet/error.hpp>

#include <boost/test/unit_test.hpp>

#include "../support/printing.hpp"

using namespace ratchet::detail;

namespace {
std::string param(const connection_target& t, std::string_view key) {
    for (const auto& [k, v] : t.params) {
        if (k == key) return v;
    }
    return "<unset>";
}
}  // namespace

BOOST_AUTO_TEST_SUITE(conninfo, *boost::unit_test::label("unit"))

BOOST_AUTO_TEST_CASE(parses_prisma_urls) {
    redactor r;
    const auto t = parse_connection(
        "postgresql://app%40corp:p%40ss%2Fw0rd@db.example.com:6543/"
        "my%20db?schema=tenant%201&sslmode=require&connection_limit=5",
        r);
    BOOST_TEST(param(t, "user") == "app@corp");
    BOOST_TEST(param(t, "password") == "p@ss/w0rd");
    BOOST_TEST(param(t, "host") == "db.example.com");
    BOOST_TEST(param(t, "port") == "6543");
    BOOST_TEST(param(t, "dbname") == "my db");
    BOOST_TEST(param(t, "sslmode") == "require");
    BOOST_TEST(param(t, "connection_limit") == "<unset>");
    BOOST_TEST(t.schema.value() == "tenant 1");
    BOOST_TEST(t.display == "db.example.com:6543/my db");
    BOOST_TEST(r.redact("error: p@ss/w0rd and p%40ss%2Fw0rd") == "error: ******** and ********");
}

BOOST_AUTO_TEST_CASE(parses_ipv6_and_socket_hosts) {
    redactor r;
    const auto v6 = parse_connection("postgres://u@[::1]:5433/d", r);
    BOOST_TEST(param(v6, "host") == "::1");
    BOOST_TEST(param(v6, "port") == "5433");
    const auto sock = parse_connection("postgresql://u@localhost/d?host=/var/run/postgresql", r);
    BOOST_TEST(param(sock, "host") == "/var/run/postgresql");
}

BOOST_AUTO_TEST_CASE(accepts_libpq_keyword_strings) {
    redactor r;
    const auto t =
        parse_connection("host=127.0.0.1 port=5432 dbname=app user=me password='se cret'", r);
    BOOST_TEST(param(t, "password") == "se cret");
    BOOST_TEST(!t.schema.has_value());
    BOOST_TEST(r.redact("se cret") == "********");
}

BOOST_AUTO_TEST_CASE(malformed_input_is_one_clear_error_without_the_password) {
    redactor r;
    for (const std::string url :
         {"postgresql://u:hunter2pw@host:port/db", "mysql://u:hunter2pw@h/d",
          "postgresql://u:hunter2pw@h/d%zz", "host=h password=hunter2pw bogus=1"}) {
        try {
            (void)parse_connection(url, r);
            BOOST_FAIL("expected an error for " + url);
        } catch (const ratchet::error& e) {
            BOOST_TEST((e.code() == ratchet::errc::invalid_input));
            BOOST_TEST(std::string{e.what()}.find("hunter2pw") == std::string::npos, e.what());
        }
    }
}

BOOST_AUTO_TEST_CASE(translates_prismas_tls_parameters_to_libpqs) {
    redactor r;
    const auto strict = parse_connection(
        "postgresql://u@h/db?sslmode=require&sslcert=certs/"
        "ca.pem&sslaccept=strict&sslidentity=id.p12&sslpassword=P12pw",
        r);
    BOOST_TEST(param(strict, "sslrootcert") == "certs/ca.pem");  // Prisma's sslcert is the CA
    BOOST_TEST(param(strict, "sslcert") == "<unset>");
    BOOST_TEST(param(strict, "sslmode") == "verify-full");
    BOOST_TEST(param(strict, "sslpassword") ==
               "<unset>");  // it opens the PKCS#12 file, not a PEM key
    BOOST_TEST(*strict.ssl_identity == "id.p12");
    BOOST_TEST(strict.ssl_identity_password == "P12pw");
    BOOST_TEST(r.redact("P12pw") == "********");
    const auto lax =
        parse_connection("postgresql://u@h/db?sslmode=require&sslaccept=accept_invalid_certs", r);
    BOOST_TEST(param(lax, "sslmode") == "require");
    BOOST_TEST(
        parse_connection("postgresql://u@h/db?sslmode=disable&sslaccept=strict", r).params.size() >=
        1U);
    BOOST_CHECK_THROW(parse_connection("postgresql://u@h/db?sslaccept=sometimes", r),
                      ratchet::error);
}

BOOST_AUTO_TEST_CASE(quotes_identifiers_safely) {
    BOOST_TEST(quote_identifier("plain") == "\"plain\"");
    BOOST_TEST(quote_identifier("x\"; DROP TABLE t; --") == "\"x\"\"; DROP TABLE t; --\"");
}

BOOST_AUTO_TEST_CASE(engine_rejects_a_bad_url_at_construction) {
    BOOST_CHECK_THROW(ratchet::engine(ratchet::options{.url = "postgresql://h:99x/d"}),
                      ratchet::error);
}

BOOST_AUTO_TEST_SUITE_END()
