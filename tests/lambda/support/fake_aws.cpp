#include "fake_aws.hpp"

#include "aws/sigv4.hpp"

#include <curl/curl.h>
#include <nlohmann/json.hpp>

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
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

std::string curl_signature(const http_message& m, const std::string& secret_key,
                           const std::string& service, const std::string& region) {
    const std::string* auth = m.header("Authorization");
    if (auth == nullptr) return {};
    const std::string credential = between(*auth, "Credential=", ",");
    const std::string signed_headers = between(*auth, "SignedHeaders=", ",");
    const std::string access_key = credential.substr(0, credential.find('/'));
    // libcurl signs what it sends: send the same request (the signed headers, with the original
    // Host and X-Amz-Date) to a loopback sink and read the Authorization libcurl computed.
    std::string captured;
    std::mutex cap_mu;
    http_server sink([&](const http_message& c) {
        const std::lock_guard lock(cap_mu);
        if (const std::string* a = c.header("Authorization")) captured = *a;
        return http_reply{200, {}, "{}"};
    });
    curl_slist* headers = nullptr;
    std::size_t start = 0;
    while (start <= signed_headers.size()) {
        const auto end = std::min(signed_headers.find(';', start), signed_headers.size());
        const std::string name = signed_headers.substr(start, end - start);
        start = end + 1;
        if (name == "host") continue;  // the URL names it; CONNECT_TO reaches the sink
        if (const std::string* v = m.header(name))
            headers = curl_slist_append(headers, (name + ": " + *v).c_str());
    }
    CURL* h = curl_easy_init();
    const std::string* host = m.header("Host");
    const std::string url =
        "http://" + (host != nullptr ? *host : std::string("localhost")) + m.target;
    curl_slist* connect_to =
        curl_slist_append(nullptr, ("::127.0.0.1:" + std::to_string(sink.port())).c_str());
    const std::string provider = "aws:amz:" + region + ":" + service;
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, m.method.c_str());
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, m.body.c_str());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(m.body.size()));
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_AWS_SIGV4, provider.c_str());
    curl_easy_setopt(h, CURLOPT_USERNAME, access_key.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, secret_key.c_str());
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 5'000L);
    curl_easy_setopt(h, CURLOPT_CONNECT_TO, connect_to);
    curl_easy_setopt(
        h, CURLOPT_WRITEFUNCTION,
        +[](char*, std::size_t size, std::size_t n, void*) { return size * n; });
    const CURLcode rc = curl_easy_perform(h);
    curl_easy_cleanup(h);
    curl_slist_free_all(headers);
    curl_slist_free_all(connect_to);
    sink.stop();
    if (std::getenv("RATCHET_DEBUG_SIGV4") != nullptr) {
        std::fprintf(stderr, "curl: %s\nsent: %s\n", captured.c_str(),
                     m.header("Authorization")->c_str());
    }
    if (rc != CURLE_OK) return {};
    const std::lock_guard lock(cap_mu);
    const auto pos = captured.find("Signature=");
    return pos == std::string::npos ? std::string{} : captured.substr(pos + 10);
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

void fake_secrets_manager::put_binary(const std::string& id, const std::string& base64) {
    const std::lock_guard lock(mu_);
    binary_[id] = base64;
}

void fake_secrets_manager::fail_next(int n, int status, const std::string& type) {
    const std::lock_guard lock(mu_);
    fail_count_ = n;
    fail_status_ = status;
    fail_type_ = type;
}

int fake_secrets_manager::calls() const {
    const std::lock_guard lock(mu_);
    return calls_;
}

int fake_secrets_manager::independent_mismatches() const {
    const std::lock_guard lock(mu_);
    return independent_mismatches_;
}

int fake_secrets_manager::independent_checks() const {
    const std::lock_guard lock(mu_);
    return independent_checks_;
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
    // A second, independent signer: libcurl's CURLOPT_AWS_SIGV4 must agree with ratchet's.
    ++independent_checks_;
    const std::string* auth = m.header("Authorization");
    const std::string sent = auth->substr(auth->find("Signature=") + 10);
    if (curl_signature(m, test_secret_key, "secretsmanager", test_region) != sent)
        ++independent_mismatches_;
    if (fail_count_ > 0) {
        --fail_count_;
        return aws_error(fail_status_, fail_type_, "injected by the test");
    }
    const std::string id = json::parse(m.body).value("SecretId", "");
    if (const auto bin = binary_.find(id); bin != binary_.end()) {
        const json body{{"ARN", id},
                        {"Name", id},
                        {"VersionId", "v1"},
                        {"SecretBinary", bin->second},
                        {"VersionStages", {"AWSCURRENT"}},
                        {"CreatedDate", 1.7e9}};
        return {200, {{"Content-Type", "application/x-amz-json-1.1"}}, body.dump()};
    }
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

void fake_response_url::fail_next(int n, int status) {
    const std::lock_guard lock(mu_);
    fail_first_ = n;
    fail_status_ = status;
}

void fake_response_url::hang_puts(std::chrono::milliseconds d) {
    const std::lock_guard lock(mu_);
    hang_ = d;
}

int fake_response_url::attempts() const {
    const std::lock_guard lock(mu_);
    return attempts_;
}

fake_response_url::fake_response_url()
    : fail_first_(0), server_([this](const http_message& m) {
          std::unique_lock lock(mu_);
          ++attempts_;
          if (hang_.count() > 0) {
              // Hold the request (released early when the fake is destroyed).
              cv_.wait_for(lock, hang_, [this] { return closing_; });
              return http_reply{504, {}, ""};
          }
          if (m.method != "PUT") return http_reply{405, {}, ""};
          if (fail_first_ > 0) {
              --fail_first_;
              return http_reply{fail_status_, {}, "<Error>InternalError</Error>"};
          }
          const std::string* ct = m.header("Content-Type");
          puts_.push_back({m.target, ct != nullptr, ct ? *ct : "", m.body});
          cv_.notify_all();
          return http_reply{200, {}, ""};
      }) {}

fake_response_url::~fake_response_url() {
    {
        const std::lock_guard lock(mu_);
        closing_ = true;
    }
    cv_.notify_all();
    server_.stop();
}

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
