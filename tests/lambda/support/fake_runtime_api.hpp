/// @file fake_runtime_api.hpp
/// The Lambda Runtime API (2018-06-01) on loopback, as the RIE serves it: /next long-polls a
/// queue of events; response/error posts are recorded and answered 202 (403 on a second post
/// for the same id); /runtime/init/error is recorded.
#pragma once

#include "http_server.hpp"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <optional>

namespace ratchet::lambda::test {

inline constexpr const char* test_function_arn =
    "arn:aws:lambda:eu-west-1:123456789012:function:ratchet-migrate";

class fake_runtime_api {
public:
    struct result {
        std::string kind;  ///< "response" or "error"
        std::string body;
        std::string error_type;  ///< Lambda-Runtime-Function-Error-Type header
        std::chrono::system_clock::time_point at;
    };

    fake_runtime_api();
    ~fake_runtime_api();

    [[nodiscard]] std::string endpoint() const {
        return "127.0.0.1:" + std::to_string(server_.port());
    }

    /// Queues an event; returns its request id. The deadline header is now + timeout.
    std::string enqueue(std::string payload,
                        std::chrono::milliseconds timeout = std::chrono::seconds{60},
                        std::string function_arn = test_function_arn, std::string request_id = {});

    /// Waits for the answer to request_id.
    [[nodiscard]] std::optional<result> wait_result(const std::string& request_id,
                                                    std::chrono::milliseconds max);
    /// Waits until the runtime polls /next for the n-th time (n >= 1).
    bool wait_next_calls(int n, std::chrono::milliseconds max);
    [[nodiscard]] std::optional<std::string> init_error() const;
    /// Every answer body recorded (for secret scans).
    [[nodiscard]] std::string all_bodies() const;
    /// Releases every pending /next poll without an event (call after killing the runtime,
    /// so its orphaned poll cannot swallow the next event).
    void drop_pollers();
    /// Posts answered 403 because the id was already answered.
    [[nodiscard]] int duplicate_posts() const;
    /// Answers the next `count` response posts (only_responses) or response/error posts with
    /// `status` and records nothing (413: payload too large; 500: container broken).
    void reject_posts(int status, int count, bool only_responses = true);
    /// Posts rejected so far by reject_posts().
    [[nodiscard]] int rejected_posts() const;
    /// Leave out the Lambda-Runtime-Deadline-Ms header from now on.
    void omit_deadline(bool omit);
    /// Answers the next `count` polls of /next with `status` (403, 500, ...) at once.
    void reject_next(int status, int count);
    /// Polls of /next rejected so far by reject_next().
    [[nodiscard]] int rejected_next() const;

private:
    http_reply handle(const http_message& m);
    http_reply next();
    http_reply post(const std::string& id, const std::string& kind, const http_message& m);

    struct queued {
        std::string id, payload, arn;
        std::chrono::milliseconds timeout;
    };
    mutable std::mutex mu_;
    std::condition_variable cv_;
    bool stopping_ = false;
    std::deque<queued> queue_;
    std::map<std::string, result> results_;
    std::optional<std::string> init_error_;
    int next_calls_ = 0;
    int duplicates_ = 0;
    int reject_status_ = 0;
    int reject_count_ = 0;
    bool reject_only_responses_ = true;
    int rejected_ = 0;
    bool omit_deadline_ = false;
    int reject_next_status_ = 0;
    int reject_next_count_ = 0;
    int rejected_next_ = 0;
    int counter_ = 0;
    int generation_ = 0;
    http_server server_;
};

}  // namespace ratchet::lambda::test
