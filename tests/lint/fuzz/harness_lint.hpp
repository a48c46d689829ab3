// Fuzz harnesses of ratchet::lint (same signature as LLVMFuzzerTestOneInput), built like the
// targets of tests/fuzz: libFuzzer executables there, replayed in ratchet_lint_tests here.
#pragma once

#include <cstddef>
#include <cstdint>

/// `-- ratchet:lint-ignore` directives: never throws; every directive has a known rule and a
/// reason, every error names the migration file and a line inside the input.
int fuzz_lint_directives(const std::uint8_t* data, std::size_t size);
/// ratchet-lint.json: parses or throws invalid_input naming the file and a line of the input.
int fuzz_lint_config(const std::uint8_t* data, std::size_t size);
/// A whole migration.sql through the lexer, libpg_query and every rule: never crashes; every
/// finding has a known rule and a position inside the input.
int fuzz_lint_sql(const std::uint8_t* data, std::size_t size);
