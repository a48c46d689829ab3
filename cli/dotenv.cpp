#include "dotenv.hpp"

#include "prisma_project.hpp"

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

namespace ratchet_cli {
namespace {

bool is_key_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.' || c == '-';
}

std::string trim(std::string_view s) {
    const auto b = s.find_first_not_of(" \t\f\v");
    if (b == std::string_view::npos) return {};
    const auto e = s.find_last_not_of(" \t\f\v");
    return std::string{s.substr(b, e - b + 1)};
}

std::optional<std::string> getenv_string(const std::string& name) {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string{v};
}

// Prisma's expansion (the CLI's bundled dotenv-expand): `${NAME}` from the environment first,
// then from the file; `\${NAME}` stays literal (without the backslash).
std::string expand(const std::string& value, const std::map<std::string, std::string>& parsed,
                   int depth = 0) {
    if (depth > 32) return value;  // a self-reference: stop where Prisma would overflow
    std::string out;
    std::size_t i = 0;
    while (i < value.size()) {
        const auto at = value.find("${", i);
        if (at == std::string::npos) break;
        auto end = at + 2;
        while (end < value.size() &&
               (std::isalnum(static_cast<unsigned char>(value[end])) != 0 || value[end] == '_')) {
            ++end;
        }
        if (end >= value.size() || value[end] != '}') {
            out.append(value, i, at + 2 - i);
            i = at + 2;
            continue;
        }
        if (at > 0 && value[at - 1] == '\\') {
            out.append(value, i, at - 1 - i);
            out.append(value, at, end + 1 - at);
        } else {
            out.append(value, i, at - i);
            const std::string name = value.substr(at + 2, end - at - 2);
            std::string replacement;
            if (auto env = getenv_string(name)) {
                replacement = *env;
            } else if (auto it = parsed.find(name); it != parsed.end()) {
                replacement = it->second;
            }
            out += expand(replacement, parsed, depth + 1);
        }
        i = end + 1;
    }
    out.append(value, i);
    return out;
}

}  // namespace

std::vector<dotenv_entry> parse_dotenv(std::string_view input) {
    std::string text;
    text.reserve(input.size());
    for (std::size_t i = 0; i < input.size(); ++i) {
        if (input[i] == '\r' && i + 1 < input.size() && input[i + 1] == '\n') continue;
        text += input[i];
    }
    std::vector<dotenv_entry> out;
    std::size_t pos = 0;
    const auto next_line = [&] {
        const auto nl = text.find('\n', pos);
        pos = nl == std::string::npos ? text.size() : nl + 1;
    };
    while (pos < text.size()) {
        std::size_t p = pos;
        while (p < text.size() && (text[p] == ' ' || text[p] == '\t')) ++p;
        if (text.compare(p, 7, "export ") == 0 || text.compare(p, 7, "export\t") == 0) {
            p += 7;
            while (p < text.size() && (text[p] == ' ' || text[p] == '\t')) ++p;
        }
        const std::size_t key_begin = p;
        while (p < text.size() && is_key_char(text[p])) ++p;
        const std::string key = text.substr(key_begin, p - key_begin);
        while (p < text.size() && (text[p] == ' ' || text[p] == '\t')) ++p;
        const bool has_sep =
            p < text.size() && (text[p] == '=' || (text[p] == ':' && p + 1 < text.size() &&
                                                   (text[p + 1] == ' ' || text[p + 1] == '\t')));
        if (key.empty() || !has_sep) {
            next_line();
            continue;
        }
        ++p;
        while (p < text.size() && (text[p] == ' ' || text[p] == '\t')) ++p;
        std::string value;
        const char q = p < text.size() ? text[p] : '\0';
        bool quoted = false;
        if (q == '"' || q == '\'' || q == '`') {
            std::size_t e = p + 1;
            while (e < text.size() && text[e] != q) {
                if (text[e] == '\\' && e + 1 < text.size() && text[e + 1] == q) ++e;
                ++e;
            }
            if (e < text.size()) {
                value = text.substr(p + 1, e - p - 1);
                quoted = true;
                pos = e + 1;
                next_line();
            }
        }
        if (!quoted) {
            std::size_t e = p;
            while (e < text.size() && text[e] != '\n' && text[e] != '#') ++e;
            value = trim(std::string_view{text}.substr(p, e - p));
            pos = p;
            next_line();
        } else if (q == '"') {
            std::string unescaped;
            for (std::size_t i = 0; i < value.size(); ++i) {
                if (value[i] == '\\' && i + 1 < value.size() &&
                    (value[i + 1] == 'n' || value[i + 1] == 'r')) {
                    unescaped += value[i + 1] == 'n' ? '\n' : '\r';
                    ++i;
                } else {
                    unescaped += value[i];
                }
            }
            value = std::move(unescaped);
        }
        out.emplace_back(key, std::move(value));
    }
    return out;
}

std::vector<dotenv_entry> load_dotenv_file(const std::string& path, bool prisma_expansion) {
    std::ifstream in{path, std::ios::binary};
    if (!in) throw config_error("cannot read the env file " + path);
    std::stringstream buf;
    buf << in.rdbuf();
    std::map<std::string, std::string> parsed;
    std::vector<std::string> keys;
    for (auto& [k, v] : parse_dotenv(buf.str())) {
        if (parsed.find(k) == parsed.end()) keys.push_back(k);
        parsed[k] = std::move(v);
    }
    // As Prisma: a value the environment already has is kept (and expanded); the rest come
    // from the file, expanded against the environment and then the file.
    std::vector<dotenv_entry> result;
    for (const auto& k : keys) {
        const auto env = getenv_string(k);
        std::string v = env ? *env : parsed[k];
        if (prisma_expansion) v = expand(v, parsed);
        result.emplace_back(k, std::move(v));
    }
    for (const auto& [k, v] : result) ::setenv(k.c_str(), v.c_str(), 1);
    return result;
}

}  // namespace ratchet_cli
