#include "aws/secrets.hpp"

#include "aws/aws_env.hpp"
#include "aws/http_client.hpp"
#include "aws/redact.hpp"
#include "aws/sigv4.hpp"
#include "aws/text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <iterator>
#include <thread>

namespace ratchet::lambda {

namespace {

using json = nlohmann::json;
using std::chrono::milliseconds;

constexpr milliseconds connect_timeout{5'000};

std::string clip(std::string_view s) {
    return truncate_utf8(redact(s), 300);
}

/// {"__type":"...#ResourceNotFoundException","message":"..."} → secret_error
secret_error aws_error(long status, const std::string& body) {
    std::string type = "HTTP" + std::to_string(status);
    std::string message;
    try {
        const json j = json::parse(body);
        type = j.value("__type", type);
        message = j.contains("message") ? j.value("message", "") : j.value("Message", "");
    } catch (const json::exception&) {
        message = body;
    }
    type = type.substr(type.find('#') == std::string::npos ? 0 : type.find('#') + 1);
    return {type, "Secrets Manager GetSecretValue failed: " + type +
                      (message.empty() ? "" : ": " + clip(message))};
}

std::string secret_string_of(const std::string& body) {
    register_secret(body);
    try {
        const json j = json::parse(body);
        if (!j.contains("SecretString") || !j["SecretString"].is_string()) {
            throw secret_error(
                "InvalidSecret",
                "it has no SecretString (a SecretBinary secret is not supported: store "
                "the credentials as a JSON SecretString)");
        }
        auto s = j["SecretString"].get<std::string>();
        register_secret(s);
        return s;
    } catch (const json::exception&) {
        throw secret_error("InvalidResponse",
                           "Secrets Manager answered with a body that is not JSON");
    }
}

http_response send_or_throw(const http_request& req, const std::string& what) {
    try {
        return http_send(req);
    } catch (const http_transport_error& e) {
        throw secret_error(
            "Unreachable",
            "cannot reach " + what + " (" + e.what() +
                "); check the route (VPC endpoint or NAT) and the CA file (SSL_CERT_FILE)");
    }
}

/// Throttling, server errors and transport failures are worth another try; everything else
/// (not found, access denied, bad request) is final.
bool retryable(const secret_error& e) {
    static constexpr std::string_view transient[] = {"Unreachable",
                                                     "ThrottlingException",
                                                     "TooManyRequestsException",
                                                     "RequestLimitExceeded",
                                                     "InternalServiceError",
                                                     "InternalFailure",
                                                     "ServiceUnavailable",
                                                     "HTTP429",
                                                     "HTTP500",
                                                     "HTTP502",
                                                     "HTTP503",
                                                     "HTTP504"};
    return std::find(std::begin(transient), std::end(transient), e.code()) != std::end(transient);
}

/// Up to 3 attempts (backoff 100 ms, 200 ms), all within timeout.
template <typename F>
std::string with_retries(milliseconds timeout, F&& attempt) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    auto backoff = milliseconds{100};
    for (int n = 1;; ++n) {
        const auto left =
            std::chrono::duration_cast<milliseconds>(until - std::chrono::steady_clock::now());
        try {
            return attempt(left);
        } catch (const secret_error& e) {
            const auto after =
                std::chrono::duration_cast<milliseconds>(until - std::chrono::steady_clock::now());
            if (n >= 3 || !retryable(e) || after <= backoff) throw;
        }
        std::this_thread::sleep_for(backoff);
        backoff *= 2;
    }
}

std::string via_service(const std::string& secret_id, milliseconds timeout) {
    const std::string region = region_from_env();
    const auto creds = credentials_from_env();
    if (region.empty()) throw secret_error("Configuration", "AWS_REGION is not set");
    if (creds.access_key_id.empty())
        throw secret_error("Configuration", "AWS credentials are not set");
    const std::string endpoint = endpoint_for("SECRETS_MANAGER", "secretsmanager", region);
    sigv4::request sreq{"POST", "/", {}, {}, json{{"SecretId", secret_id}}.dump()};
    sreq.headers = {{"Host", host_of_url(endpoint)},
                    {"Content-Type", "application/x-amz-json-1.1"},
                    {"X-Amz-Target", "secretsmanager.GetSecretValue"}};
    sigv4::settings s;
    s.region = region;
    s.service = "secretsmanager";
    s.time = std::chrono::system_clock::now();
    (void)sigv4::sign_headers(sreq, creds, s);
    http_request req{
        "POST", endpoint + "/", sreq.headers, sreq.body, std::min(connect_timeout, timeout),
        timeout};
    const auto resp = send_or_throw(req, "Secrets Manager at " + host_of_url(endpoint));
    if (resp.status != 200) throw aws_error(resp.status, resp.body);
    return secret_string_of(resp.body);
}

std::string via_extension(const std::string& port, const std::string& secret_id,
                          milliseconds timeout) {
    http_request req;
    req.url = "http://localhost:" + port + "/secretsmanager/get?secretId=" + uri_encode(secret_id);
    req.headers = {{"X-Aws-Parameters-Secrets-Token", env_or_empty("AWS_SESSION_TOKEN")}};
    req.connect_timeout = std::min(connect_timeout, timeout);
    req.total_timeout = timeout;
    const auto resp = send_or_throw(req, "the Parameters and Secrets extension on port " + port);
    if (resp.status != 200) {
        // The extension relays Secrets Manager's error text.
        const bool not_found = resp.body.find("ResourceNotFoundException") != std::string::npos;
        const bool denied = resp.body.find("AccessDenied") != std::string::npos;
        throw secret_error(not_found ? "ResourceNotFoundException"
                           : denied  ? "AccessDeniedException"
                                     : "HTTP" + std::to_string(resp.status),
                           "Parameters and Secrets extension failed (HTTP " +
                               std::to_string(resp.status) + "): " + clip(resp.body));
    }
    return secret_string_of(resp.body);
}

/// "secret <id>: <what>", or what alone when the id is not known.
std::string named(const std::string& secret_id, const std::string& what) {
    if (secret_id.empty()) return what;
    return "secret " + truncate_utf8(secret_id, 200) + ": " + what;
}

std::string text_field(const json& j, const char* key) {
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) return {};
    return it->is_string() ? it->get<std::string>() : it->dump();
}

}  // namespace

std::string fetch_secret_string(const std::string& secret_id, milliseconds timeout) {
    const std::string port = env_or_empty("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT");
    // Each attempt is signed afresh (X-Amz-Date) and bounded by what is left of timeout.
    try {
        return with_retries(timeout, [&](milliseconds left) {
            return port.empty() ? via_service(secret_id, left)
                                : via_extension(port, secret_id, left);
        });
    } catch (const secret_error& e) {
        // Name the secret (its id or ARN, never its value): which of several is wrong?
        throw secret_error(e.code(), named(secret_id, e.what()));
    }
}

db_secret parse_db_secret(const std::string& secret_string, const std::string& secret_id) {
    // The value is never quoted: a SecretString that is not JSON may be the bare password.
    const std::string not_object =
        named(secret_id,
              "its SecretString is not a JSON object (expected {\"username\": ..., "
              "\"password\": ..., optional \"host\", \"port\", \"dbname\"})");
    json j;
    try {
        j = json::parse(secret_string);
    } catch (const json::exception&) {
        register_secret(secret_string);
        throw secret_error("InvalidSecret", not_object);
    }
    if (!j.is_object()) {
        register_secret(secret_string);
        throw secret_error("InvalidSecret", not_object);
    }
    db_secret s;
    s.username = text_field(j, "username");
    s.password = text_field(j, "password");
    register_secret(s.password);
    s.host = text_field(j, "host");
    if (const auto port = text_field(j, "port"); !port.empty()) s.port = port;
    s.dbname = text_field(j, "dbname");
    if (s.username.empty() || s.password.empty()) {
        throw secret_error("InvalidSecret",
                           named(secret_id, "it lacks \"username\" or \"password\""));
    }
    return s;
}

}  // namespace ratchet::lambda
