#!/usr/bin/env python3
"""Interleaved timing of short commands (stdlib only), for ratios that survive a busy machine.

    bench/interleave.py [-n RUNS] [-w WARMUP] [--json] -- 'cmd A' -- 'cmd B' ...

Runs A, B, ... round-robin (A B C A B C ...), so a change in the machine's load hits every command
alike, and prints per command the median and quartiles of the wall time (spawn to reap) and of the
CPU time (user + sys, from wait4), and the ratio of medians to the first command. Each command is
a shell-like string split with shlex and exec'd directly (no shell); stdout and stderr go to
/dev/null; a non-zero exit stops everything. bench.py uses run_interleaved() for W2 and S1.
"""
import argparse
import json
import os
import shlex
import statistics
import sys
import time


def spawn_measured(argv, env=None):
    """(wall_ms, cpu_ms, exit code) of one run of argv: posix_spawn + wait4, output discarded."""
    devnull = os.open(os.devnull, os.O_RDWR)
    try:
        t0 = time.perf_counter()
        pid = os.posix_spawnp(argv[0], argv, os.environ if env is None else env,
                              file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 0),
                                            (os.POSIX_SPAWN_DUP2, devnull, 1),
                                            (os.POSIX_SPAWN_DUP2, devnull, 2)])
        _, status, ru = os.wait4(pid, 0)
        wall = (time.perf_counter() - t0) * 1000.0
    finally:
        os.close(devnull)
    return wall, (ru.ru_utime + ru.ru_stime) * 1000.0, os.waitstatus_to_exitcode(status)


def quartiles(xs):
    q = statistics.quantiles(xs, n=4) if len(xs) > 1 else [xs[0]] * 3
    return {"median": statistics.median(xs), "q1": q[0], "q3": q[2], "min": min(xs), "max": max(xs),
            "n": len(xs)}


def run_interleaved(cmds, runs, warmup=3, env=None, before=None):
    """cmds: {label: argv}. Round-robin; before(label) (if given) runs untimed before each run.
    Returns {label: {"wall_ms": quartiles, "cpu_ms": quartiles, "samples": [[wall, cpu], ...]}}."""
    samples = {k: [] for k in cmds}
    for i in range(warmup + runs):
        for label, argv in cmds.items():
            if before:
                before(label)
            wall, cpu, code = spawn_measured(argv, env)
            if code != 0:
                raise RuntimeError(f"{label}: exit {code}: {shlex.join(argv)}")
            if i >= warmup:
                samples[label].append([wall, cpu])
    return {k: {"wall_ms": quartiles([s[0] for s in v]), "cpu_ms": quartiles([s[1] for s in v]),
                "samples": v} for k, v in samples.items()}


def main():
    argv = sys.argv[1:]
    groups, cur = [], None
    for a in argv:
        if a == "--":
            cur = []
            groups.append(cur)
        elif cur is None:
            continue
        else:
            cur.append(a)
    opts = argv[:argv.index("--")] if "--" in argv else argv
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=50)
    ap.add_argument("-w", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(opts)
    cmds = {}
    for g in groups:
        words = shlex.split(" ".join(g)) if len(g) == 1 else g
        cmds[" ".join(g)] = words
    res = run_interleaved(cmds, a.n, a.w)
    if a.json:
        print(json.dumps({k: {"wall_ms": v["wall_ms"], "cpu_ms": v["cpu_ms"]} for k, v in res.items()}))
        return
    first = next(iter(res.values()))
    load = os.getloadavg()[0]
    print(f"{a.n} interleaved runs each after {a.w} warm-up; load average {load:.1f}")
    for label, v in res.items():
        w, c = v["wall_ms"], v["cpu_ms"]
        print(f"  wall {w['median']:7.2f} ms (q1 {w['q1']:.2f} q3 {w['q3']:.2f}) x{w['median'] / first['wall_ms']['median']:.2f}"
              f"   cpu {c['median']:6.2f} ms x{c['median'] / first['cpu_ms']['median']:.2f}   {label}")


if __name__ == "__main__":
    main()
