#include "fake_runtime_api.hpp"

namespace ratchet::lambda::test {

fake_runtime_api::fake_runtime_api()
    : server_([this](const http_message& m) { return handle(m); }) {}

fake_runtime_api::~fake_runtime_api() {
    {
        const std::lock_guard lock(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    server_.stop();
}

std::string fake_runtime_api::enqueue(std::string payload, std::chrono::milliseconds timeout,
                                      std::string function_arn, std::string request_id) {
    const std::lock_guard lock(mu_);
    if (request_id.empty())
        request_id = "req-" + std::to_string(++counter_) + "-0000-4000-8000-000000000000";
    queue_.push_back({request_id, std::move(payload), std::move(function_arn), timeout});
    cv_.notify_all();
    return request_id;
}

std::optional<fake_runtime_api::result> fake_runtime_api::wait_result(
    const std::string& request_id, std::chrono::milliseconds max) {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, max, [&] { return results_.count(request_id) > 0; }))
        return std::nullopt;
    return results_.at(request_id);
}

bool fake_runtime_api::wait_next_calls(int n, std::chrono::milliseconds max) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, max, [&] { return next_calls_ >= n; });
}

std::optional<std::string> fake_runtime_api::init_error() const {
    const std::lock_guard lock(mu_);
    return init_error_;
}

std::string fake_runtime_api::all_bodies() const {
    const std::lock_guard lock(mu_);
    std::string out;
    for (const auto& [id, r] : results_) out += r.body + "\n";
    if (init_error_) out += *init_error_;
    return out;
}

void fake_runtime_api::drop_pollers() {
    const std::lock_guard lock(mu_);
    ++generation_;
    cv_.notify_all();
}

int fake_runtime_api::duplicate_posts() const {
    const std::lock_guard lock(mu_);
    return duplicates_;
}

void fake_runtime_api::reject_posts(int status, int count, bool only_responses) {
    const std::lock_guard lock(mu_);
    reject_status_ = status;
    reject_count_ = count;
    reject_only_responses_ = only_responses;
}

int fake_runtime_api::rejected_posts() const {
    const std::lock_guard lock(mu_);
    return rejected_;
}

void fake_runtime_api::omit_deadline(bool omit) {
    const std::lock_guard lock(mu_);
    omit_deadline_ = omit;
}

void fake_runtime_api::reject_next(int status, int count) {
    const std::lock_guard lock(mu_);
    reject_next_status_ = status;
    reject_next_count_ = count;
}

int fake_runtime_api::rejected_next() const {
    const std::lock_guard lock(mu_);
    return rejected_next_;
}

http_reply fake_runtime_api::handle(const http_message& m) {
    const std::string prefix = "/2018-06-01/runtime/";
    const std::string path = m.path();
    if (path.rfind(prefix, 0) != 0) return {404, {}, "{}"};
    const std::string rest = path.substr(prefix.size());
    if (m.method == "GET" && rest == "invocation/next") return next();
    if (m.method == "POST" && rest == "init/error") {
        const std::lock_guard lock(mu_);
        init_error_ = m.body;
        cv_.notify_all();
        return {202, {}, R"({"status":"OK"})"};
    }
    const std::string inv = "invocation/";
    if (m.method == "POST" && rest.rfind(inv, 0) == 0) {
        const std::string tail = rest.substr(inv.size());
        const auto slash = tail.find('/');
        if (slash != std::string::npos)
            return post(tail.substr(0, slash), tail.substr(slash + 1), m);
    }
    return {404, {}, "{}"};
}

http_reply fake_runtime_api::next() {
    std::unique_lock lock(mu_);
    ++next_calls_;
    cv_.notify_all();
    if (reject_next_count_ > 0) {
        --reject_next_count_;
        ++rejected_next_;
        return {reject_next_status_, {}, R"({"errorMessage":"rejected by the test"})"};
    }
    const int generation = generation_;
    cv_.wait(lock, [&] { return stopping_ || generation != generation_ || !queue_.empty(); });
    if (stopping_ || generation != generation_) return {500, {}, "{}"};
    const queued q = queue_.front();
    queue_.pop_front();
    const auto deadline = std::chrono::duration_cast<std::chrono::milliseconds>(
        (std::chrono::system_clock::now() + q.timeout).time_since_epoch());
    http_reply reply{
        200,
        {{"Lambda-Runtime-Aws-Request-Id", q.id},
         {"Lambda-Runtime-Invoked-Function-Arn", q.arn},
         {"Lambda-Runtime-Trace-Id",
          "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"},
         {"Content-Type", "application/json"}},
        q.payload};
    if (!omit_deadline_)
        reply.headers.emplace_back("Lambda-Runtime-Deadline-Ms", std::to_string(deadline.count()));
    return reply;
}

http_reply fake_runtime_api::post(const std::string& id, const std::string& kind,
                                  const http_message& m) {
    if (kind != "response" && kind != "error") return {404, {}, "{}"};
    const std::lock_guard lock(mu_);
    if (reject_count_ > 0 && (kind == "response" || !reject_only_responses_)) {
        --reject_count_;
        ++rejected_;
        cv_.notify_all();
        return {
            reject_status_, {}, R"({"errorMessage":"rejected by the test","errorType":"Test"})"};
    }
    if (results_.count(id) > 0) {
        ++duplicates_;
        return {403, {}, R"({"errorMessage":"Invalid State Transition"})"};
    }
    const std::string* type = m.header("Lambda-Runtime-Function-Error-Type");
    results_[id] = {kind, m.body, type ? *type : "", std::chrono::system_clock::now()};
    cv_.notify_all();
    return {202, {}, R"({"status":"OK"})"};
}

}  // namespace ratchet::lambda::test
