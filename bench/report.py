#!/usr/bin/env python3
"""Turns one bench/results/<date>.json into bench/results/latest.md, w5.png and w1_w2.png.

usage: report.py RESULTS.json --ratchet PATH_TO_RELEASE_CLI --out bench/results
The CLI is needed for the size target: a copy is stripped (the build itself is left alone).
"""
import argparse
import json
import os
import shutil
import subprocess
import tempfile

ORDER = ["floor", "ratchet", "ratchet-lib", "dbmate", "node-pg-migrate", "prisma"]
PEERS = ["dbmate", "node-pg-migrate", "prisma"]
MB = 1024 * 1024


def fmt_ms(v):
    return f"{v:,.0f}" if v >= 100 else f"{v:.1f}"


def stripped_size(binary):
    with tempfile.TemporaryDirectory() as d:
        c = os.path.join(d, "ratchet")
        shutil.copy(binary, c)
        subprocess.run(["strip", c], check=True)
        return os.path.getsize(c), os.path.getsize(binary)


def needed_libs(binary):
    try:
        out = subprocess.run(["readelf", "-d", binary], capture_output=True, text=True).stdout
        return [ln.split("[")[1].rstrip("]") for ln in out.splitlines() if "(NEEDED)" in ln]
    except OSError:
        return []


def table(wl, labels, floor_key="floor", ratio_label="x floor", extra=None, cpu=False):
    rows = ["| tool | median ms | min ms | max ms | " + ratio_label + " | peak RSS (median) | runs |" +
            (" CPU ms (median) | x floor (CPU) |" if cpu else ""),
            "|---|---:|---:|---:|---:|---:|---:|" + ("---:|---:|" if cpu else "")]
    floor_cpu = wl.get(floor_key, {}).get("cpu_ms", {}).get("median")
    floor = wl.get(floor_key, {}).get("wall_ms", {}).get("median")
    for t in ORDER:
        if t not in wl:
            continue
        w = wl[t]["wall_ms"]
        ratio = f"{w['median'] / floor:.2f}" if floor else "–"
        rss = wl[t]["maxrss_kb"]["median"]
        rss_s = f"{rss / 1024:.1f} MB" if rss else "–"
        line = f"| {labels.get(t, t)} | {fmt_ms(w['median'])} | {fmt_ms(w['min'])} | {fmt_ms(w['max'])} | {ratio} | {rss_s} | {w['n']} |"
        if cpu:
            c = wl[t].get("cpu_ms", {}).get("median")
            line += (f" {c:.1f} | {c / floor_cpu:.2f} |" if c and floor_cpu else " – | – |")
        if extra:
            line += extra(t, wl[t])
        rows.append(line)
    return "\n".join(rows)


def verdict(ok):
    return "**met**" if ok else "**not met**"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("json")
    ap.add_argument("--ratchet", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    with open(a.json) as f:
        r = json.load(f)
    wl, labels, st = r["workloads"], r["labels"], r["settings"]
    m = r["machine"]
    md = []
    md.append(f"# Benchmark results — {r['date']}\n")
    md.append(f"Raw data: `{os.path.basename(a.json)}`. Produced by `bench/run.sh` (see bench/README.md) at ratchet "
              f"commit `{r.get('commit', '?')}`.\n")
    md.append(f"**Machine:** {m['cpu']}, {m['cores']} cores, {m['ram_gib']} GiB RAM, Linux {m['kernel']}; "
              f"PostgreSQL {r['postgres']} (throwaway cluster from scripts/pg-cluster.sh: fsync off, "
              f"synchronous_commit off, loopback TCP). Shared machine: other work may have been running.\n")
    v = r["versions"]
    md.append(f"**Tools:** {v.get('ratchet')} (Release build, CLI and library), dbmate {v.get('dbmate')} "
              f"(Go binary from the npm package, run directly), node-pg-migrate {v.get('node-pg-migrate')} "
              f"(`--no-single-transaction`: one transaction per migration), Prisma {v.get('prisma')} `migrate deploy` "
              f"**with the WebAssembly schema engine** through `@prisma/adapter-pg` (the offline harness of "
              f"tests/interop; not the native Rust engine; it splits scripts on `;` and autocommits each piece), "
              f"psql {v.get('psql')}, node {v.get('node')}.\n")
    md.append(f"**Method:** median of {st['reps']} timed runs after 1 warm-up (Prisma: {st['slow_reps']}), min and max "
              f"shown; wall time from spawn to exit, peak RSS from `/usr/bin/time -f %M` (the largest process of the "
              f"tree). Every database run gets a fresh database (W2: a `CREATE DATABASE … TEMPLATE` copy of one the "
              f"tool itself migrated). Ratios are to the floor measured in the same run. Total run time "
              f"{r.get('elapsed_s', 0) / 60:.1f} min; load average at start {r.get('loadavg_start', ['?'])[0]:.1f}, "
              f"at end {r.get('loadavg_end', ['?'])[0]:.1f} (1-minute averages; the benchmark's own processes count). "
              f"W1, W2, W2F and W3 run the tools round-robin, one run of each per round; W2 and W2F take "
              f"{st.get('w2_reps', st['reps'])} runs of the floor, ratchet, dbmate and the library. CPU = user + system "
              f"time of the process tree (the in-process library: none).\n")

    targets = []
    W1, W2, W3, W4, W5, L1 = (wl.get(k) for k in ("W1", "W2", "W3", "W4", "W5", "L1"))

    def med(w, t):
        return w[t]["wall_ms"]["median"] if w and t in w else None

    S1 = wl.get("S1")
    if S1:
        c = S1["commands"]
        base = c["psql --version"]
        md.append("## S1 — process start-up\n")
        md.append(f"`psql --version` is the real binary (`{S1.get('psql', 'psql')}`, not Debian's Perl wrapper). {S1['runs']} runs of each, interleaved (one of each per round) after 5 "
                  "warm-up rounds; wall = spawn to reap, CPU = user + system time of the process.\n")
        rows = ["| command | median wall ms | q1–q3 ms | x psql | median CPU ms | x psql (CPU) |",
                "|---|---:|---:|---:|---:|---:|"]
        for k, v in c.items():
            w, cp = v["wall_ms"], v["cpu_ms"]
            rows.append(f"| `{k}` | {w['median']:.2f} | {w['q1']:.2f}–{w['q3']:.2f} | "
                        f"{w['median'] / base['wall_ms']['median']:.2f} | {cp['median']:.2f} | "
                        f"{cp['median'] / base['cpu_ms']['median']:.2f} |")
        md.append("\n".join(rows) + "\n")
        for k in ("ratchet --version", "ratchet --help"):
            x = c[k]["wall_ms"]["median"] / base["wall_ms"]["median"]
            targets.append((f"`{k}` ≤ 1.2× `psql --version`", x <= 1.2,
                            f"{x:.2f}× ({c[k]['wall_ms']['median']:.2f} vs {base['wall_ms']['median']:.2f} ms)"))
    if W1:
        md.append(f"## W1 — apply {st['w1_migrations']} fresh migrations\n")
        md.append("Each migration: `CREATE TABLE` (5 columns), `CREATE INDEX`, one 10-row `INSERT`. Floor: "
                  "`psql -f` of the same SQL, each migration wrapped in `BEGIN`/`COMMIT`, one session.\n")
        md.append(table(W1, labels) + "\n")
        x = med(W1, "ratchet") / med(W1, "floor")
        targets.append(("W1 ≤ 1.15× floor", x <= 1.15, f"{x:.2f}× ({fmt_ms(med(W1, 'ratchet'))} vs {fmt_ms(med(W1, 'floor'))} ms)"))
    if W2:
        md.append(f"## W2 — no-op deploy ({st['w1_migrations']} applied)\n")
        md.append("Floor: `psql -c 'select 1'` (process start, connect, one round trip).\n")
        md.append(table(W2, labels, cpu=True) + "\n")
        x = med(W2, "ratchet") / med(W2, "floor")
        targets.append(("W2 ≤ 1.3× floor (fsync off)", x <= 1.3, f"{x:.2f}× ({fmt_ms(med(W2, 'ratchet'))} vs {fmt_ms(med(W2, 'floor'))} ms)"))
    W2F = wl.get("W2F")
    if W2F:
        md.append(f"## W2F — no-op deploy ({st['w1_migrations']} applied), server with fsync=on\n")
        md.append("The same as W2 after restarting the server with `fsync=on`, `synchronous_commit=on`, "
                  "`full_page_writes=on` (the throwaway cluster otherwise runs with them off).\n")
        md.append(table(W2F, labels, cpu=True) + "\n")
        x = med(W2F, "ratchet") / med(W2F, "floor")
        targets.append(("W2 ≤ 1.3× floor (fsync on)", x <= 1.3, f"{x:.2f}× ({fmt_ms(med(W2F, 'ratchet'))} vs {fmt_ms(med(W2F, 'floor'))} ms)"))
    if W3:
        sb = st["w3_script_bytes"]
        md.append(f"## W3 — one {sb / MB:.1f} MB migration of multi-row INSERTs ({st['w3_rows']:,} rows)\n")
        md.append(table(W3, labels) + "\n")
        x = med(W3, "ratchet") / med(W3, "floor")
        targets.append(("W3 ≤ 1.1× floor time", x <= 1.1, f"{x:.2f}× ({fmt_ms(med(W3, 'ratchet'))} vs {fmt_ms(med(W3, 'floor'))} ms)"))
        rss = W3["ratchet"]["maxrss_kb"]["median"] * 1024
        lim = 2 * sb + 16 * MB
        targets.append(("W3 peak RSS ≤ 2×script + 16 MB", rss <= lim,
                        f"{rss / MB:.1f} MB vs limit {lim / MB:.1f} MB (script {sb / MB:.1f} MB)"))
    if W4:
        md.append(f"## W4 — {st['w4_deployers']} deployers started at once on one empty database (W1 set)\n")
        md.append("Wall time until the last deployer exits. *Exactly once*: in every run (warm-up included) the "
                  "history table has 200 applied rows with distinct names, and each of the 200 tables exists "
                  "with exactly 10 rows. *Failed deployers*: processes that exited non-zero, per timed run.\n")
        w1r = med(W1, "ratchet") if W1 else None

        def extra(t, w):
            per = ",".join(str(n) for n in w["failed_deployers_per_run"])
            err = "; ".join(w["errors"][:2]).replace("|", "/")
            return f" {'yes' if w['exactly_once_all_runs'] else '**NO**'} | {per} | {err} |"
        t = table(W4, labels, floor_key="__none__", ratio_label="x own W1", extra=extra)
        lines = t.splitlines()
        lines[0] += " exactly once | failed deployers | errors of failed deployers |"
        lines[1] += "---|---|---|"
        out = []
        for ln in lines:
            for tool in ORDER:
                if ln.startswith(f"| {labels.get(tool, tool)} |") and med(W1, tool):
                    parts = ln.split(" | ")
                    parts[4] = f"{med(W4, tool) / med(W1, tool):.2f}"
                    ln = " | ".join(parts)
            out.append(ln)
        md.append("\n".join(out) + "\n")
        rw = W4.get("ratchet", {})
        once = rw.get("exactly_once_all_runs") and not any(rw.get("failed_deployers_per_run", [1]))
        targets.append(("W4 exactly once, no deployer failing (ratchet)", bool(once),
                        ("ratchet: every migration once, 0 of 8 deployers failed in every run" if once else
                         f"ratchet: exactly once {rw.get('exactly_once_all_runs')}, failed {rw.get('failed_deployers_per_run')}")
                        + "; peers: " + ", ".join(
                            f"{t} {'once' if W4[t]['exactly_once_all_runs'] else 'NOT once'} with "
                            f"{max(W4[t]['failed_deployers_per_run'])} of 8 failing" for t in W4 if t != "ratchet")))
        if w1r:
            x = med(W4, "ratchet") / w1r
            targets.append(("W4 ≤ 1.2× W1 (ratchet)", x <= 1.2, f"{x:.2f}× ({fmt_ms(med(W4, 'ratchet'))} vs {fmt_ms(w1r)} ms)"))
    if W5:
        md.append("## W5 — discovery + checksum + plan, no database\n")
        md.append("Library in-process (`ratchet_bench scan`): `load_directory` (list, read, decode, SHA-256, directives, "
                  "sort) + `migrations_hash` + `detail::decide_deploy` against a history in which every migration is "
                  "applied (the no-op plan). CLI: `ratchet hash --dir` (process start to exit). Warm page cache. "
                  "Kernel floor: `bench/syscall_floor`, only `readdir` + `openat`/`read`/`close` of every file on one "
                  "thread (what any tool must pay to read the scripts).\n")
        md.append("| migrations | kernel floor ms | load ms | hash ms | plan ms | library total ms (min–max) | per migration µs | CLI `hash` ms (min–max) | CLI peak RSS |")
        md.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for n, lib in W5["lib"].items():
            cli = W5["cli"][n]
            planned = lib.get("plan_measured", True)
            plan_s = fmt_ms(lib['plan_ms']['median']) if planned else "not run¹"
            fl = W5.get("syscall_floor", {}).get(n)
            fl_s = fmt_ms(fl["ms"]["median"]) if fl else "–"
            md.append(f"| {int(n):,} | {fl_s} | {fmt_ms(lib['load_ms']['median'])} | {fmt_ms(lib['hash_ms']['median'])} | "
                      f"{plan_s} | {fmt_ms(lib['total_ms']['median'])}{'' if planned else '¹'} "
                      f"({fmt_ms(lib['total_ms']['min'])}–{fmt_ms(lib['total_ms']['max'])}) | "
                      f"{lib['total_ms']['median'] * 1000 / int(n):.1f} | {fmt_ms(cli['wall_ms']['median'])} "
                      f"({fmt_ms(cli['wall_ms']['min'])}–{fmt_ms(cli['wall_ms']['max'])}) | {cli['maxrss_kb']['median'] / 1024:.1f} MB |")
        md.append("")
        sizes = sorted(W5["lib"], key=int)
        if not all(W5["lib"][n].get("plan_measured", True) for n in sizes):
            md.append("¹ The plan step was not measured at this size (`bench.py --w5-plan-max`); "
                      "total = load + hash.\n")
        per = [(W5["lib"][n]["load_ms"]["median"] + W5["lib"][n]["hash_ms"]["median"]) / int(n) for n in sizes]
        planned = [n for n in sizes if W5["lib"][n].get("plan_measured", True)]
        pper = [W5["lib"][n]["plan_ms"]["median"] / int(n) for n in planned]
        lin = max(per) / min(per) <= 1.5 and (len(pper) < 2 or max(pper) / min(pper) <= 1.5)
        t10k = W5["lib"].get("10000", {}).get("total_ms", {}).get("median")
        cli10k = W5["cli"].get("10000", {}).get("wall_ms", {}).get("median")
        floor = W5.get("syscall_floor", {})
        floor_s = ""
        if all(n in floor for n in sizes):
            fper = [floor[n]["ms"]["median"] / int(n) for n in sizes]
            floor_s = ("; kernel floor per migration " + " / ".join(f"{int(n):,}: {p * 1000:.1f} µs" for n, p in zip(sizes, fper))
                       + " (ratchet ÷ floor " + " / ".join(f"{a / b:.2f}" for a, b in zip(per, fper)) + ")")
        targets.append(("W5 linear (per-migration cost within 1.5× across sizes)", lin,
                        "load+hash per migration " + " / ".join(f"{int(n):,}: {p * 1000:.1f} µs" for n, p in zip(sizes, per))
                        + "; plan per migration " + " / ".join(f"{int(n):,}: {p * 1000:.1f} µs" for n, p in zip(planned, pper))
                        + floor_s))
        if t10k is not None:
            targets.append(("W5 10,000 migrations < 100 ms", t10k < 100,
                            f"library {fmt_ms(t10k)} ms; CLI `hash` {fmt_ms(cli10k)} ms"))
    if L1 and "zip_bytes" in L1:
        md.append("## L1 — Lambda package\n")
        md.append(f"Zip measured: `{L1.get('zip_path', '?')}`.\n")
        e = L1["exec_to_first_next"]["wall_ms"]
        md.append(f"**{L1['zip_bytes'] / MB:.2f} MiB** zipped, "
                  f"{L1['unzipped_bytes'] / MB:.2f} MiB unzipped (one static `bootstrap`: glibc, libstdc++, libpq, "
                  f"OpenSSL and libpg_query linked in; no shared object). "
                  f"exec of `bootstrap` → first `GET /2018-06-01/runtime/invocation/next` on a loopback fake Runtime API: "
                  f"median **{fmt_ms(e['median'])} ms** (min {fmt_ms(e['min'])}, max {fmt_ms(e['max'])}, {e['n']} runs).\n")

    size, unstripped = stripped_size(a.ratchet)
    libs = needed_libs(a.ratchet)
    md.append("## CLI binary\n")
    md.append(f"Release `ratchet` {unstripped / MB:.2f} MB, stripped copy **{size / MB:.2f} MB**; dynamically linked "
              f"against {', '.join(libs)}.\n")
    targets.append(("CLI binary ≤ 5 MB stripped", size <= 5 * MB, f"{size / MB:.2f} MB"))

    # faster than every peer on every database workload
    losses = []
    for name, w in (("W1", W1), ("W2", W2), ("W3", W3), ("W4", W4)):
        if not w or "ratchet" not in w:
            continue
        for p in PEERS:
            if p in w and med(w, p) <= med(w, "ratchet"):
                losses.append(f"{name}: {p} {fmt_ms(med(w, p))} ms ≤ ratchet {fmt_ms(med(w, 'ratchet'))} ms")
    ratios = []
    for name, w in (("W1", W1), ("W2", W2), ("W3", W3), ("W4", W4)):
        if w and "ratchet" in w and any(p in w for p in PEERS):
            best = min((med(w, p), p) for p in PEERS if p in w)
            ratios.append(f"{name}: best peer {best[1]} takes {best[0] / med(w, 'ratchet'):.2f}× ratchet's time")
    targets.append(("Faster than every peer on every workload", not losses,
                    (("; ".join(losses) + ". ") if losses else "") + "; ".join(ratios)))

    md.insert(5, "## Targets\n\n| target | result | measured |\n|---|---|---|\n" +
              "\n".join(f"| {n} | {verdict(ok)} | {d} |" for n, ok, d in targets) + "\n")
    r["targets"] = [{"target": n, "met": ok, "measured": d} for n, ok, d in targets]
    r["cli_binary"] = {"stripped_bytes": size, "unstripped_bytes": unstripped, "needed": libs}
    with open(a.json, "w") as f:
        json.dump(r, f, indent=1)
    with open(os.path.join(a.out, "latest.md"), "w") as f:
        f.write("\n".join(md) + "\n")
    plots(r, a.out)


def plots(r, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    wl, labels = r["workloads"], r["labels"]
    colors = {"floor": "#777777", "ratchet": "#d62728", "ratchet-lib": "#ff9896", "dbmate": "#1f77b4",
              "node-pg-migrate": "#2ca02c", "prisma": "#9467bd"}
    if "W5" in wl:
        fig, ax = plt.subplots(figsize=(8, 5.5), dpi=110)
        ns = sorted(wl["W5"]["lib"], key=int)
        x = [int(n) for n in ns]
        for key, lab, st in (("total_ms", "library: load + hash + plan", "o-"), ("load_ms", "library: load_directory", "s--"),
                             ("hash_ms", "library: migrations_hash", "^:"), ("plan_ms", "library: plan (decide_deploy)", "v:")):
            pts = [(int(n), wl["W5"]["lib"][n][key]["median"]) for n in ns
                   if key != "plan_ms" or wl["W5"]["lib"][n].get("plan_measured", True)]
            if key == "total_ms":
                lab += " (100,000: without plan)" if not all(wl["W5"]["lib"][n].get("plan_measured", True) for n in ns) else ""
            ax.plot([p[0] for p in pts], [max(p[1], 1e-3) for p in pts], st, label=lab)
        y = [wl["W5"]["cli"][n]["wall_ms"]["median"] for n in ns]
        ax.plot(x, y, "D-", color="black", label="CLI: ratchet hash --dir (whole process)")
        floor = wl["W5"].get("syscall_floor", {})
        if floor:
            fx = [int(n) for n in ns if n in floor]
            ax.plot(fx, [floor[n]["ms"]["median"] for n in ns if n in floor], "x-", color="#888888",
                    label="kernel floor: readdir + openat/read/close only, 1 thread")
        base = wl["W5"]["lib"][ns[0]]["total_ms"]["median"]
        ax.plot(x, [base * xi / x[0] for xi in x], color="#bbbbbb", lw=1, label="linear reference")
        ax.axhline(100, color="red", lw=0.8, ls="--")
        ax.text(x[0], 110, "100 ms target (10,000 migrations)", color="red", fontsize=8)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("number of migrations")
        ax.set_ylabel("time, ms (median, log scale)")
        ax.set_title("W5: discovery + checksum + plan, no database")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8, loc="upper left")
        fig.tight_layout()
        fig.savefig(os.path.join(out, "w5.png"))
        plt.close(fig)
    if "W1" in wl or "W2" in wl:
        fig, axes = plt.subplots(1, 2, figsize=(12, 5.5), dpi=110)
        for ax, key, title in ((axes[0], "W1", "W1: apply 200 fresh migrations"),
                               (axes[1], "W2", "W2: no-op deploy (200 applied)")):
            w = wl.get(key, {})
            tools = [t for t in ORDER if t in w]
            med = [w[t]["wall_ms"]["median"] for t in tools]
            lo = [m - w[t]["wall_ms"]["min"] for m, t in zip(med, tools)]
            hi = [w[t]["wall_ms"]["max"] - m for m, t in zip(med, tools)]
            bars = ax.bar(range(len(tools)), med, yerr=[lo, hi], capsize=4,
                          color=[colors.get(t, "#444") for t in tools])
            for b, m in zip(bars, med):
                ax.text(b.get_x() + b.get_width() / 2, m * 1.08, fmt_ms(m), ha="center", fontsize=8)
            ax.set_xticks(range(len(tools)))
            ax.set_xticklabels([labels.get(t, t).replace(" (", "\n(") for t in tools], rotation=30, ha="right", fontsize=8)
            ax.set_yscale("log")
            ax.set_ylabel("wall time, ms (median; bars min–max; log scale)")
            ax.set_title(title)
            ax.grid(True, axis="y", which="both", alpha=0.3)
        fig.tight_layout()
        fig.savefig(os.path.join(out, "w1_w2.png"))
        plt.close(fig)


if __name__ == "__main__":
    main()
