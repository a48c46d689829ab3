#!/usr/bin/env bash
# The main job: build ratchet, deploy examples/blog into a throwaway local PostgreSQL with
# `ratchet deploy`, and show `ratchet status` and the _prisma_migrations rows it wrote.
set -euo pipefail
cd "$(dirname "$0")/.."
RATCHET_WITH_NODE=0 scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --target ratchet_cli -j"$(nproc)"

cluster=build/example-pg
trap 'scripts/pg-cluster.sh stop "$cluster"' EXIT
scripts/pg-cluster.sh start "$cluster"
. "$cluster/env"
psql -q "$RATCHET_TEST_ADMIN_URL" -c "CREATE DATABASE blog"
export DATABASE_URL="postgresql://postgres:example-password@127.0.0.1:$RATCHET_TEST_PORT/blog?schema=public"

echo; echo "\$ ratchet deploy --dir examples/blog/migrations"
build/cli/ratchet deploy --dir examples/blog/migrations
echo; echo "\$ ratchet status --dir examples/blog/migrations"
build/cli/ratchet status --dir examples/blog/migrations
echo; echo "\$ psql -c 'SELECT migration_name, started_at, finished_at, applied_steps_count FROM _prisma_migrations'"
psql "${DATABASE_URL%%\?*}" -c "SELECT migration_name, started_at, finished_at, applied_steps_count FROM _prisma_migrations ORDER BY started_at"
