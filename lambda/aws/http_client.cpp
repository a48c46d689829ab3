#include "aws/http_client.hpp"

#include "aws/text.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

namespace ratchet::lambda {

namespace {

void global_init_once() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
    static_cast<http_response*>(user)->body.append(data, size * n);
    return size * n;
}

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
    const std::string_view line(data, size * n);
    const auto colon = line.find(':');
    if (colon != std::string_view::npos) {
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && (value.back() == '\r' || value.back() == '\n'))
            value.remove_suffix(1);
        static_cast<http_response*>(user)->headers.emplace_back(
            to_lower(trim(line.substr(0, colon))), std::string(trim(value)));
    } else if (line.rfind("HTTP/", 0) == 0) {
        static_cast<http_response*>(user)->headers.clear();  // a new (final) status line
    }
    return size * n;
}

/// The CA file for https: SSL_CERT_FILE, else the image's (AL2023 and Debian paths), else the
/// copy shipped in the zip. libcurl's compiled-in default is Debian's path, absent on AL2023.
std::string ca_file() {
    std::vector<std::string> candidates;
    if (const char* env = std::getenv("SSL_CERT_FILE")) candidates.emplace_back(env);
    candidates.emplace_back("/etc/pki/tls/certs/ca-bundle.crt");
    candidates.emplace_back("/etc/ssl/certs/ca-certificates.crt");
    const char* root = std::getenv("LAMBDA_TASK_ROOT");
    candidates.push_back(std::string(root != nullptr ? root : "/var/task") +
                         "/certs/system-ca.pem");
    for (const auto& c : candidates) {
        std::error_code ec;
        if (!c.empty() && std::filesystem::is_regular_file(c, ec)) return c;
    }
    return {};
}

using curl_ptr = std::unique_ptr<CURL, decltype(&curl_easy_cleanup)>;
using slist_ptr = std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)>;

slist_ptr header_list(const http_request& req) {
    curl_slist* list = nullptr;
    for (const auto& [name, value] : req.headers) {
        // "Name;" is curl's way to send a header with an empty value.
        const std::string line = value.empty() ? name + ";" : name + ": " + value;
        list = curl_slist_append(list, line.c_str());
    }
    list = curl_slist_append(list, "Expect:");
    return {list, &curl_slist_free_all};
}

void set_method_and_body(CURL* c, const http_request& req) {
    if (req.method == "GET") {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
        return;
    }
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, req.body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
}

std::string scheme_of(std::string_view url) {
    const auto colon = url.find("://");
    return colon == std::string_view::npos ? std::string{} : to_lower(url.substr(0, colon));
}

bool scheme_allowed(const std::string& scheme, std::string_view protocols) {
    if (scheme.empty()) return false;
    std::size_t start = 0;
    while (start <= protocols.size()) {
        const auto end = std::min(protocols.find(',', start), protocols.size());
        if (trim(protocols.substr(start, end - start)) == scheme) return true;
        start = end + 1;
    }
    return false;
}

}  // namespace

std::string http_response::header(std::string_view lower_name) const {
    for (const auto& [name, value] : headers) {
        if (name == lower_name) return value;
    }
    return {};
}

http_response http_send(const http_request& req) {
    // The URL may be a secret (a ResponseURL): errors name the scheme at most.
    if (const std::string scheme = scheme_of(req.url); !scheme_allowed(scheme, req.protocols)) {
        throw http_transport_error("URL scheme \"" + truncate_utf8(scheme, 16) +
                                   "\" is not allowed here (allowed: " + req.protocols + ")");
    }
    if (req.connect_timeout.count() <= 0 || (!req.unlimited && req.total_timeout.count() <= 0)) {
        throw http_transport_error(
            "no time left for the request (the invoke's deadline has passed)");
    }
    global_init_once();
    curl_ptr c{curl_easy_init(), &curl_easy_cleanup};
    if (!c) throw http_transport_error("cannot initialise libcurl");
    http_response resp;
    auto headers = header_list(req);
    CURL* h = c.get();
    curl_easy_setopt(h, CURLOPT_URL, req.url.c_str());
    curl_easy_setopt(h, CURLOPT_PROXY, "");
    curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(h, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(req.connect_timeout.count()));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
                     req.unlimited ? 0L : static_cast<long>(req.total_timeout.count()));
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, req.protocols.c_str());
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, req.protocols.c_str());
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(h, CURLOPT_USERAGENT, "ratchet-lambda");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &resp);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &resp);
    if (req.url.rfind("https://", 0) == 0) {
        static const std::string cafile = ca_file();
        if (!cafile.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, cafile.c_str());
    }
    set_method_and_body(h, req);
    const CURLcode rc = curl_easy_perform(h);
    if (rc != CURLE_OK) throw http_transport_error(curl_easy_strerror(rc));
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp.status);
    return resp;
}

}  // namespace ratchet::lambda
