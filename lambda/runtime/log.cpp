#include "runtime/log.hpp"

#include "aws/redact.hpp"

#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

namespace ratchet::lambda {

namespace {
std::mutex log_mu;
std::string current_request_id;
}  // namespace

void set_log_request_id(std::string_view request_id) {
    const std::lock_guard lock(log_mu);
    current_request_id = request_id;
}

void redact_json(nlohmann::json& value) {
    // Iterative: the tree may come from an event (depth is bounded there, but stay safe).
    std::vector<nlohmann::json*> todo{&value};
    while (!todo.empty()) {
        nlohmann::json* v = todo.back();
        todo.pop_back();
        if (v->is_string()) {
            v->get_ref<std::string&>() = redact(v->get_ref<const std::string&>());
        } else if (v->is_object()) {
            nlohmann::json redacted_keys = nlohmann::json::object();
            for (auto& [k, child] : v->items()) redacted_keys[redact(k)] = std::move(child);
            *v = std::move(redacted_keys);
            for (auto& [k, child] : v->items()) todo.push_back(&child);
        } else if (v->is_array()) {
            for (auto& child : *v) todo.push_back(&child);
        }
    }
}

void log_line(std::string_view level, std::string_view message, const nlohmann::json& fields) {
    nlohmann::json line = fields.is_object() ? fields : nlohmann::json::object();
    line["level"] = level;
    line["msg"] = message;
    const std::lock_guard lock(log_mu);
    if (!current_request_id.empty()) line["requestId"] = current_request_id;
    // Redact the raw strings, then encode: an escaped secret (a quote, a backslash, a control
    // character in it) no longer matches the registered value.
    redact_json(line);
    const std::string text =
        line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    std::fwrite(text.data(), 1, text.size(), stderr);
    std::fflush(stderr);
}

}  // namespace ratchet::lambda
