#!/usr/bin/env bash
# Agreement test: ratchet lint and squawk on the same corpus, rule by rule where both have it.
# Usage: tests/lint/squawk/run.sh /path/to/ratchet_lint_files
set -euo pipefail
bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
if [ ! -x node_modules/@squawk-cli/linux-x64/bin/squawk ]; then
    npm ci --no-audit --no-fund --loglevel=error
fi
exec python3 agreement.py "$bin" node_modules/@squawk-cli/linux-x64/bin/squawk ../corpus ../prisma
