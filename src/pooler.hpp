// Connection poolers between ratchet and PostgreSQL. Behind a transaction pooler (PgBouncer in
// transaction mode, Supavisor, Neon's pooled endpoints, RDS Proxy) consecutive transactions of
// one client connection may run on different server sessions, so nothing session-scoped (the
// advisory lock, SET search_path, LISTEN) is safe there; deploy then runs "pooler-safe".
#pragma once

#include "pg.hpp"

#include <optional>
#include <string>

namespace ratchet::detail {

/// Probes the open connection: a server pid that differs from the one in the connection's
/// BackendKeyData means something between libpq and the server. Whether it keeps sessions
/// (PgBouncer's session mode) or not cannot be told reliably while others use the pool, so any
/// pooler counts; options::pooler = direct overrides it.
/// @return the reason when there is one, nullopt for a direct connection.
std::optional<std::string> probe_pooler(pg_connection& c);

}  // namespace ratchet::detail
