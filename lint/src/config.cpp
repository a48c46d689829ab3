// ratchet-lint.json: enabled rules, severities and the figures of the database-aware pass.
#include <ratchet/error.hpp>
#include <ratchet/lint.hpp>

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

namespace ratchet::lint {
namespace {

std::size_t line_of(std::string_view text, std::size_t byte) {
    std::size_t line = 1;
    for (std::size_t i = 0; i < byte && i < text.size(); ++i) {
        if (text[i] == '\n') ++line;
    }
    return line;
}

/// Line of the first occurrence of "key" (for messages about a value), or 1.
std::size_t line_of_key(std::string_view text, const std::string& key) {
    const auto at = text.find("\"" + key + "\"");
    return at == std::string_view::npos ? 1 : line_of(text, at);
}

[[noreturn]] void bad(std::string_view origin, std::size_t line, const std::string& what) {
    throw error(errc::invalid_input,
                std::string{origin} + " line " + std::to_string(line) + ": " + what);
}

}  // namespace

config config::parse(std::string_view text, std::string_view origin) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text.begin(), text.end());
    } catch (const nlohmann::json::parse_error& e) {
        bad(origin, line_of(text, e.byte == 0 ? 0 : e.byte - 1),
            "not valid JSON (" + std::string{e.what()}.substr(std::string{e.what()}.find(':') + 2) +
                ")");
    } catch (const nlohmann::json::exception& e) {
        // A number too large for a double (out_of_range 406 "number overflow parsing '1e999'"):
        // no byte offset, so the line is that of the number's text.
        const std::string what = e.what();
        const auto open = what.find('\'');
        const auto close = what.rfind('\'');
        std::size_t line = 1;
        if (open != std::string::npos && close > open + 1) {
            const auto at = text.find(what.substr(open + 1, close - open - 1));
            if (at != std::string_view::npos) line = line_of(text, at);
        }
        bad(origin, line, "not valid JSON (" + what.substr(what.find(']') + 2) + ")");
    }
    if (!j.is_object()) bad(origin, 1, "expected a JSON object");
    config c;
    for (const auto& [key, value] : j.items()) {
        const std::size_t line = line_of_key(text, key);
        if (key == "rules") {
            if (!value.is_object())
                bad(origin, line, "\"rules\" must be an object of rule: severity");
            for (const auto& [rule, sev] : value.items()) {
                const std::size_t rline = line_of_key(text, rule);
                if (find_rule(rule) == nullptr) {
                    bad(origin, rline, "unknown rule \"" + rule + "\" (see docs/lint-rules.md)");
                }
                const auto s =
                    sev.is_string() ? parse_severity(sev.get<std::string>()) : std::nullopt;
                if (!s) {
                    bad(origin, rline,
                        "rule \"" + rule +
                            "\": severity must be \"off\", \"info\", \"warning\" or \"error\"");
                }
                c.severities[rule] = *s;
            }
        } else if (key == "assume_lock_timeout") {
            if (!value.is_boolean())
                bad(origin, line, "\"assume_lock_timeout\" must be true or false");
            c.assume_lock_timeout = value.get<bool>();
        } else if (key == "rate_mb_per_s") {
            if (!value.is_number() || !(value.get<double>() > 0) || value.get<double>() > 1e9) {
                bad(origin, line, "\"rate_mb_per_s\" must be a positive number");
            }
            c.rate_mb_per_s = value.get<double>();
        } else if (key == "$schema" || key == "comment") {
            // documentation only
        } else {
            bad(origin, line,
                "unknown key \"" + key + "\" (known: rules, assume_lock_timeout, rate_mb_per_s)");
        }
    }
    return c;
}

std::optional<config> config::load(const std::filesystem::path& file) {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) return std::nullopt;
    std::ifstream in{file, std::ios::binary};
    if (!in) throw error(errc::invalid_input, file.string() + ": cannot be read");
    std::ostringstream text;
    text << in.rdbuf();
    return parse(text.str(), file.string());
}

config config::for_directory(const std::filesystem::path& dir) {
    return load(dir / std::string{config_file_name}).value_or(config{});
}

}  // namespace ratchet::lint
