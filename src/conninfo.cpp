#include "conninfo.hpp"

#include <ratchet/error.hpp>

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>

namespace ratchet::detail {
namespace {

// URL parameters Prisma understands that libpq does not.
constexpr std::string_view prisma_only[] = {"schema",
                                            "connection_limit",
                                            "pool_timeout",
                                            "socket_timeout",
                                            "pgbouncer",
                                            "statement_cache_size",
                                            "max_connection_lifetime",
                                            "max_idle_connection_lifetime",
                                            "single_use_connections"};

[[noreturn]] void bad_url(const std::string& what) {
    throw error(errc::invalid_input,
                "invalid database URL: " + what +
                    " (expected postgresql://USER:PASSWORD@HOST:PORT/DATABASE?schema=SCHEMA)");
}

// RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
bool is_scheme(std::string_view s) {
    if (s.empty() || !std::isalpha(static_cast<unsigned char>(s.front()))) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '+' || c == '-' || c == '.';
    });
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string percent_decode(std::string_view s, std::string_view part, bool plus_is_space) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%') {
            const int hi = i + 1 < s.size() ? hex_value(s[i + 1]) : -1;
            const int lo = i + 2 < s.size() ? hex_value(s[i + 2]) : -1;
            if (hi < 0 || lo < 0) bad_url("bad percent-encoding in the " + std::string{part});
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else if (plus_is_space && s[i] == '+') {
            out.push_back(' ');
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

void set_param(connection_target& t, std::string key, std::string value) {
    auto it = std::find_if(t.params.begin(), t.params.end(),
                           [&](const auto& p) { return p.first == key; });
    if (it != t.params.end()) {
        it->second = std::move(value);
    } else {
        t.params.emplace_back(std::move(key), std::move(value));
    }
}

void parse_host_port(connection_target& t, std::string_view hostport) {
    std::string_view host = hostport;
    std::string_view port;
    if (!hostport.empty() && hostport.front() == '[') {
        const auto close = hostport.find(']');
        if (close == std::string_view::npos) bad_url("unterminated [IPv6] host");
        host = hostport.substr(1, close - 1);
        if (close + 1 < hostport.size()) {
            if (hostport[close + 1] != ':') bad_url("unexpected text after the [IPv6] host");
            port = hostport.substr(close + 2);
        }
    } else if (const auto colon = hostport.rfind(':'); colon != std::string_view::npos) {
        host = hostport.substr(0, colon);
        port = hostport.substr(colon + 1);
    }
    if (!port.empty() && !std::all_of(port.begin(), port.end(), [](char c) {
            return std::isdigit(static_cast<unsigned char>(c)) != 0;
        })) {
        bad_url("the port is not a number");
    }
    if (!host.empty()) set_param(t, "host", percent_decode(host, "host", false));
    if (!port.empty()) set_param(t, "port", std::string{port});
}

// Prisma's TLS parameters mean something else than libpq's keywords of the same name:
// `sslcert` is the CA file (libpq: sslrootcert), `sslidentity`/`sslpassword` a PKCS#12 client
// identity and its password, `sslaccept=strict` verifies the certificate (libpq: verify-full).
bool translate_tls_parameter(connection_target& t, const std::string& key,
                             const std::string& value) {
    if (key == "sslcert") {
        set_param(t, "sslrootcert", value);
    } else if (key == "sslidentity") {
        t.ssl_identity = value;
    } else if (key == "sslpassword") {
        t.ssl_identity_password = value;
    } else if (key == "sslaccept") {
        if (value != "strict" && value != "accept_invalid_certs") {
            bad_url("sslaccept must be strict or accept_invalid_certs, not '" + value + "'");
        }
        t.ssl_strict = value == "strict";
    } else {
        return false;
    }
    return true;
}

void parse_query(connection_target& t, std::string_view query, redactor& secrets) {
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view item = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (item.empty()) continue;
        const auto eq = item.find('=');
        std::string key = percent_decode(item.substr(0, eq), "query", true);
        std::string value =
            eq == std::string_view::npos ? "" : percent_decode(item.substr(eq + 1), "query", true);
        if (key == "password" || key == "sslpassword") secrets.add(value);
        if (key == "pgbouncer") t.pgbouncer = value == "true";
        if (translate_tls_parameter(t, key, value)) continue;
        if (key == "schema") {
            t.schema = std::move(value);
        } else if (std::find(std::begin(prisma_only), std::end(prisma_only), key) !=
                   std::end(prisma_only)) {
            t.ignored.push_back(std::move(key));
        } else {
            set_param(t, std::move(key), std::move(value));
        }
    }
}

connection_target parse_url(std::string_view url, redactor& secrets) {
    connection_target t;
    std::string_view rest = url.substr(url.find("://") + 3);
    const auto query_pos = rest.find('?');
    std::string_view query;
    if (query_pos != std::string_view::npos) {
        query = rest.substr(query_pos + 1);
        rest = rest.substr(0, query_pos);
    }
    const auto slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash + 1);
    if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
        const std::string_view userinfo = authority.substr(0, at);
        authority = authority.substr(at + 1);
        const auto colon = userinfo.find(':');
        if (colon != std::string_view::npos) {
            secrets.add(std::string{userinfo.substr(colon + 1)});
            std::string password = percent_decode(userinfo.substr(colon + 1), "password", false);
            secrets.add(password);
            set_param(t, "password", std::move(password));
        }
        std::string user = percent_decode(userinfo.substr(0, colon), "user name", false);
        if (!user.empty()) set_param(t, "user", std::move(user));
    }
    parse_host_port(t, authority);
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);  // Prisma tolerates "db/"
    if (!path.empty()) set_param(t, "dbname", percent_decode(path, "database name", false));
    parse_query(t, query, secrets);
    if (t.ssl_strict) {  // strict: the certificate is checked, including the host name
        std::string mode;
        for (const auto& [k, v] : t.params) {
            if (k == "sslmode") mode = v;
        }
        if (mode.empty() || mode == "prefer" || mode == "require" || mode == "allow")
            set_param(t, "sslmode", "verify-full");
    }
    return t;
}

// Registers whatever follows "password=" before libpq parses the string, so that even its
// messages about a malformed string (which echo tokens) cannot show the password.
void register_keyword_password(std::string_view conninfo, redactor& secrets) {
    for (auto pos = conninfo.find("password"); pos != std::string_view::npos;
         pos = conninfo.find("password", pos + 8)) {
        std::size_t i = pos + 8;
        while (i < conninfo.size() && (conninfo[i] == ' ' || conninfo[i] == '=')) ++i;
        std::size_t end = i;
        if (i < conninfo.size() && conninfo[i] == '\'') {
            end = conninfo.find('\'', i + 1);
            ++i;
        } else {
            while (end < conninfo.size() && conninfo[end] != ' ') ++end;
        }
        const std::string value{
            conninfo.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i)};
        secrets.add(value);
        // The tokens of an unquoted password with spaces are echoed one by one.
        std::size_t start = 0;
        for (std::size_t sp; (sp = value.find(' ', start)) != std::string::npos; start = sp + 1) {
            secrets.add(value.substr(start, sp - start));
        }
        secrets.add(value.substr(start));
    }
}

connection_target parse_keywords(std::string_view conninfo, redactor& secrets) {
    connection_target t;
    register_keyword_password(conninfo, secrets);
    char* err = nullptr;
    std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> opts{
        PQconninfoParse(std::string{conninfo}.c_str(), &err), &PQconninfoFree};
    if (!opts) {
        std::string msg = err != nullptr ? err : "out of memory";
        PQfreemem(err);
        while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
        throw error(errc::invalid_input, secrets.redact("invalid connection string: " + msg));
    }
    for (auto* o = opts.get(); o->keyword != nullptr; ++o) {
        if (o->val == nullptr) continue;
        if (std::string_view{o->keyword} == "password") secrets.add(o->val);
        t.params.emplace_back(o->keyword, o->val);
    }
    return t;
}

std::string param_or_env(const connection_target& t, std::string_view key, const char* env) {
    for (const auto& [k, v] : t.params) {
        if (k == key) return v;
    }
    const char* v = std::getenv(env);
    return v != nullptr ? v : "";
}

}  // namespace

connection_target parse_connection(std::string_view url, redactor& secrets) {
    if (const char* pw = std::getenv("PGPASSWORD")) secrets.add(pw);
    connection_target t;
    if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
        t = parse_url(url, secrets);
    } else if (const auto scheme_end = url.find("://");
               scheme_end != std::string_view::npos && is_scheme(url.substr(0, scheme_end))) {
        // Only a real scheme is echoed: keyword strings may hold "://" after a password.
        bad_url("unsupported scheme '" + std::string{url.substr(0, scheme_end)} +
                "' (use postgresql://)");
    } else if (!url.empty()) {
        t = parse_keywords(url, secrets);
    }
    const auto d = describe(t);
    t.display = d.address() + "/" + d.database;
    return t;
}

target_description describe(const connection_target& t) {
    target_description d;
    d.host = param_or_env(t, "host", "PGHOST");
    if (d.host.empty()) d.host = param_or_env(t, "hostaddr", "PGHOSTADDR");
    if (d.host.empty()) d.host = "localhost";
    d.port = param_or_env(t, "port", "PGPORT");
    if (d.port.empty()) d.port = "5432";
    d.user = param_or_env(t, "user", "PGUSER");
    d.database = param_or_env(t, "dbname", "PGDATABASE");
    if (d.database.empty()) d.database = d.user;
    d.schema = t.schema;
    if (auto mode = param_or_env(t, "sslmode", "PGSSLMODE"); !mode.empty())
        d.sslmode = std::move(mode);
    d.ignored_parameters = t.ignored;
    d.pgbouncer = t.pgbouncer;
    return d;
}

std::string quote_identifier(std::string_view name) {
    std::string out = "\"";
    for (const char c : name) {
        out.push_back(c);
        if (c == '"') out.push_back('"');
    }
    out.push_back('"');
    return out;
}

}  // namespace ratchet::detail

namespace ratchet {
inline namespace v1 {

target_description describe_target(std::string_view url) {
    detail::redactor unused;
    return detail::describe(detail::parse_connection(url, unused));
}

}  // namespace v1
}  // namespace ratchet
