#include "runtime/runtime_api.hpp"

#include "aws/http_client.hpp"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <stdexcept>

namespace ratchet::lambda {

namespace {

std::optional<std::chrono::system_clock::time_point> parse_deadline(const std::string& ms) {
    if (ms.empty()) return std::nullopt;
    try {
        std::size_t used = 0;
        const long long v = std::stoll(ms, &used);
        if (used != ms.size() || v <= 0) return std::nullopt;
        return std::chrono::system_clock::time_point{std::chrono::milliseconds{v}};
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

}  // namespace

runtime_api::runtime_api(std::string endpoint)
    : base_("http://" + std::move(endpoint) + "/2018-06-01") {}

invocation runtime_api::next() {
    http_request req;
    req.url = base_ + "/runtime/invocation/next";
    req.connect_timeout = std::chrono::milliseconds{1'000};
    req.unlimited = true;
    req.protocols = "http";
    const http_response resp = http_send(req);
    if (resp.status == 500)
        throw runtime_broken("Runtime API /next answered HTTP 500 (container broken)");
    if (resp.status != 200) {
        throw std::runtime_error("Runtime API /next answered HTTP " + std::to_string(resp.status));
    }
    invocation inv;
    inv.request_id = resp.header("lambda-runtime-aws-request-id");
    if (inv.request_id.empty()) throw std::runtime_error("Runtime API /next: no request id");
    inv.payload = resp.body;
    inv.function_arn = resp.header("lambda-runtime-invoked-function-arn");
    inv.trace_id = resp.header("lambda-runtime-trace-id");
    inv.deadline = parse_deadline(resp.header("lambda-runtime-deadline-ms"));
    if (inv.trace_id.empty()) {
        ::unsetenv("_X_AMZN_TRACE_ID");
    } else {
        ::setenv("_X_AMZN_TRACE_ID", inv.trace_id.c_str(), 1);
    }
    return inv;
}

std::string runtime_api::error_body(const invocation_error& err) {
    nlohmann::json trace = nlohmann::json::array();
    for (const auto& line : err.trace) trace.push_back(line);
    const nlohmann::json body{
        {"errorMessage", err.message}, {"errorType", err.type}, {"trace", trace}};
    return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

long runtime_api::post(const std::string& path, const std::string& body,
                       const std::string& error_type) {
    http_request req;
    req.method = "POST";
    req.url = base_ + path;
    req.body = body;
    req.headers = {{"Content-Type", "application/json"}};
    if (!error_type.empty())
        req.headers.emplace_back("Lambda-Runtime-Function-Error-Type", error_type);
    req.connect_timeout = std::chrono::milliseconds{1'000};
    req.total_timeout = std::chrono::milliseconds{10'000};
    req.protocols = "http";
    return http_send(req).status;
}

long runtime_api::post_response(const std::string& request_id, const std::string& json_body) {
    return post("/runtime/invocation/" + request_id + "/response", json_body, "");
}

long runtime_api::post_error(const std::string& request_id, const invocation_error& err) {
    return post("/runtime/invocation/" + request_id + "/error", error_body(err),
                "Function." + err.type);
}

long runtime_api::post_init_error(const invocation_error& err) {
    return post("/runtime/init/error", error_body(err), "Runtime." + err.type);
}

}  // namespace ratchet::lambda
