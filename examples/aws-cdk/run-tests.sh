#!/usr/bin/env bash
# Offline tests of the CDK construct and example stack (called by CI).
#   env RATCHET_BIN         ratchet CLI; if set, its `hash --dir` must agree with the construct's hash
#   env RATCHET_LAMBDA_ZIP  build/lambda/ratchet-lambda.zip; if unset or missing, a stub asset with a dummy bootstrap
#   env RATCHET_TEST_ADMIN_URL  PostgreSQL superuser URL for the provider-framework harness (scratch databases);
#                               required when RATCHET_LAMBDA_ZIP is set, unless RATCHET_CDK_SKIP_HARNESS=1
#   env RATCHET_CDK_SKIP_PACK=1  skip cdk/test/pack-test.sh (run when RATCHET_LAMBDA_ZIP is the real zip)
#   env RATCHET_CDK_OFFLINE=1  run the tests under `unshare -n` (no network namespace; needs root or user namespaces);
#                               the harness is skipped then (the cluster's loopback is in the other namespace)
set -euo pipefail
cd "$(dirname "$0")"

# Make relative paths absolute: the tests run from this directory.
for var in RATCHET_BIN RATCHET_LAMBDA_ZIP; do
  val="${!var:-}"
  if [[ -n "$val" && "$val" != /* && -e "$OLDPWD/$val" ]]; then
    export "$var=$(cd "$OLDPWD" && realpath "$val")"
  fi
done
if [[ -n "${RATCHET_BIN:-}" && "${RATCHET_BIN}" != */* ]]; then
  RATCHET_BIN="$(command -v "$RATCHET_BIN")" && export RATCHET_BIN
fi

if [[ "${RATCHET_CDK_OFFLINE:-0}" == 1 || "${RATCHET_CDK_SKIP_HARNESS:-0}" == 1 ]]; then
  unset RATCHET_TEST_ADMIN_URL
elif [[ -n "${RATCHET_LAMBDA_ZIP:-}" && -z "${RATCHET_TEST_ADMIN_URL:-}" ]]; then
  echo "run-tests.sh: RATCHET_LAMBDA_ZIP is set but RATCHET_TEST_ADMIN_URL is not: the provider-framework harness" \
       "needs PostgreSQL (scripts/pg-cluster.sh start DIR && . DIR/env), or set RATCHET_CDK_SKIP_HARNESS=1" >&2
  exit 1
fi

start=$(date +%s)
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "== npm ci"
  npm ci --no-audit --no-fund
fi

echo "== tsc"
rm -rf dist
npx --no-install tsc -p tsconfig.json

echo "== node --test (RATCHET_BIN=${RATCHET_BIN:-<unset>} RATCHET_LAMBDA_ZIP=${RATCHET_LAMBDA_ZIP:-<unset>}" \
     "harness database: $([[ -n "${RATCHET_TEST_ADMIN_URL:-}" ]] && echo yes || echo no))"
export CDK_DISABLE_VERSION_CHECK=1
tests=(dist/examples/aws-cdk/test/*.test.js)
# Exit status of node --test is non-zero if any test fails; it is kept, and the pack test still runs.
status=0
if [[ "${RATCHET_CDK_OFFLINE:-0}" == 1 ]]; then
  # A new network namespace: no route anywhere. Only loopback is brought up, for the fake Lambda Runtime API of
  # test/bootstrap.test.ts.
  echo "   (offline: unshare -n, loopback only)"
  unshare -n sh -c 'ip link set lo up 2>/dev/null || echo "warning: cannot bring up lo" >&2; exec "$@"' sh \
    node --test --test-reporter=spec "${tests[@]}" || status=1
else
  node --test --test-reporter=spec "${tests[@]}" || status=1
fi
echo "== examples/aws-cdk tests $([[ $status == 0 ]] && echo passed || echo FAILED) in $(( $(date +%s) - start )) s"

# The installable package (cdk/): packed with the real zip, installed into a fresh app, synthesized, checked.
if [[ -n "${RATCHET_LAMBDA_ZIP:-}" && -f "${RATCHET_LAMBDA_ZIP}" && "${RATCHET_CDK_SKIP_PACK:-0}" != 1 ]]; then
  RATCHET_LAMBDA_ZIP_X86_64="$RATCHET_LAMBDA_ZIP" ../../cdk/test/pack-test.sh || status=1
else
  echo "== cdk/ pack test skipped (needs RATCHET_LAMBDA_ZIP, the real zip)"
fi
exit $status
