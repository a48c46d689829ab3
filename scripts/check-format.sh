#!/usr/bin/env bash
# Fails when a tracked C++ file differs from what clang-format (Debian's, version 14) makes of it
# with the repository's .clang-format. Fix with: clang-format -i FILE...
set -euo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || { echo "check-format: clang-format is not installed" >&2; exit 1; }
mapfile -t files < <(git ls-files '*.cpp' '*.hpp' '*.h' '*.cc' | grep -v '/node_modules/')
drift=()
for f in "${files[@]}"; do
    clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || drift+=("$f")
done
if ((${#drift[@]})); then
    echo "check-format: ${#drift[@]} file(s) differ from clang-format $(clang-format --version | grep -o '[0-9][0-9.]*' | head -1):" >&2
    printf '  %s\n' "${drift[@]}" >&2
    echo "fix: clang-format -i ${drift[*]}" >&2
    exit 1
fi
echo "check-format: ${#files[@]} files formatted"
