#include "aws/sigv4.hpp"

#include "aws/crypto.hpp"
#include "aws/text.hpp"

#include <algorithm>
#include <ctime>
#include <map>

namespace ratchet::lambda::sigv4 {

namespace {

constexpr std::string_view algorithm = "AWS4-HMAC-SHA256";

std::string date_only(const std::string& amz) {
    return amz.substr(0, 8);
}

std::string scope_of(const std::string& amz, const settings& s) {
    return date_only(amz) + "/" + s.region + "/" + s.service + "/aws4_request";
}

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/// Trims the value and collapses every run of whitespace inside it (CR and LF included, so an
/// obs-fold continuation line becomes one space) to a single space, as SigV4 and aws-c-auth do.
std::string canonical_value(std::string_view v) {
    std::string out;
    bool space = false;
    for (const char c : v) {
        if (is_space(c)) {
            space = true;
            continue;
        }
        if (space && !out.empty()) out += ' ';
        space = false;
        out += c;
    }
    return out;
}

struct canonical_headers_t {
    std::string block;    ///< "name:value\n" lines
    std::string signed_;  ///< "a;b;c"
};

canonical_headers_t canonical_headers(const std::vector<field>& headers) {
    std::map<std::string, std::string> merged;
    for (const auto& [name, value] : headers) {
        auto& slot = merged[to_lower(trim(name))];
        if (!slot.empty()) slot += ',';
        slot += canonical_value(value);
    }
    canonical_headers_t out;
    for (const auto& [name, value] : merged) {
        out.block += name + ":" + value + "\n";
        if (!out.signed_.empty()) out.signed_ += ';';
        out.signed_ += name;
    }
    return out;
}

std::string canonical_request(const request& req, const settings& s,
                              const std::vector<field>& query, const canonical_headers_t& h,
                              const std::string& payload_hash) {
    return req.method + "\n" + canonical_uri(req.path, s.normalize_path) + "\n" +
           canonical_query(query) + "\n" + h.block + "\n" + h.signed_ + "\n" + payload_hash;
}

result finish(const std::string& creq, const std::string& amz, const credentials& creds,
              const settings& s) {
    result r;
    r.canonical_request = creq;
    r.string_to_sign =
        std::string(algorithm) + "\n" + amz + "\n" + scope_of(amz, s) + "\n" + sha256_hex(creq);
    std::string key = hmac_sha256("AWS4" + creds.secret_access_key, date_only(amz));
    key = hmac_sha256(key, s.region);
    key = hmac_sha256(key, s.service);
    key = hmac_sha256(key, "aws4_request");
    r.signature = to_hex(hmac_sha256(key, r.string_to_sign));
    return r;
}

}  // namespace

std::string amz_date(std::chrono::system_clock::time_point t) {
    const std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
    return buf;
}

std::string canonical_uri(const std::string& path, bool normalize) {
    if (!normalize) return uri_encode(path, true);
    std::vector<std::string> segments;
    std::size_t start = 0;
    while (start <= path.size()) {
        const auto end = std::min(path.find('/', start), path.size());
        const std::string seg = path.substr(start, end - start);
        if (seg == "..") {
            if (!segments.empty()) segments.pop_back();
        } else if (!seg.empty() && seg != ".") {
            segments.push_back(seg);
        }
        start = end + 1;
    }
    std::string out;
    for (const auto& seg : segments) {
        out +=
            '/';  // appended separately: `"/" + str` trips GCC 12's -Wrestrict at -O3 (PR 105329)
        out += uri_encode(seg);
    }
    const bool trailing = path.size() > 1 && path.back() == '/' && !segments.empty();
    if (out.empty() || trailing) out += "/";
    return out;
}

std::string canonical_query(const std::vector<field>& query) {
    std::vector<std::pair<std::string, std::string>> enc;
    enc.reserve(query.size());
    for (const auto& [k, v] : query) enc.emplace_back(uri_encode(k), uri_encode(v));
    std::sort(enc.begin(), enc.end());
    std::string out;
    for (const auto& [k, v] : enc) {
        if (!out.empty()) out += '&';
        out += k + "=" + v;
    }
    return out;
}

std::string query_string(const std::vector<field>& query) {
    std::string out;
    for (const auto& [k, v] : query) {
        if (!out.empty()) out += '&';
        out += uri_encode(k) + "=" + uri_encode(v);
    }
    return out;
}

result sign_headers(request& req, const credentials& creds, const settings& s) {
    const std::string amz = amz_date(s.time);
    const std::string payload_hash = sha256_hex(req.body);
    req.headers.emplace_back("X-Amz-Date", amz);
    if (s.sign_body) req.headers.emplace_back("x-amz-content-sha256", payload_hash);
    const bool token = !creds.session_token.empty();
    if (token && !s.omit_session_token)
        req.headers.emplace_back("X-Amz-Security-Token", creds.session_token);
    const auto h = canonical_headers(req.headers);
    result r = finish(canonical_request(req, s, req.query, h, payload_hash), amz, creds, s);
    if (token && s.omit_session_token)
        req.headers.emplace_back("X-Amz-Security-Token", creds.session_token);
    req.headers.emplace_back("Authorization",
                             std::string(algorithm) + " Credential=" + creds.access_key_id + "/" +
                                 scope_of(amz, s) + ", SignedHeaders=" + h.signed_ +
                                 ", Signature=" + r.signature);
    return r;
}

result presign(request& req, const credentials& creds, const settings& s) {
    const std::string amz = amz_date(s.time);
    const auto h = canonical_headers(req.headers);
    const bool token = !creds.session_token.empty();
    req.query.emplace_back("X-Amz-Algorithm", std::string(algorithm));
    req.query.emplace_back("X-Amz-Credential", creds.access_key_id + "/" + scope_of(amz, s));
    req.query.emplace_back("X-Amz-Date", amz);
    req.query.emplace_back("X-Amz-Expires", std::to_string(s.expires.count()));
    req.query.emplace_back("X-Amz-SignedHeaders", h.signed_);
    if (token && !s.omit_session_token)
        req.query.emplace_back("X-Amz-Security-Token", creds.session_token);
    result r = finish(canonical_request(req, s, req.query, h, sha256_hex(req.body)), amz, creds, s);
    if (token && s.omit_session_token)
        req.query.emplace_back("X-Amz-Security-Token", creds.session_token);
    req.query.emplace_back("X-Amz-Signature", r.signature);
    return r;
}

}  // namespace ratchet::lambda::sigv4
