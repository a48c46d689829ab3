#include "cfn/cfn_response.hpp"

#include "aws/http_client.hpp"
#include "runtime/log.hpp"
#include "aws/text.hpp"

#include <algorithm>
#include <thread>

namespace ratchet::lambda {

namespace {

using json = nlohmann::json;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json base_body(const cfn_event& e, const outcome& o) {
    json body{{"Status", o.ok ? "SUCCESS" : "FAILED"},
              {"PhysicalResourceId", truncate_utf8(o.physical_id.empty() ? "ratchet:unknown" : o.physical_id, 1'000)},
              {"StackId", e.stack_id},
              {"RequestId", e.request_id},
              {"LogicalResourceId", e.logical_resource_id}};
    std::string reason = o.reason;
    for (const auto& line : o.trace) reason += "\n" + line;
    if (!reason.empty()) body["Reason"] = reason;
    if (o.ok && !o.data.empty()) body["Data"] = o.data;
    return body;
}

}  // namespace

std::string cfn_response_body(const cfn_event& e, const outcome& o) {
    json body = base_body(e, o);
    std::string text = dump(body);
    if (text.size() <= max_cfn_body_bytes) return text;
    if (body.contains("Reason")) {
        const auto reason = body["Reason"].get<std::string>();
        const std::size_t over = text.size() - max_cfn_body_bytes;
        // JSON escaping can grow text; shrink generously and re-check.
        body["Reason"] = truncate_utf8(reason, reason.size() > over * 2 + 64 ? reason.size() - over * 2 - 64 : 64);
        text = dump(body);
    }
    if (text.size() > max_cfn_body_bytes && body.contains("Data")) {
        body.erase("Data");
        text = dump(body);
    }
    if (text.size() > max_cfn_body_bytes) body["Reason"] = "response too long; see the function's log";
    return dump(body);
}

bool put_cfn_response(const cfn_event& e, const std::string& body, int attempts,
                      std::chrono::system_clock::time_point give_up_at) {
    http_request req;
    req.method = "PUT";
    req.url = e.response_url;
    req.body = body;
    req.headers = {{"Content-Type", ""}};
    req.connect_timeout = std::chrono::milliseconds{3'000};
    req.total_timeout = std::chrono::milliseconds{10'000};
    auto backoff = std::chrono::milliseconds{1'000};
    for (int attempt = 1; attempt <= attempts; ++attempt) {
        try {
            const auto resp = http_send(req);
            if (resp.status == 200) return true;
            log_line("warn", "ResponseURL answered HTTP " + std::to_string(resp.status), {{"attempt", attempt}});
        } catch (const http_transport_error& err) {
            log_line("warn", std::string("cannot PUT to the ResponseURL: ") + err.what(), {{"attempt", attempt}});
        }
        if (attempt == attempts || std::chrono::system_clock::now() + backoff >= give_up_at) break;
        std::this_thread::sleep_for(backoff);
        backoff *= 2;
    }
    return false;
}

}  // namespace ratchet::lambda
