#include "prisma_schema_file.hpp"

#include "cli_context.hpp"

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

namespace ratchet_cli {

datasource_url read_datasource_url(const std::string& schema_path) {
    std::ifstream in{schema_path};
    if (!in) throw usage_error("cannot read the Prisma schema file " + schema_path);
    std::stringstream buf;
    buf << in.rdbuf();
    const std::string text = buf.str();
    static const std::regex block{R"(datasource\s+\w+\s*\{([^}]*)\})"};
    std::smatch m;
    if (!std::regex_search(text, m, block)) {
        throw usage_error(schema_path + " has no datasource block; pass --url instead");
    }
    const std::string body = m[1].str();
    static const std::regex env_url{R"re(\burl\s*=\s*env\(\s*"([^"]+)"\s*\))re"};
    static const std::regex literal_url{R"re(\burl\s*=\s*"([^"]*)")re"};
    if (std::regex_search(body, m, env_url)) {
        const std::string name = m[1].str();
        const char* v = std::getenv(name.c_str());
        return {v != nullptr ? std::optional<std::string>{v} : std::nullopt, "env(\"" + name + "\")"};
    }
    if (std::regex_search(body, m, literal_url)) return {m[1].str(), "a literal url"};
    throw usage_error(schema_path + ": the datasource has no url; pass --url instead");
}

}  // namespace ratchet_cli
