#include "handler/db_config.hpp"

#include "aws/aws_env.hpp"
#include "aws/rds_iam_token.hpp"
#include "aws/redact.hpp"
#include "aws/secrets.hpp"
#include "aws/text.hpp"
#include "handler/conninfo.hpp"

#include <ratchet/target.hpp>

#include <filesystem>

namespace ratchet::lambda {

namespace {

struct endpoint {
    std::string host;
    std::string port;
    std::string dbname;
};

std::string first_of(std::initializer_list<std::string> values) {
    for (const auto& v : values) {
        if (!v.empty()) return v;
    }
    return {};
}

endpoint endpoint_from(const resource_properties& p, const db_secret* s) {
    endpoint e;
    e.host = first_of({p.database_host, s ? s->host : "", env_or_empty("DATABASE_HOST")});
    e.port = first_of(
        {p.database_port, s && s->port ? *s->port : "", env_or_empty("DATABASE_PORT"), "5432"});
    e.dbname =
        first_of({p.database_name, s ? s->dbname : "", env_or_empty("DATABASE_NAME"), "postgres"});
    return e;
}

std::string schema_of(const resource_properties& p, const std::string& url_schema) {
    return first_of({p.schema.value_or(""), url_schema, "public"});
}

int port_number(const std::string& port) {
    try {
        std::size_t used = 0;
        const int v = std::stoi(port, &used);
        if (used == port.size() && v > 0 && v < 65536) return v;
    } catch (const std::exception&) {
    }
    throw config_error("DatabasePort must be a TCP port number");
}

db_config finish(const resource_properties& p, const endpoint& e, const std::string& user,
                 const std::string& password, std::string source) {
    if (e.host.empty())
        throw config_error("no database host: set the DatabaseHost property or DATABASE_HOST");
    (void)port_number(e.port);
    const auto [sslmode, rootcert] = tls_for_host(e.host);
    db_config c;
    c.url = build_conninfo({{"host", e.host},
                            {"port", e.port},
                            {"dbname", e.dbname},
                            {"user", user},
                            {"password", password},
                            {"sslmode", sslmode},
                            {"sslrootcert", rootcert}});
    c.schema = p.schema;
    c.source = std::move(source);
    c.host = e.host;
    return c;
}

/// url with sslmode (and sslrootcert) added when it sets none: libpq's own default, prefer,
/// falls back to plain text when the server (or a man in the middle) offers no TLS.
std::string with_tls(const std::string& url, const ratchet::target_description& t) {
    if (t.sslmode) return url;  // the operator's explicit choice
    const auto [mode, root] = tls_for_host(t.host.empty() ? "localhost" : t.host);
    const bool is_url = url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0;
    if (!is_url) return url + " " + build_conninfo({{"sslmode", mode}, {"sslrootcert", root}});
    std::string out = url;
    const auto hash = out.find('#');
    if (hash != std::string::npos) out.erase(hash);
    out += out.find('?') == std::string::npos ? "?" : "&";
    out += "sslmode=" + uri_encode(mode);
    if (!root.empty()) out += "&sslrootcert=" + uri_encode(root);
    return out;
}

db_config from_url(const resource_properties& p, const std::string& url) {
    const ratchet::target_description t = ratchet::describe_target(url);
    db_config c;
    c.url = with_tls(url, t);
    c.schema = p.schema;
    c.source = "DATABASE_URL";
    c.host = t.host;
    return c;
}

db_config from_secret(const resource_properties& p, const std::string& arn,
                      std::chrono::milliseconds timeout) {
    const db_secret s = parse_db_secret(fetch_secret_string(arn, timeout), arn);
    const bool extension = !env_or_empty("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT").empty();
    return finish(p, endpoint_from(p, &s), s.username, s.password,
                  extension ? "extension" : "secretsmanager");
}

db_config from_iam(const resource_properties& p) {
    const endpoint e = endpoint_from(p, nullptr);
    // The token is the password: it must never travel in clear text.
    if (const auto mode = tls_for_host(e.host).first;
        mode != "require" && mode != "verify-ca" && mode != "verify-full") {
        throw config_error(
            "IamAuth needs TLS: RATCHET_SSLMODE must be require, verify-ca or verify-full (not " +
            mode + ")");
    }
    const std::string user = first_of({p.database_user, env_or_empty("DATABASE_USER")});
    if (user.empty())
        throw config_error(
            "IamAuth is true but no DatabaseUser property (or DATABASE_USER) is set");
    if (e.host.empty())
        throw config_error("no database host: set the DatabaseHost property or DATABASE_HOST");
    const std::string region = region_from_env();
    if (region.empty()) throw config_error("IamAuth needs AWS_REGION");
    const std::string token =
        rds_iam_token({e.host, port_number(e.port), user, region}, credentials_from_env());
    register_secret(token);
    return finish(p, e, user, token, "iam");
}

}  // namespace

std::string make_physical_id(const std::string& host, const std::string& port,
                             const std::string& db, const std::string& schema) {
    return "ratchet:" + host + ":" + port + "/" + db + "/" + schema;
}

std::pair<std::string, std::string> tls_for_host(const std::string& host) {
    std::string mode = env_or_empty("RATCHET_SSLMODE");
    if (mode.empty()) mode = is_loopback_host(host) ? "prefer" : "verify-full";
    std::string root = env_or_empty("RATCHET_SSLROOTCERT");
    if (root.empty() && mode.rfind("verify-", 0) == 0) {
        const std::string task_root = first_of({env_or_empty("LAMBDA_TASK_ROOT"), "/var/task"});
        for (const std::string& candidate : {task_root + "/certs/rds-global-bundle.pem",
                                             std::string("/etc/pki/tls/certs/ca-bundle.crt"),
                                             std::string("/etc/ssl/certs/ca-certificates.crt")}) {
            std::error_code ec;
            if (std::filesystem::is_regular_file(candidate, ec)) {
                root = candidate;
                break;
            }
        }
    }
    return {mode, root};
}

std::string physical_id_of(const resource_properties& p) {
    if (const std::string url = env_or_empty("DATABASE_URL"); !url.empty()) {
        const ratchet::target_description t = ratchet::describe_target(url);
        return make_physical_id(first_of({t.host, "localhost"}), t.port,
                                first_of({t.database, "postgres"}),
                                schema_of(p, t.schema.value_or("")));
    }
    const endpoint e = endpoint_from(p, nullptr);
    return make_physical_id(first_of({e.host, "unknown"}), e.port, e.dbname, schema_of(p, ""));
}

db_config resolve_db_config(const resource_properties& p, std::chrono::milliseconds timeout) {
    if (const std::string url = env_or_empty("DATABASE_URL"); !url.empty()) return from_url(p, url);
    // An explicit IamAuth=true wins over a secret: the CDK construct passes the instance's
    // secret (SecretArn) even when IAM authentication is chosen.
    const bool iam = p.iam_auth || prop_bool({{"v", env_or_empty("RATCHET_IAM_AUTH")}}, "v");
    if (iam) return from_iam(p);
    const std::string arn = first_of({p.secret_arn, env_or_empty("DATABASE_SECRET_ARN")});
    if (!arn.empty()) return from_secret(p, arn, timeout);
    throw config_error(
        "no database credentials: set DATABASE_URL, a SecretArn property (or DATABASE_SECRET_ARN), "
        "or IamAuth=true with DatabaseUser");
}

}  // namespace ratchet::lambda
