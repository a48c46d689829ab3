#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (asan+ubsan, library instrumented) and runs each for
# a bounded time over a copy of its corpus plus the committed regressions. Fails on any crash,
# leak, timeout or broken invariant not listed in tests/fuzz/KNOWN_OPEN.
#   tests/fuzz/run.sh [BUILD_DIR=build-fuzz] [SECONDS_PER_TARGET=20] [TARGET...]
# Env: JOBS (build parallelism, default 2), FUZZ_BUILD_TYPE (default RelWithDebInfo),
#      FUZZ_LAMBDA=OFF to skip the Lambda adapter's targets.
# Crashes are left in BUILD_DIR/fuzz-work/<target>/artifacts/; minimise one with
#   BUILD_DIR/tests/fuzz/fuzz_<target> -minimize_crash=1 -runs=20000 <crash-file>
# and commit it under tests/fuzz/regressions/<target>/ (lint_*: tests/lint/fuzz/regressions/).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build-fuzz}
secs=${2:-20}
shift $(( $# > 2 ? 2 : $# ))
case "$build" in /*) ;; *) build=$PWD/$build ;; esac

CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_BUILD_TYPE="${FUZZ_BUILD_TYPE:-RelWithDebInfo}" \
    -DRATCHET_BUILD_FUZZERS=ON -DRATCHET_SANITIZE="address;undefined;fuzzer-no-link" \
    -DRATCHET_BUILD_TESTS=OFF -DRATCHET_BUILD_CLI=OFF -DRATCHET_BUILD_EXAMPLES=OFF \
    -DRATCHET_BUILD_BENCH=OFF -DRATCHET_INSTALL=OFF -DRATCHET_BUILD_LAMBDA="${FUZZ_LAMBDA:-ON}" >/dev/null
cmake --build "$build" -j"${JOBS:-2}" --target ratchet_fuzzers

if (( $# > 0 )); then targets=("$@"); else mapfile -t targets < "$build/tests/fuzz/targets.txt"; fi
export RATCHET_FUZZ_KNOWN_OPEN="$root/tests/fuzz/KNOWN_OPEN"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
summary=()
for entry in "${targets[@]}"; do
    [[ -n "$entry" ]] || continue
    # "target [max-seconds]": a small target may be capped below SECONDS_PER_TARGET.
    read -r t cap <<<"$entry"
    t_secs=$secs
    if [[ -n "${cap:-}" ]] && (( cap < secs )); then t_secs=$cap; fi
    work="$build/fuzz-work/$t"
    rm -rf "$work"; mkdir -p "$work/corpus" "$work/artifacts"
    # ratchet::lint's targets (lint_*) keep their seeds next to their harnesses.
    for seeds_dir in "$root"/tests/fuzz/{corpus,regressions}/"$t" \
                     "$root"/tests/lint/fuzz/{corpus,regressions}/"$t"; do
        if [[ -d "$seeds_dir" ]]; then
            find "$seeds_dir" -maxdepth 1 -type f -exec cp {} "$work/corpus/" \;
        fi
    done
    seeds=$(find "$work/corpus" -type f | wc -l)
    start=$(date +%s)
    if "$build/tests/fuzz/fuzz_$t" -max_total_time="$t_secs" -timeout=10 -rss_limit_mb=2048 \
        -max_len=4096 -print_final_stats=1 -artifact_prefix="$work/artifacts/" \
        "$work/corpus" >"$work/log" 2>&1; then
        runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/log" | awk '{print $2}')
        summary+=("$t: ok, ${runs:-?} runs in $(( $(date +%s) - start )) s from $seeds seeds")
    else
        status=1
        summary+=("$t: FAILED (see $work/log, artifacts in $work/artifacts)")
        echo "== fuzz_$t failed; last lines of $work/log:" >&2
        tail -n 40 "$work/log" >&2
    fi
done
printf '%s\n' "${summary[@]}"
exit $status
