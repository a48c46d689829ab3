#include "pooler.hpp"

#include <ratchet/target.hpp>

#include <string_view>

namespace ratchet {
inline namespace v1 {
namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::optional<std::string> known_pooler(const target_description& t) {
    if (t.pgbouncer) return "the URL sets pgbouncer=true";
    const std::string_view host = t.host;
    if (ends_with(host, ".pooler.supabase.com")) return "the host is Supabase's connection pooler";
    if (host.find("-pooler.") != std::string_view::npos &&
        host.find(".neon.tech") != std::string_view::npos) {
        return "the host is a Neon pooled endpoint";
    }
    if (host.find(".proxy-") != std::string_view::npos && ends_with(host, ".rds.amazonaws.com")) {
        return "the host is an RDS Proxy endpoint";
    }
    return std::nullopt;
}

}  // namespace v1
}  // namespace ratchet

namespace ratchet::detail {
namespace {

int server_pid(pg_connection& c) {
    return std::stoi(std::string{c.exec("SELECT pg_backend_pid()").get(0, 0)});
}

}  // namespace

std::optional<std::string> probe_pooler(pg_connection& c) {
    if (server_pid(c) == c.backend_pid()) return std::nullopt;  // libpq talks to the server itself
    return "the server session is not the one the connection was opened with (a connection pooler "
           "or proxy)";
}

}  // namespace ratchet::detail
