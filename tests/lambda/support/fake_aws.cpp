#include "fake_aws.hpp"

#include "aws/sigv4.hpp"

#include <nlohmann/json.hpp>

#include <condition_variable>
#include <ctime>

namespace ratchet::lambda::test {

namespace {

using json = nlohmann::json;

std::string between(const std::string& s, const std::string& start, const std::string& end) {
    const auto a = s.find(start);
    if (a == std::string::npos) return {};
    const auto b = s.find(end, a + start.size());
    return s.substr(a + start.size(),
                    b == std::string::npos ? std::string::npos : b - a - start.size());
}

std::chrono::system_clock::time_point parse_amz_date(const std::string& d) {
    std::tm tm{};
    if (d.size() != 16 || ::strptime(d.c_str(), "%Y%m%dT%H%M%SZ", &tm) == nullptr) return {};
    return std::chrono::system_clock::from_time_t(::timegm(&tm));
}

http_reply aws_error(int status, const std::string& type, const std::string& message) {
    return {status,
            {{"Content-Type", "application/x-amz-json-1.1"}},
            json{{"__type", type}, {"message", message}}.dump()};
}

}  // namespace

std::string verify_sigv4(const http_message& m, const std::string& secret_key,
                         const std::string& service, const std::string& region) {
    const std::string* auth = m.header("Authorization");
    const std::string* date = m.header("X-Amz-Date");
    if (auth == nullptr || date == nullptr) return "no Authorization or X-Amz-Date";
    const std::string credential = between(*auth, "Credential=", ",");
    const std::string signed_headers = between(*auth, "SignedHeaders=", ",");
    const std::string access_key = credential.substr(0, credential.find('/'));
    sigv4::request req{m.method, m.path(), {}, {}, m.body};
    std::string token;
    std::size_t start = 0;
    while (start <= signed_headers.size()) {
        const auto end = std::min(signed_headers.find(';', start), signed_headers.size());
        const std::string name = signed_headers.substr(start, end - start);
        start = end + 1;
        const std::string* v = m.header(name);
        if (v == nullptr) return "signed header " + name + " missing";
        if (name == "x-amz-security-token")
            token = *v;
        else if (name != "x-amz-date")
            req.headers.emplace_back(name, *v);
    }
    sigv4::settings s{region, service, parse_amz_date(*date)};
    (void)sigv4::sign_headers(req, {access_key, secret_key, token}, s);
    const std::string expected = req.headers.back().second;
    return expected == *auth ? "" : "signature mismatch";
}

fake_secrets_manager::fake_secrets_manager()
    : server_([this](const http_message& m) { return handle(m); }) {}

void fake_secrets_manager::put(const std::string& id, const std::string& secret_string) {
    const std::lock_guard lock(mu_);
    secrets_[id] = secret_string;
}

void fake_secrets_manager::deny(const std::string& id) {
    const std::lock_guard lock(mu_);
    denied_[id] = true;
}

int fake_secrets_manager::calls() const {
    const std::lock_guard lock(mu_);
    return calls_;
}

int fake_secrets_manager::bad_signatures() const {
    const std::lock_guard lock(mu_);
    return bad_signatures_;
}

http_reply fake_secrets_manager::handle(const http_message& m) {
    const std::lock_guard lock(mu_);
    ++calls_;
    const std::string* target = m.header("X-Amz-Target");
    const std::string* ctype = m.header("Content-Type");
    if (m.method != "POST" || target == nullptr || *target != "secretsmanager.GetSecretValue" ||
        ctype == nullptr || *ctype != "application/x-amz-json-1.1") {
        return aws_error(400, "UnknownOperationException", "unsupported request");
    }
    const std::string* token = m.header("X-Amz-Security-Token");
    if (const auto why = verify_sigv4(m, test_secret_key, "secretsmanager", test_region);
        !why.empty() || token == nullptr || *token != test_session_token) {
        ++bad_signatures_;
        return aws_error(
            400, "InvalidSignatureException",
            "The request signature we calculated does not match the signature you provided.");
    }
    const std::string id = json::parse(m.body).value("SecretId", "");
    if (denied_.count(id) > 0) {
        return aws_error(
            400, "AccessDeniedException",
            "User: arn:aws:sts::123456789012:assumed-role/migrate/fn is not authorized to perform: "
            "secretsmanager:GetSecretValue on resource: " +
                id);
    }
    const auto it = secrets_.find(id);
    if (it == secrets_.end()) {
        return aws_error(400, "ResourceNotFoundException",
                         "Secrets Manager can't find the specified secret.");
    }
    const json body{{"ARN", id},
                    {"Name", "db"},
                    {"VersionId", "v1"},
                    {"SecretString", it->second},
                    {"VersionStages", {"AWSCURRENT"}},
                    {"CreatedDate", 1.7e9}};
    return {200, {{"Content-Type", "application/x-amz-json-1.1"}}, body.dump()};
}

void fake_response_url::fail_next(int n) {
    const std::lock_guard lock(mu_);
    fail_first_ = n;
}

fake_response_url::fake_response_url()
    : fail_first_(0), server_([this](const http_message& m) {
          const std::lock_guard lock(mu_);
          if (m.method != "PUT") return http_reply{405, {}, ""};
          if (fail_first_ > 0) {
              --fail_first_;
              return http_reply{500, {}, "<Error>InternalError</Error>"};
          }
          const std::string* ct = m.header("Content-Type");
          puts_.push_back({m.target, ct != nullptr, ct ? *ct : "", m.body});
          cv_.notify_all();
          return http_reply{200, {}, ""};
      }) {}

std::string fake_response_url::url(const std::string& name) const {
    return server_.base_url() + "/cloudformation-custom-resource-response-euwest1/" + name +
           "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=7200&X-Amz-Signature="
           "deadbeefSIGNEDurlSECRET" +
           name;
}

std::vector<fake_response_url::put> fake_response_url::puts() const {
    const std::lock_guard lock(mu_);
    return puts_;
}

bool fake_response_url::wait_puts(std::size_t n, std::chrono::milliseconds max) const {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, max, [&] { return puts_.size() >= n; });
}

}  // namespace ratchet::lambda::test
