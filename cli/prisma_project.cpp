#include "prisma_project.hpp"

#include "dotenv.hpp"
#include "prisma_config_loader.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace ratchet_cli {
namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& p) {
    std::ifstream in{p, std::ios::binary};
    if (!in) throw config_error("cannot read " + p.string());
    std::stringstream buf;
    buf << in.rdbuf();
    return buf.str();
}

bool is_file(const fs::path& p) {
    std::error_code ec;
    return fs::is_regular_file(p, ec);
}

bool is_dir(const fs::path& p) {
    std::error_code ec;
    return fs::is_directory(p, ec);
}

std::optional<std::string> env_value(const std::string& name) {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string{v};
}

/// A path as the user would write it: relative to cwd when inside it, else absolute.
std::string shown(const fs::path& p, const fs::path& cwd) {
    const fs::path abs = p.lexically_normal();
    const fs::path rel = abs.lexically_relative(cwd);
    if (!rel.empty() && *rel.begin() != "..") return rel.string();
    return abs.string();
}

// ---------------------------------------------------------------------------------------------
// Prisma schema language: just enough of a lexer to find the datasource block reliably
// (comments, strings with escapes, nested braces), never a regex over raw text.

struct psl_token {
    enum kind_t { ident, string, punct } kind;
    std::string text;
    int line;
};

std::vector<psl_token> lex_psl(std::string_view s, const std::string& file) {
    std::vector<psl_token> out;
    int line = 1;
    std::size_t i = 0;
    while (i < s.size()) {
        const char c = s[i];
        if (c == '\n') {
            ++line;
            ++i;
        } else if (std::isspace(static_cast<unsigned char>(c)) != 0) {
            ++i;
        } else if (c == '/' && i + 1 < s.size() && s[i + 1] == '/') {
            while (i < s.size() && s[i] != '\n') ++i;
        } else if (c == '"') {
            std::string v;
            const int start = line;
            ++i;
            for (;;) {
                if (i >= s.size() || s[i] == '\n') {
                    throw config_error(file + ":" + std::to_string(start) +
                                       ": unterminated string");
                }
                if (s[i] == '"') break;
                if (s[i] == '\\' && i + 1 < s.size()) {
                    const char e = s[i + 1];
                    v += e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e;
                    i += 2;
                    continue;
                }
                v += s[i++];
            }
            ++i;
            out.push_back({psl_token::string, std::move(v), start});
        } else if (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_') {
            const auto b = i;
            while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) != 0 ||
                                    s[i] == '_' || s[i] == '-')) {
                ++i;
            }
            out.push_back({psl_token::ident, std::string{s.substr(b, i - b)}, line});
        } else {
            out.push_back({psl_token::punct, std::string(1, c), line});
            ++i;
        }
    }
    return out;
}

}  // namespace

std::string datasource_value::describe() const {
    if (!env_var.empty()) return "env(\"" + env_var + "\")";
    return "a literal string";
}

std::optional<datasource_block> parse_datasource(std::string_view text, const std::string& file) {
    const auto toks = lex_psl(text, file);
    std::optional<datasource_block> found;
    std::size_t i = 0;
    const auto at = [&](std::size_t k) -> const psl_token* {
        return k < toks.size() ? &toks[k] : nullptr;
    };
    while (i < toks.size()) {
        // A top-level block: KEYWORD NAME { ... }
        const bool block = toks[i].kind == psl_token::ident && at(i + 1) &&
                           at(i + 1)->kind == psl_token::ident && at(i + 2) &&
                           at(i + 2)->text == "{";
        if (!block) {
            ++i;
            continue;
        }
        const bool is_ds = toks[i].text == "datasource";
        datasource_block ds;
        ds.name = toks[i + 1].text;
        ds.file = file;
        ds.line = toks[i].line;
        std::size_t k = i + 3;
        int depth = 1;
        while (k < toks.size() && depth > 0) {
            const auto& t = toks[k];
            if (t.kind == psl_token::punct && (t.text == "{")) ++depth;
            if (t.kind == psl_token::punct && (t.text == "}")) {
                --depth;
                ++k;
                continue;
            }
            if (is_ds && depth == 1 && t.kind == psl_token::ident && at(k + 1) &&
                at(k + 1)->text == "=") {
                // key = value; the value ends at the end of its line (outside brackets).
                const std::string key = t.text;
                std::size_t v = k + 2;
                std::size_t e = v;
                int nest = 0;
                while (e < toks.size()) {
                    const auto& x = toks[e];
                    if (nest == 0 && x.line != toks[v].line && e > v) break;
                    if (nest == 0 && x.text == "}" && x.kind == psl_token::punct) break;
                    if (x.kind == psl_token::punct && (x.text == "(" || x.text == "[")) ++nest;
                    if (x.kind == psl_token::punct && (x.text == ")" || x.text == "]")) --nest;
                    ++e;
                }
                if (v >= e)
                    throw config_error(file + ":" + std::to_string(t.line) + ": `" + key +
                                       " =` has no value");
                datasource_value val;
                val.present = true;
                val.line = t.line;
                if (e - v == 1 && toks[v].kind == psl_token::string) {
                    val.literal = toks[v].text;
                } else if (e - v == 4 && toks[v].text == "env" && toks[v + 1].text == "(" &&
                           toks[v + 2].kind == psl_token::string && toks[v + 3].text == ")") {
                    val.env_var = toks[v + 2].text;
                } else if (key == "url" || key == "directUrl" || key == "shadowDatabaseUrl" ||
                           key == "provider") {
                    throw config_error(file + ":" + std::to_string(t.line) + ": `" + key +
                                       "` must be a string or env(\"NAME\")");
                }
                if (key == "provider") ds.provider = val.literal;
                if (key == "url") ds.url = val;
                if (key == "directUrl") ds.direct_url = val;
                if (key == "shadowDatabaseUrl") ds.shadow_database_url = val;
                k = e;
                continue;
            }
            ++k;
        }
        if (depth > 0) {
            throw config_error(file + ":" + std::to_string(toks[i].line) + ": `" + toks[i].text +
                               " " + toks[i + 1].text + "` block is not closed");
        }
        if (is_ds) {
            if (found) {
                throw config_error(file + ":" + std::to_string(ds.line) +
                                   ": a second datasource block (the first is at " + found->file +
                                   ":" + std::to_string(found->line) + ")");
            }
            found = std::move(ds);
        }
        i = k;
    }
    return found;
}

namespace {

// ---------------------------------------------------------------------------------------------
// prisma.config.*: a small JavaScript/TypeScript lexer and a reader for the static forms.

struct js_token {
    enum kind_t { ident, string, templ, number, punct } kind;
    std::string text;
    std::size_t begin, end;  // offsets in the source
};

std::vector<js_token> lex_js(const std::string& s) {
    std::vector<js_token> out;
    std::size_t i = 0;
    while (i < s.size()) {
        const char c = s[i];
        const auto b = i;
        if (std::isspace(static_cast<unsigned char>(c)) != 0) {
            ++i;
        } else if (c == '/' && i + 1 < s.size() && s[i + 1] == '/') {
            while (i < s.size() && s[i] != '\n') ++i;
        } else if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
            const auto e = s.find("*/", i + 2);
            i = e == std::string::npos ? s.size() : e + 2;
        } else if (c == '"' || c == '\'' || c == '`') {
            std::string v;
            ++i;
            while (i < s.size() && s[i] != c) {
                if (s[i] == '\\' && i + 1 < s.size()) {
                    const char e = s[i + 1];
                    v += e == 'n' ? '\n' : e == 't' ? '\t' : e;
                    i += 2;
                    continue;
                }
                v += s[i++];
            }
            ++i;
            out.push_back({c == '`' ? js_token::templ : js_token::string, std::move(v), b,
                           std::min(i, s.size())});
        } else if (std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '$') {
            while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) != 0 ||
                                    s[i] == '_' || s[i] == '$')) {
                ++i;
            }
            out.push_back({js_token::ident, s.substr(b, i - b), b, i});
        } else if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
            while (i < s.size() &&
                   (std::isalnum(static_cast<unsigned char>(s[i])) != 0 || s[i] == '.'))
                ++i;
            out.push_back({js_token::number, s.substr(b, i - b), b, i});
        } else {
            std::string p(1, c);
            for (const char* two : {"??", "||", "=>", "?.", "..."}) {
                if (s.compare(i, std::strlen(two), two) == 0) {
                    p = two;
                    break;
                }
            }
            i += p.size();
            out.push_back({js_token::punct, p, b, i});
        }
    }
    return out;
}

/// The value of one config field: a string, absent (undefined), or an expression we cannot read.
struct js_value {
    enum kind_t { string, undefined, unreadable, object } kind = undefined;
    std::string text;  // the string, or the source of the unreadable expression
    std::map<std::string, js_value> fields;  // object
};

/// env("X") with X unset: Prisma's env() throws; the reader raises it only where needed.
bool missing_env(const js_value& v) {
    return v.kind == js_value::unreadable && !v.text.empty() && v.text[0] == '\x01';
}

class config_reader {
public:
    config_reader(std::string file, std::string source, fs::path cwd)
        : path_{file},
          file_{shown(file, cwd)},
          src_{std::move(source)},
          toks_{lex_js(src_)},
          cwd_{std::move(cwd)} {}

    config_values read() {
        config_values out;
        out.file = path_;
        out.read_by = "static";
        load_dotenv_imports(out);
        const auto obj = find_config_object();
        if (!obj) {
            throw config_error(file_ +
                               ": cannot find the exported configuration (expected `export default "
                               "defineConfig({...})`); pass --schema, --dir and --url instead");
        }
        const js_value root = parse_object(*obj);
        const fs::path dir = fs::path{path_}.parent_path();
        const auto path_field = [&](const js_value& v, const std::string& name,
                                    const std::string& flag) -> std::optional<std::string> {
            if (missing_env(v)) {
                throw config_error(file_ + ": Cannot resolve environment variable: " +
                                   v.text.substr(1) + " (" + name + ": env(\"" + v.text.substr(1) +
                                   "\")); set it or pass " + flag + " instead");
            }
            if (v.kind == js_value::unreadable) {
                throw config_error(file_ + ": cannot read `" + name + ": " + v.text +
                                   "` without node and the project's prisma package; pass " + flag +
                                   " instead");
            }
            if (v.kind != js_value::string) return std::nullopt;
            return (dir / v.text).lexically_normal().string();
        };
        const auto get = [](const js_value& o, const std::string& k) {
            if (o.kind != js_value::object) return js_value{};
            const auto it = o.fields.find(k);
            return it == o.fields.end() ? js_value{} : it->second;
        };
        out.schema = path_field(get(root, "schema"), "schema", "--schema");
        out.migrations_path =
            path_field(get(get(root, "migrations"), "path"), "migrations.path", "--dir");
        const js_value ds = get(root, "datasource");
        for (const auto& [key, target] : {std::pair{std::string{"url"}, &out.url},
                                          std::pair{std::string{"directUrl"}, &out.direct_url}}) {
            const js_value v = get(ds, key);
            if (v.kind == js_value::unreadable) {
                unreadable_url_ = missing_env(v)
                                      ? "Cannot resolve environment variable: " + v.text.substr(1) +
                                            " (datasource." + key + ": env(\"" + v.text.substr(1) +
                                            "\")); set it or pass --url"
                                      : "cannot read `datasource." + key + ": " + v.text +
                                            "` without node and the project's prisma package; pass "
                                            "--url or set the variable";
            } else if (v.kind == js_value::string) {
                *target = v.text;
            }
        }
        out.has_shadow_database_url = get(ds, "shadowDatabaseUrl").kind != js_value::undefined;
        return out;
    }

    /// Set when datasource.url/directUrl could not be read: only an error if the URL is needed.
    [[nodiscard]] const std::string& unreadable_url() const { return unreadable_url_; }

private:
    std::string path_;  // to read; file_ is as shown in messages
    std::string file_;
    std::string src_;
    std::vector<js_token> toks_;
    fs::path cwd_;
    std::string unreadable_url_;

    [[nodiscard]] bool is(std::size_t i, std::string_view text) const {
        return i < toks_.size() &&
               (toks_[i].kind == js_token::ident || toks_[i].kind == js_token::punct) &&
               toks_[i].text == text;
    }

    // `import "dotenv/config"`, `require("dotenv/config")`, `import ... from "dotenv"` +
    // `config()`.
    void load_dotenv_imports(config_values& out) {
        bool load = false;
        bool imports_dotenv = false;
        for (std::size_t i = 0; i < toks_.size(); ++i) {
            if (toks_[i].kind != js_token::string) continue;
            if (toks_[i].text == "dotenv/config") load = true;
            if (toks_[i].text == "dotenv") imports_dotenv = true;
        }
        if (imports_dotenv) {
            for (std::size_t i = 0; i + 2 < toks_.size(); ++i) {
                if (!is(i, "config") || !is(i + 1, "(")) continue;
                if (i > 0 && is(i - 1, ".") && !(i > 1 && toks_[i - 2].text == "dotenv")) continue;
                if (is(i + 2, ")")) {
                    load = true;
                } else if (!(i > 0 && toks_[i - 1].text == "function")) {
                    throw config_error(file_ + ": cannot read `" + expression_text(i, i + 2) +
                                       "...)` without node and the project's prisma package; "
                                       "export the variables or pass --url instead");
                }
            }
        }
        if (load) {
            const fs::path env = cwd_ / ".env";
            if (is_file(env)) {
                (void)load_dotenv_file(env.string(), false);
                out.env_files.push_back(env.string());
            }
        }
    }

    [[nodiscard]] std::string expression_text(std::size_t from, std::size_t to) const {
        if (from >= toks_.size()) return {};
        const std::size_t last = std::min(to, toks_.size()) - 1;
        std::string t = src_.substr(toks_[from].begin, toks_[last].end - toks_[from].begin);
        std::replace(t.begin(), t.end(), '\n', ' ');
        return t;
    }

    /// The index of the `{` of the exported configuration object.
    [[nodiscard]] std::optional<std::size_t> find_config_object() const {
        const auto object_after = [&](std::size_t i) -> std::optional<std::size_t> {
            if (is(i, "{")) return i;
            if (is(i, "defineConfig") && is(i + 1, "(") && is(i + 2, "{")) return i + 2;
            return std::nullopt;
        };
        for (std::size_t i = 0; i + 1 < toks_.size(); ++i) {
            std::optional<std::size_t> value_at;
            if (is(i, "export") && is(i + 1, "default")) value_at = i + 2;
            if (is(i, "module") && is(i + 1, ".") && is(i + 2, "exports") && is(i + 3, "="))
                value_at = i + 4;
            if (!value_at) continue;
            if (auto o = object_after(*value_at)) return o;
            if (*value_at < toks_.size() && toks_[*value_at].kind == js_token::ident) {
                // export default config;  ...  const config = defineConfig({ ... })
                const std::string name = toks_[*value_at].text;
                for (std::size_t k = 0; k + 2 < toks_.size(); ++k) {
                    if (toks_[k].text == name && toks_[k].kind == js_token::ident) {
                        std::size_t v = k + 1;
                        if (is(v, ":")) {  // a type annotation: skip to '='
                            while (v < toks_.size() && !is(v, "=")) ++v;
                        }
                        if (is(v, "=")) {
                            if (auto o = object_after(v + 1)) return o;
                        }
                    }
                }
            }
        }
        return std::nullopt;
    }

    /// Skips one expression starting at i (to the next ',' or closing bracket at depth 0).
    [[nodiscard]] std::size_t skip_expression(std::size_t i) const {
        int depth = 0;
        while (i < toks_.size()) {
            const auto& t = toks_[i];
            if (t.kind == js_token::punct) {
                if (t.text == "(" || t.text == "[" || t.text == "{") ++depth;
                if (t.text == ")" || t.text == "]" || t.text == "}") {
                    if (depth == 0) return i;
                    --depth;
                }
                if (t.text == "," && depth == 0) return i;
            }
            ++i;
        }
        return i;
    }

    js_value parse_object(std::size_t open) {
        js_value obj;
        obj.kind = js_value::object;
        std::size_t i = open + 1;
        while (i < toks_.size() && !is(i, "}")) {
            if (is(i, ",")) {
                ++i;
                continue;
            }
            std::string key;
            if (toks_[i].kind == js_token::ident || toks_[i].kind == js_token::string)
                key = toks_[i].text;
            if (!key.empty() && is(i + 1, ":")) {
                const std::size_t v = i + 2;
                const std::size_t e = skip_expression(v);
                if (is(v, "{") && e == skip_expression(v) && is(e - 1, "}")) {
                    obj.fields[key] = parse_object(v);
                } else {
                    obj.fields[key] = evaluate(v, e);
                }
                i = e;
                continue;
            }
            // shorthand `url,`, a method, or a spread: unreadable under its own name
            const std::size_t e = skip_expression(i);
            if (!key.empty()) obj.fields[key] = {js_value::unreadable, expression_text(i, e), {}};
            i = std::max(e, i + 1);
        }
        return obj;
    }

    js_value evaluate(std::size_t b, std::size_t e) {
        // a ?? b, a || b: the first defined (or truthy) alternative
        for (std::size_t i = b; i < e; ++i) {
            if (toks_[i].kind == js_token::punct &&
                (toks_[i].text == "(" || toks_[i].text == "[")) {
                i = skip_expression(i + 1);
                continue;
            }
            if (is(i, "??") || is(i, "||")) {
                js_value left = evaluate(b, i);
                if (missing_env(left)) return left;  // Prisma's env() throws before `??`
                if (left.kind == js_value::unreadable)
                    return {js_value::unreadable, expression_text(b, e), {}};
                const bool take_left =
                    left.kind == js_value::string && (is(i, "??") || !left.text.empty());
                return take_left ? left : evaluate(i + 1, e);
            }
        }
        if (e > b && is(e - 1, "satisfies")) --e;
        const std::size_t n = e - b;
        const auto unreadable = js_value{js_value::unreadable, expression_text(b, e), {}};
        if (n == 1 &&
            (toks_[b].kind == js_token::string ||
             (toks_[b].kind == js_token::templ && toks_[b].text.find("${") == std::string::npos))) {
            return {js_value::string, toks_[b].text, {}};
        }
        if (n == 1 && is(b, "undefined")) return {};
        // env("X") / env<...>("X"): Prisma's helper throws when X is unset or empty
        if (is(b, "env")) {
            std::size_t i = b + 1;
            if (is(i, "<")) {
                while (i < e && !is(i, ">")) ++i;
                ++i;
            }
            if (i + 3 == e && is(i, "(") && toks_[i + 1].kind == js_token::string &&
                is(i + 2, ")")) {
                const std::string name = toks_[i + 1].text;
                const auto v = env_value(name);
                if (!v || v->empty()) {
                    // Prisma's env() throws here; raised only where the value is needed.
                    return {js_value::unreadable, "\x01" + name, {}};
                }
                return {js_value::string, *v, {}};
            }
            return unreadable;
        }
        // process.env.X, process.env["X"]
        if (n >= 4 && is(b, "process") && is(b + 1, ".") && is(b + 2, "env")) {
            std::string name;
            if (n == 5 && is(b + 3, ".") && toks_[b + 4].kind == js_token::ident)
                name = toks_[b + 4].text;
            if (n == 6 && is(b + 3, "[") && toks_[b + 4].kind == js_token::string &&
                is(b + 5, "]")) {
                name = toks_[b + 4].text;
            }
            if (name.empty()) return unreadable;
            const auto v = env_value(name);
            if (!v) return {};
            return {js_value::string, *v, {}};
        }
        // path.join(...) / path.resolve(...) / join(...) / resolve(...) of literals and __dirname
        std::size_t f = b;
        if (is(f, "path") && is(f + 1, ".")) f += 2;
        if ((is(f, "join") || is(f, "resolve")) && is(f + 1, "(") && is(e - 1, ")")) {
            const bool resolve = is(f, "resolve");
            fs::path p = resolve ? cwd_ : fs::path{};
            std::size_t i = f + 2;
            while (i < e - 1) {
                const std::size_t a = skip_expression(i);
                if (a - i == 1 && toks_[i].kind == js_token::string) {
                    p /= toks_[i].text;
                } else if ((a - i == 1 && is(i, "__dirname")) ||
                           (a - i == 5 && is(i, "import") && is(i + 2, "meta") &&
                            is(i + 4, "dirname"))) {
                    p /= fs::path{path_}.parent_path();
                } else {
                    return unreadable;
                }
                i = is(a, ",") ? a + 1 : a;
            }
            return {js_value::string, p.lexically_normal().string(), {}};
        }
        return unreadable;
    }
};

// ---------------------------------------------------------------------------------------------
// The project's own Prisma: its version, and its config loader run by node.

struct prisma_package {
    fs::path package_json;
    std::string version;
    int major = 0;
};

std::optional<prisma_package> find_prisma_package(const fs::path& cwd) {
    for (fs::path d = cwd;; d = d.parent_path()) {
        const fs::path pj = d / "node_modules" / "prisma" / "package.json";
        if (is_file(pj)) {
            prisma_package p;
            p.package_json = pj;
            try {
                p.version = nlohmann::json::parse(read_text(pj)).value("version", "");
            } catch (const nlohmann::json::exception&) {
                throw config_error(pj.string() + " is not valid JSON");
            }
            p.major = std::atoi(p.version.c_str());
            return p;
        }
        if (d == d.root_path() || d.parent_path() == d) return std::nullopt;
    }
}

std::optional<std::string> find_in_path(const std::string& name) {
    const char* path = std::getenv("PATH");
    if (path == nullptr) return std::nullopt;
    std::stringstream ss{path};
    std::string dir;
    while (std::getline(ss, dir, ':')) {
        if (dir.empty()) continue;
        const fs::path p = fs::path{dir} / name;
        if (is_file(p) && ::access(p.c_str(), X_OK) == 0) return p.string();
    }
    return std::nullopt;
}

/// Runs `node -e <loader> cwd [config]` and returns its stdout (one JSON object).
std::string run_node_loader(const std::string& node, const fs::path& cwd,
                            const std::string& config_flag) {
    int out_pipe[2];
    if (::pipe(out_pipe) != 0)
        throw config_error(std::string{"cannot start node: "} + std::strerror(errno));
    const pid_t pid = ::fork();
    if (pid < 0) throw config_error(std::string{"cannot start node: "} + std::strerror(errno));
    if (pid == 0) {
        ::dup2(out_pipe[1], STDOUT_FILENO);
        ::close(out_pipe[0]);
        ::close(out_pipe[1]);
        if (::chdir(cwd.c_str()) != 0) ::_exit(127);
        const std::string cwd_s = cwd.string();
        std::vector<const char*> argv{node.c_str(), "-e", prisma_config_loader_js, "--",
                                      cwd_s.c_str()};
        if (!config_flag.empty()) argv.push_back(config_flag.c_str());
        argv.push_back(nullptr);
        ::execv(node.c_str(), const_cast<char* const*>(argv.data()));
        ::_exit(127);
    }
    ::close(out_pipe[1]);
    std::string out;
    char buf[4096];
    for (;;) {
        const ssize_t n = ::read(out_pipe[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        out.append(buf, static_cast<std::size_t>(n));
    }
    ::close(out_pipe[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        throw config_error("node could not run Prisma's config loader (exit status " +
                           std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) +
                           "); set RATCHET_PRISMA_CONFIG_NODE=0 to read the config without node");
    }
    return out;
}

config_values load_config_with_prisma(const std::string& node, const fs::path& cwd,
                                      const std::string& config_flag, const fs::path& expected) {
    const std::string text = run_node_loader(node, cwd, config_flag);
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception&) {
        throw config_error(
            "Prisma's config loader printed no result; set RATCHET_PRISMA_CONFIG_NODE=0 to read "
            "the config without node");
    }
    const auto str = [&](const char* k) -> std::optional<std::string> {
        if (j.contains(k) && j[k].is_string()) return j[k].get<std::string>();
        return std::nullopt;
    };
    config_values out;
    out.file = str("file").value_or("");
    out.read_by = "prisma";
    if (auto err = str("error")) {
        // Prisma reports the working directory for errors thrown while evaluating the file.
        const std::string where =
            out.file.empty() || is_dir(out.file) ? shown(expected, cwd) : shown(out.file, cwd);
        const bool env = err->find("environment variable") != std::string::npos;
        throw config_error(
            where + ": " + *err + " (Prisma's own config loader); " +
            (env ? "set the variable or pass --url" : "fix it or pass --url, --schema and --dir"));
    }
    out.schema = str("schema");
    out.migrations_path = str("migrations_path");
    out.url = str("url");
    out.direct_url = str("direct_url");
    out.has_shadow_database_url = j.value("shadow_database_url", false);
    return out;
}

/// prisma.config.* candidates, in the order the project's Prisma tries them (c12 / @prisma/config).
std::optional<fs::path> find_config_file(const fs::path& cwd, int major) {
    static const char* const exts[] = {".js", ".ts", ".mjs", ".cjs", ".mts", ".cts"};
    std::vector<fs::path> candidates;
    if (major >= 7) {
        for (const char* e : exts) candidates.push_back(cwd / (std::string{"prisma7.config"} + e));
        for (const char* e : exts)
            candidates.push_back(cwd / ".config" / (std::string{"prisma7"} + e));
    }
    for (const std::string base : {"prisma.config", ".config/prisma", ".config/prisma.config"}) {
        for (const char* e : exts) candidates.push_back(cwd / (base + e));
        for (const char* e : exts) candidates.push_back(cwd / base / (std::string{"index"} + e));
    }
    for (const auto& c : candidates) {
        if (is_file(c)) return c;
    }
    return std::nullopt;
}

/// The nearest package.json from cwd upwards (not Prisma Client's generated one).
std::optional<fs::path> find_package_json(const fs::path& cwd, bool skip_prisma_client) {
    for (fs::path d = cwd;; d = d.parent_path()) {
        const fs::path pj = d / "package.json";
        if (is_file(pj)) {
            if (!skip_prisma_client) return pj;
            try {
                if (nlohmann::json::parse(read_text(pj)).value("name", "") != ".prisma/client")
                    return pj;
            } catch (const nlohmann::json::exception&) {
                // Prisma skips a package.json it cannot parse.
            }
        }
        if (d == d.root_path() || d.parent_path() == d) return std::nullopt;
    }
}

/// All .prisma files of a schema folder, recursively, in a stable order.
std::vector<fs::path> schema_files(const fs::path& schema) {
    if (!is_dir(schema)) return {schema};
    std::vector<fs::path> files;
    for (const auto& e : fs::recursive_directory_iterator{schema}) {
        if (e.is_regular_file() && e.path().extension() == ".prisma") files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

}  // namespace

config_values read_config_static(const std::string& file, const std::string& cwd) {
    config_reader r{file, read_text(file), fs::path{cwd}};
    auto v = r.read();
    if (!v.url) v.unreadable_url = r.unreadable_url();
    return v;
}

resolved_project resolve_project(const project_inputs& in) {
    resolved_project r;
    const fs::path cwd =
        fs::absolute(in.cwd.empty() ? fs::current_path() : fs::path{in.cwd}).lexically_normal();

    const auto pkg = find_prisma_package(cwd);
    if (pkg) {
        r.prisma_version = pkg->version;
        r.prisma_major = pkg->major;
    }
    const bool prisma7 = r.prisma_major >= 7;

    // 1. The config file: --config, else the first candidate the project's Prisma would load.
    std::optional<config_values> cfg;
    std::optional<fs::path> cfg_path;
    if (!in.config_flag.empty()) {
        cfg_path = (cwd / in.config_flag).lexically_normal();
        if (!is_file(*cfg_path)) {
            throw config_error("--config " + in.config_flag + ": file not found");
        }
    } else {
        cfg_path = find_config_file(cwd, r.prisma_major);
    }
    if (cfg_path) {
        const auto node_setting = env_value("RATCHET_PRISMA_CONFIG_NODE");
        const bool use_node = !(node_setting && *node_setting == "0");
        const auto node = use_node ? find_in_path("node") : std::nullopt;
        if (node && pkg) {
            try {
                cfg = load_config_with_prisma(
                    *node, cwd, in.config_flag.empty() ? std::string{} : cfg_path->string(),
                    *cfg_path);
                if (cfg->file.empty()) cfg->file = cfg_path->string();
            } catch (const config_error&) {
                // hash/verify need no URL: a config that throws for a missing variable (Prisma's
                // env()) is read statically for its paths; with a URL needed, Prisma's error
                // stands.
                if (in.needs_url && in.url_flag.empty()) throw;
                cfg = read_config_static(cfg_path->string(), cwd.string());
            }
        } else {
            cfg = read_config_static(cfg_path->string(), cwd.string());
        }
        r.config_file = shown(cfg->file, cwd);
        r.config_read_by = cfg->read_by;
        for (const auto& f : cfg->env_files) r.env_files.push_back(shown(f, cwd));
    }

    // 2. The schema: --schema, config `schema`, package.json `prisma.schema` (6.x), then
    //    ./schema.prisma and ./prisma/schema.prisma.
    std::optional<fs::path> schema;
    if (!in.schema_flag.empty()) {
        schema = (cwd / in.schema_flag).lexically_normal();
        if (!is_file(*schema) && !is_dir(*schema)) {
            throw config_error("Could not load `--schema` from provided path `" + in.schema_flag +
                               "`: file or directory not found");
        }
        r.schema_source = "--schema";
    } else if (cfg && cfg->schema) {
        schema = fs::path{*cfg->schema};
        if (!is_file(*schema) && !is_dir(*schema)) {
            throw config_error("Could not load schema from `" + shown(*schema, cwd) +
                               "` provided by " + *r.config_file + ": file or directory not found");
        }
        r.schema_source = "config";
    } else {
        if (!prisma7) {
            if (const auto pj = find_package_json(cwd, false)) {
                nlohmann::json j;
                try {
                    j = nlohmann::json::parse(read_text(*pj));
                } catch (const nlohmann::json::exception&) {
                    throw config_error(shown(*pj, cwd) + " is not valid JSON");
                }
                if (j.contains("prisma") && j["prisma"].is_object() &&
                    j["prisma"].contains("schema")) {
                    if (!j["prisma"]["schema"].is_string()) {
                        throw config_error(shown(*pj, cwd) + ": `prisma.schema` must be a string");
                    }
                    schema = (pj->parent_path() / j["prisma"]["schema"].get<std::string>())
                                 .lexically_normal();
                    if (!is_file(*schema) && !is_dir(*schema)) {
                        throw config_error("Could not load schema from `" + shown(*schema, cwd) +
                                           "` provided by \"prisma.schema\" config of `" +
                                           shown(*pj, cwd) + "`: file or directory not found");
                    }
                    r.schema_source = "package.json";
                }
            }
        }
        if (!schema) {
            for (const fs::path& c : {cwd / "schema.prisma", cwd / "prisma" / "schema.prisma"}) {
                if (is_file(c)) {
                    schema = c;
                    r.schema_source = "default";
                    break;
                }
            }
        }
    }
    if (schema) r.schema_path = shown(*schema, cwd);

    // 3. .env files, as Prisma 6 without a config file; Prisma 7 loads none by itself.
    if (!cfg && !prisma7) {
        std::optional<fs::path> root_env;
        if (const auto pj = find_package_json(cwd, true)) {
            if (is_file(pj->parent_path() / ".env")) root_env = pj->parent_path() / ".env";
        }
        std::optional<fs::path> schema_env;
        std::vector<fs::path> candidates;
        if (!in.schema_flag.empty())
            candidates.push_back(fs::path{in.schema_flag}.parent_path() / ".env");
        candidates.push_back("prisma/.env");
        candidates.push_back(".env");
        for (const auto& c : candidates) {
            if (is_file(cwd / c)) {
                schema_env = (cwd / c).lexically_normal();
                break;
            }
        }
        std::vector<dotenv_entry> root_values;
        if (root_env) {
            root_values = load_dotenv_file(root_env->string(), true);
            r.env_files.push_back(shown(*root_env, cwd));
        }
        const bool same = root_env && schema_env &&
                          fs::weakly_canonical(*root_env) == fs::weakly_canonical(*schema_env);
        if (schema_env && !same) {
            if (root_env) {
                // Prisma refuses a key set to the same value in both files.
                const auto other = parse_dotenv(read_text(*schema_env));
                std::vector<std::string> conflicts;
                for (const auto& [k, v] : other) {
                    for (const auto& [rk, rv] : root_values) {
                        if (rk == k && rv == v &&
                            std::find(conflicts.begin(), conflicts.end(), k) == conflicts.end()) {
                            conflicts.push_back(k);
                        }
                    }
                }
                if (!conflicts.empty()) {
                    std::string msg = "There is a conflict between env var" +
                                      std::string{conflicts.size() > 1 ? "s" : ""} + " in " +
                                      shown(*root_env, cwd) + " and " + shown(*schema_env, cwd) +
                                      "\nConflicting env vars:\n";
                    for (const auto& k : conflicts) msg += "  " + k + "\n";
                    msg += "\nWe suggest to move the contents of " + shown(*schema_env, cwd) +
                           " to " + shown(*root_env, cwd) + " to consolidate your env vars.";
                    throw config_error(msg);
                }
            }
            (void)load_dotenv_file(schema_env->string(), true);
            r.env_files.push_back(shown(*schema_env, cwd));
        }
    }

    // 4. The datasource block, in the schema file or any file of a schema folder.
    std::optional<datasource_block> ds;
    if (schema) {
        for (const auto& f : schema_files(*schema)) {
            auto found = parse_datasource(read_text(f), shown(f, cwd));
            if (found && ds) {
                throw config_error(found->file + ":" + std::to_string(found->line) +
                                   ": a second datasource block (the first is at " + ds->file +
                                   ":" + std::to_string(ds->line) + ")");
            }
            if (found) {
                ds = std::move(found);
                ds->file = f.string();
            }
        }
        if (ds) {
            r.datasource_name = ds->name;
            if (!ds->provider.empty() && ds->provider != "postgresql" &&
                ds->provider != "postgres") {
                throw config_error(shown(ds->file, cwd) + ":" + std::to_string(ds->line) +
                                   ": provider \"" + ds->provider +
                                   "\": ratchet migrates PostgreSQL only");
            }
            if (ds->shadow_database_url.present) {
                r.notes.push_back(
                    "shadowDatabaseUrl is not used: deploy, status and resolve never need a shadow "
                    "database");
            }
        }
    }
    if (cfg && cfg->has_shadow_database_url && r.notes.empty()) {
        r.notes.push_back(
            "shadowDatabaseUrl is not used: deploy, status and resolve never need a shadow "
            "database");
    }

    // 5. The URL: --url; the config's datasource (directUrl over url); the schema's datasource
    //    (6.x: directUrl over url); with no Prisma project at all, $DATABASE_URL.
    if (in.needs_url) {
        if (!in.url_flag.empty()) {
            r.url = in.url_flag;
            r.url_source = "--url";
        } else if (cfg && !cfg->unreadable_url.empty() && !cfg->url) {
            throw config_error(*r.config_file + ": " + cfg->unreadable_url);
        } else if (cfg && (cfg->direct_url || cfg->url)) {
            r.url = cfg->direct_url ? *cfg->direct_url : *cfg->url;
            r.url_source =
                std::string{cfg->direct_url ? "datasource.directUrl" : "datasource.url"} + " in " +
                *r.config_file;
        } else if (prisma7 && (cfg || ds)) {
            throw config_error("Prisma " + r.prisma_version +
                               " reads the database URL from `datasource.url` in "
                               "prisma.config.ts, and " +
                               (cfg ? *r.config_file + " sets none"
                                    : std::string{"the project has no config file"}) +
                               "; set it there or pass --url");
        } else if (ds) {
            const datasource_value& v = ds->direct_url.present ? ds->direct_url : ds->url;
            const std::string field = ds->direct_url.present ? "directUrl" : "url";
            const std::string where = shown(ds->file, cwd) + ":" + std::to_string(v.line);
            if (!v.present) {
                throw config_error(shown(ds->file, cwd) + ":" + std::to_string(ds->line) +
                                   ": the datasource \"" + ds->name + "\" has no url; pass --url");
            }
            // Prisma validates every env() of the datasource's URLs, not only the one it uses.
            for (const datasource_value* x : {&ds->url, &ds->direct_url}) {
                if (!x->present || x->env_var.empty()) continue;
                const auto val = env_value(x->env_var);
                if (!val || val->empty()) {
                    std::string loaded;
                    if (cfg) {
                        loaded = "Prisma loads no .env file when a config file is present";
                    } else if (r.env_files.empty()) {
                        loaded = "no .env file was found";
                    } else {
                        loaded = "not in " + r.env_files.front() +
                                 (r.env_files.size() > 1 ? " or " + r.env_files[1] : "");
                    }
                    throw config_error(shown(ds->file, cwd) + ":" + std::to_string(x->line) +
                                       ": Environment variable not found: " + x->env_var + " (" +
                                       loaded + "); set it or pass --url");
                }
            }
            r.url = v.env_var.empty() ? v.literal : *env_value(v.env_var);
            r.url_source = field + " " + v.describe() + " in " + where;
        } else if (schema) {
            throw config_error(*r.schema_path + ": no datasource block; pass --url");
        } else if (const auto env = env_value("DATABASE_URL"); env && !env->empty()) {
            r.url = *env;
            r.url_source = "$DATABASE_URL";
        } else {
            throw config_error(
                "no database URL: no Prisma schema found (--schema, prisma.config.ts, "
                "./schema.prisma, "
                "./prisma/schema.prisma); pass --url postgresql://USER:PASSWORD@HOST:PORT/DB or "
                "set DATABASE_URL");
        }
    }

    // 6. The migrations directory: --dir; config migrations.path; next to the schema (6.x: next to
    //    the file with the datasource); ./prisma/migrations.
    if (!in.dir_flag.empty()) {
        r.migrations_dir = in.dir_flag;
        r.migrations_source = "--dir";
    } else if (cfg && cfg->migrations_path) {
        r.migrations_dir = shown(*cfg->migrations_path, cwd);
        r.migrations_source = "config";
    } else if (schema) {
        const fs::path root = is_dir(*schema) ? *schema : schema->parent_path();
        const fs::path base = (!prisma7 && ds) ? fs::path{ds->file}.parent_path() : root;
        r.migrations_dir = shown(base / "migrations", cwd);
        r.migrations_source = "schema";
    } else {
        r.migrations_dir = shown(cwd / "prisma" / "migrations", cwd);
        r.migrations_source = "default";
    }
    return r;
}

}  // namespace ratchet_cli
