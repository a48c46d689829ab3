#include "handler/conninfo.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

namespace ratchet::lambda {

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

bool is_loopback_host(std::string_view host) {
    if (host.empty() || host.front() == '/' || host.front() == '@' || host == "localhost")
        return true;
    // Addresses only: a DNS name such as "127.example.com" can resolve anywhere.
    const std::string h(host);
    in_addr v4{};
    if (::inet_pton(AF_INET, h.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24U) == 127U;
    in6_addr v6{};
    return ::inet_pton(AF_INET6, h.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

}  // namespace ratchet::lambda
