#include "log.hpp"

#include <spdlog/details/null_mutex.h>
#include <spdlog/sinks/base_sink.h>

namespace ratchet::detail {
namespace {

log_level to_ours(spdlog::level::level_enum l) {
    switch (l) {
        case spdlog::level::trace:
            return log_level::trace;
        case spdlog::level::debug:
            return log_level::debug;
        case spdlog::level::info:
            return log_level::info;
        case spdlog::level::warn:
            return log_level::warn;
        default:
            return log_level::error;
    }
}

class callback_sink final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
public:
    callback_sink(log_callback cb, const redactor& secrets)
        : cb_{std::move(cb)}, secrets_{secrets} {}

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        try {
            cb_(to_ours(msg.level), secrets_.redact({msg.payload.data(), msg.payload.size()}));
        } catch (...) {  // logging must never throw into a migration
        }
    }
    void flush_() override {}

private:
    log_callback cb_;
    const redactor& secrets_;
};

}  // namespace

std::shared_ptr<spdlog::logger> make_logger(log_callback callback, const redactor& secrets) {
    auto logger = std::make_shared<spdlog::logger>("ratchet");
    const bool enabled = static_cast<bool>(callback);
    if (enabled)
        logger->sinks().push_back(std::make_shared<callback_sink>(std::move(callback), secrets));
    logger->set_level(enabled ? spdlog::level::trace : spdlog::level::off);
    logger->set_error_handler([](const std::string&) {});
    return logger;
}

}  // namespace ratchet::detail
