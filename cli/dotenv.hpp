// `.env` files as Prisma 6's CLI reads them (dotenv 16 syntax, Prisma's `${VAR}` expansion,
// never overriding a variable the real environment already sets).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ratchet_cli {

/// One `KEY=value` pair, in file order (a later duplicate wins, as dotenv).
using dotenv_entry = std::pair<std::string, std::string>;

/// Parses dotenv text: `KEY=value`, `export KEY=value`, `KEY: value`, `#` comments, values in
/// '…', "…" (with \n and \r escapes) or `…`, possibly spanning lines; unquoted values end at `#`.
[[nodiscard]] std::vector<dotenv_entry> parse_dotenv(std::string_view text);

/// Loads one file into the process environment. Keys the environment already has keep their
/// value (dotenv never overrides). With `prisma_expansion` (Prisma 6's CLI), `${NAME}` in a value
/// (not `\${NAME}`) is replaced by NAME from the environment, else from the same file, else by
/// nothing, recursively; without it (plain `dotenv/config`) values are taken as written.
/// @return every key of the file with the value the environment now has for it.
/// @throws config_error when the file cannot be read.
std::vector<dotenv_entry> load_dotenv_file(const std::string& path, bool prisma_expansion);

}  // namespace ratchet_cli
