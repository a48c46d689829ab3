#include "cfn/cfn_response.hpp"

#include "aws/aws_env.hpp"
#include "aws/http_client.hpp"
#include "aws/text.hpp"
#include "runtime/log.hpp"

#include <algorithm>
#include <thread>

namespace ratchet::lambda {

namespace {

using json = nlohmann::json;

constexpr std::string_view cut_marker = "... [truncated]";

std::string dump(const json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string reason_of(const outcome& o) {
    std::string reason = o.reason;
    for (const auto& line : o.trace) reason += "\n" + line;
    return reason;
}

/// Cuts the longest of the identifier fields until the body fits (hand-made events only:
/// CloudFormation's own identifiers are far shorter). Logged, because CloudFormation will not
/// match a cut identifier.
void cut_identifiers(json& body) {
    for (int guard = 0; guard < 64 && dump(body).size() > max_cfn_body_bytes; ++guard) {
        std::string* longest = nullptr;
        for (const char* key :
             {"PhysicalResourceId", "StackId", "RequestId", "LogicalResourceId"}) {
            auto& v = body[key].get_ref<std::string&>();
            if (longest == nullptr || v.size() > longest->size()) longest = &v;
        }
        const std::size_t over = dump(body).size() - max_cfn_body_bytes;
        *longest = truncate_utf8(*longest,
                                 longest->size() > over + 16 ? longest->size() - over - 16 : 0, "");
    }
    log_line("error",
             "the event's identifiers alone exceed CloudFormation's response limit; they were cut");
}

/// CloudFormation's ResponseURLs are https (pre-signed S3); plain http only to this machine
/// (local tests and emulators). Nothing else: a hand-made event must not make us PUT to file://,
/// gopher://, or an http server elsewhere.
std::string response_url_protocols(const std::string& url) {
    if (to_lower(url.substr(0, 7)) != "http://") return "https";
    std::string host = host_of_url(url);
    if (const auto at = host.rfind('@'); at != std::string::npos) host = host.substr(at + 1);
    if (!host.empty() && host.front() == '[') {
        host = host.substr(1, host.find(']') - 1);
    } else {
        host = host.substr(0, host.find(':'));
    }
    return host == "127.0.0.1" || host == "::1" || host == "localhost" ? "http,https" : "https";
}

bool retryable_status(long status) {
    return status >= 500 || status == 408 || status == 429;
}

}  // namespace

void fit_data_text(json& data, const char* key,
                   const std::function<std::size_t(const json&)>& body_size) {
    if (!data.is_object() || !data.contains(key) || !data[key].is_string() ||
        body_size(data) <= max_cfn_body_bytes) {
        return;
    }
    const std::string text = data[key].get<std::string>();
    const std::string fitted = longest_fitting_prefix(text, [&](const std::string& t) {
        json d = data;
        d[key] = t;
        return body_size(d) <= max_cfn_body_bytes;
    });
    if (fitted.empty()) {
        data.erase(key);
    } else {
        data[key] = fitted;
    }
}

std::string longest_fitting_prefix(const std::string& text,
                                   const std::function<bool(const std::string&)>& fits) {
    if (fits(text)) return text;
    // Binary search on the byte budget; the encoded size grows with the prefix.
    std::size_t lo = 0;
    std::size_t hi = text.size();
    while (lo + 1 < hi) {
        const std::size_t mid = lo + (hi - lo) / 2;
        if (fits(truncate_utf8(text, mid, cut_marker))) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    std::string best = truncate_utf8(text, lo, cut_marker);
    return fits(best) ? best : std::string{};
}

std::string cfn_response_body(const cfn_event& e, const outcome& o) {
    json body{{"Status", o.ok ? "SUCCESS" : "FAILED"},
              {"PhysicalResourceId", o.physical_id.empty() ? "ratchet:unknown" : o.physical_id},
              {"StackId", e.stack_id},
              {"RequestId", e.request_id},
              {"LogicalResourceId", e.logical_resource_id}};
    const std::string reason = reason_of(o);
    const bool with_data = o.ok && o.data.is_object() && !o.data.empty();
    if (with_data) {
        // Data.Lint is cut first, so the Reason (the warnings) keeps its full text.
        json data = o.data;
        fit_data_text(data, "Lint", [&](const json& d) {
            json b = body;
            b["Data"] = d;
            if (!reason.empty()) b["Reason"] = reason;
            return dump(b).size();
        });
        body["Data"] = std::move(data);
    }
    const auto fits = [&body](const std::string& r) {
        json b = body;
        if (!r.empty()) b["Reason"] = r;
        return dump(b).size() <= max_cfn_body_bytes;
    };
    std::string fitted = longest_fitting_prefix(reason, fits);
    // Data is the least useful part: drop it before the Reason shrinks to nothing useful.
    if (with_data && fitted.size() < std::min<std::size_t>(reason.size(), 200)) {
        body.erase("Data");
        fitted = longest_fitting_prefix(reason, fits);
    }
    if (!fitted.empty()) body["Reason"] = fitted;
    if (dump(body).size() > max_cfn_body_bytes) cut_identifiers(body);
    return dump(body);
}

std::string framework_failure_body(const cfn_event& e, const lambda_error& err,
                                   std::string_view function_name) {
    std::string reason = err.message + "\n\nLogs: /aws/lambda/" + std::string(function_name) + "\n";
    for (std::size_t i = 1; i < err.trace.size(); ++i) reason += "\n" + err.trace[i];
    const json body{
        {"Status", "FAILED"},
        {"Reason", reason},
        {"StackId", e.stack_id},
        {"RequestId", e.request_id},
        {"PhysicalResourceId", e.physical_resource_id.empty() ? std::string(create_failed_marker)
                                                              : e.physical_resource_id},
        {"LogicalResourceId", e.logical_resource_id}};
    return dump(body);
}

lambda_error provider_error(const cfn_event& e, const outcome& o) {
    lambda_error err{o.error_type.empty() ? "Unknown" : o.error_type, o.reason, {}};
    // The framework drops trace[0]; it repeats the start of the message for plain consoles.
    err.trace.push_back(err.type + ": " + truncate_utf8(o.reason, 200));
    err.trace.insert(err.trace.end(), o.trace.begin(), o.trace.end());
    const std::string worst_name(max_function_name_bytes, 'f');
    const auto fits = [&](const std::string& message) {
        lambda_error candidate = err;
        candidate.message = message;
        return framework_failure_body(e, candidate, worst_name).size() <= max_cfn_body_bytes;
    };
    if (!fits(err.message)) {
        // Context lines go first (the message names the migration and the error).
        while (err.trace.size() > 1 && !fits("")) err.trace.pop_back();
        err.message = longest_fitting_prefix(err.message, fits);
        err.trace.front() = err.type + ": " + truncate_utf8(err.message, 200);
    }
    return err;
}

std::string provider_success(const cfn_event& e, const outcome& o) {
    json data = o.data;
    const auto body_size = [&](const json& d) {
        return dump(json{{"Status", "SUCCESS"},
                         {"Reason", "SUCCESS"},
                         {"StackId", e.stack_id},
                         {"RequestId", e.request_id},
                         {"PhysicalResourceId", o.physical_id},
                         {"LogicalResourceId", e.logical_resource_id},
                         {"Data", d}})
            .size();
    };
    // The lint summary goes first, then the warnings.
    for (const char* key : {"Lint", "Warnings"}) fit_data_text(data, key, body_size);
    return dump(json{{"PhysicalResourceId", o.physical_id}, {"Data", data}});
}

bool put_cfn_response(const cfn_event& e, const std::string& body, int attempts,
                      std::chrono::system_clock::time_point give_up_at) {
    using std::chrono::milliseconds;
    http_request req;
    req.method = "PUT";
    req.url = e.response_url;
    req.body = body;
    req.headers = {{"Content-Type", ""}};
    req.protocols = response_url_protocols(e.response_url);
    auto backoff = milliseconds{1'000};
    for (int attempt = 1; attempt <= attempts; ++attempt) {
        const auto left =
            std::chrono::duration_cast<milliseconds>(give_up_at - std::chrono::system_clock::now());
        if (left <= milliseconds{0}) break;
        req.connect_timeout = std::min(milliseconds{3'000}, left);
        req.total_timeout = std::min(milliseconds{10'000}, left);
        try {
            const auto resp = http_send(req);
            if (resp.status == 200) return true;
            log_line("warn", "ResponseURL answered HTTP " + std::to_string(resp.status),
                     {{"attempt", attempt}});
            // A pre-signed URL that S3 refuses (expired, bad signature: 403, 400) stays refused;
            // only server trouble and throttling are worth the wait.
            if (!retryable_status(resp.status)) break;
        } catch (const http_request_refused& err) {
            log_line("error", std::string("cannot PUT to the ResponseURL: ") + err.what(),
                     {{"attempt", attempt}});
            break;  // refused before connecting: another attempt would be refused the same way
        } catch (const http_transport_error& err) {
            log_line("warn", std::string("cannot PUT to the ResponseURL: ") + err.what(),
                     {{"attempt", attempt}});
        }
        if (attempt == attempts || std::chrono::system_clock::now() + backoff >= give_up_at) break;
        std::this_thread::sleep_for(backoff);
        backoff *= 2;
    }
    return false;
}

}  // namespace ratchet::lambda
