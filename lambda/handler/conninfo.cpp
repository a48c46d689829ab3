#include "handler/conninfo.hpp"

#include "aws/text.hpp"

#include <cctype>
#include <map>

#include <arpa/inet.h>
#include <netinet/in.h>

namespace ratchet::lambda {

namespace {

/// Keyword string "a=1 b='x y'" → map (quoted values unescaped).
std::map<std::string, std::string> parse_keywords(std::string_view s) {
    std::map<std::string, std::string> out;
    std::size_t i = 0;
    const auto skip_space = [&] { while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i])) != 0) ++i; };
    while (true) {
        skip_space();
        if (i >= s.size()) break;
        const auto eq = s.find('=', i);
        if (eq == std::string_view::npos) break;
        std::string key(trim(s.substr(i, eq - i)));
        i = eq + 1;
        skip_space();
        std::string value;
        if (i < s.size() && s[i] == '\'') {
            for (++i; i < s.size() && s[i] != '\''; ++i) {
                if (s[i] == '\\' && i + 1 < s.size()) ++i;
                value += s[i];
            }
            ++i;
        } else {
            while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i])) == 0) value += s[i++];
        }
        out[key] = value;
    }
    return out;
}

std::string query_param(std::string_view query, std::string_view name) {
    std::size_t start = 0;
    while (start < query.size()) {
        const auto end = std::min(query.find('&', start), query.size());
        const auto kv = query.substr(start, end - start);
        const auto eq = kv.find('=');
        if (eq != std::string_view::npos && kv.substr(0, eq) == name) return uri_decode(kv.substr(eq + 1));
        start = end + 1;
    }
    return {};
}

db_target parse_url(std::string_view url) {
    db_target t;
    std::string_view rest = url.substr(url.find("://") + 3);
    const auto qpos = rest.find('?');
    const std::string_view query = qpos == std::string_view::npos ? "" : rest.substr(qpos + 1);
    rest = rest.substr(0, qpos);
    const auto slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    if (slash != std::string_view::npos) t.dbname = uri_decode(rest.substr(slash + 1));
    const auto at = authority.rfind('@');
    if (at != std::string_view::npos) authority = authority.substr(at + 1);  // drop user:password
    const auto colon = authority.rfind(':');
    const bool bracketed = !authority.empty() && authority.front() == '[';
    if (colon != std::string_view::npos && (!bracketed || authority[colon - 1] == ']')) {
        t.host = uri_decode(authority.substr(0, colon));
        t.port = std::string(authority.substr(colon + 1));
    } else {
        t.host = uri_decode(authority);
    }
    if (bracketed && t.host.size() > 2) t.host = t.host.substr(1, t.host.size() - 2);
    t.schema = query_param(query, "schema");
    t.sslmode = query_param(query, "sslmode");
    if (t.host.empty()) t.host = query_param(query, "host");
    return t;
}

}  // namespace

std::string quote_conninfo_value(std::string_view value) {
    std::string out = "'";
    for (const char c : value) {
        if (c == '\'' || c == '\\') out += '\\';
        out += c;
    }
    out += '\'';
    return out;
}

std::string build_conninfo(const std::vector<std::pair<std::string, std::string>>& kv) {
    std::string out;
    for (const auto& [k, v] : kv) {
        if (v.empty()) continue;
        if (!out.empty()) out += ' ';
        out += k + "=" + quote_conninfo_value(v);
    }
    return out;
}

db_target parse_target(std::string_view url) {
    const std::string_view u = trim(url);
    if (u.rfind("postgresql://", 0) == 0 || u.rfind("postgres://", 0) == 0) return parse_url(u);
    const auto kw = parse_keywords(u);
    db_target t;
    const auto get = [&](const char* k) { const auto it = kw.find(k); return it == kw.end() ? std::string{} : it->second; };
    t.host = get("host");
    if (t.host.empty()) t.host = get("hostaddr");
    if (!get("port").empty()) t.port = get("port");
    t.dbname = get("dbname");
    t.sslmode = get("sslmode");
    return t;
}

bool is_loopback_host(std::string_view host) {
    if (host.empty() || host.front() == '/' || host.front() == '@' || host == "localhost") return true;
    // Addresses only: a DNS name such as "127.example.com" can resolve anywhere.
    const std::string h(host);
    in_addr v4{};
    if (::inet_pton(AF_INET, h.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24U) == 127U;
    in6_addr v6{};
    return ::inet_pton(AF_INET6, h.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

}  // namespace ratchet::lambda
