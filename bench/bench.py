#!/usr/bin/env python3
"""ratchet benchmark driver (stdlib only). Started by bench/run.sh, which provides the tools,
the build and a throwaway PostgreSQL cluster; see bench/README.md.

Every measured command is started with subprocess and reaped with os.wait4(), which gives its
wall time (perf_counter around spawn..reap) and its peak RSS (ru_maxrss of the process and of
every descendant it waited for: what `/usr/bin/time -f %M` prints).
"""
import argparse
import datetime
import hashlib
import http.server
import json
import os
import platform
import re
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import interleave  # bench/interleave.py

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

W1_COUNT = 200
W4_DEPLOYERS = 8
W5_SIZES = (1_000, 10_000, 100_000)
W3_TARGET_BYTES = 20 * 1024 * 1024

TOOLS = ["floor", "ratchet", "ratchet-lib", "dbmate", "node-pg-migrate", "prisma"]
LABEL = {
    "floor": "floor (psql)",
    "ratchet": "ratchet CLI",
    "ratchet-lib": "ratchet library (in-process)",
    "dbmate": "dbmate 2.36.0",
    "node-pg-migrate": "node-pg-migrate 9.0.0",
    "prisma": "Prisma 6.19.3 (WASM engine)",
}


def log(*a):
    print("[bench]", *a, file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------------------------
# workloads: identical SQL in each tool's format
# ----------------------------------------------------------------------------------------------
def w1_body(i):
    """One W1 migration: a table with 5 columns, one index, 10 inserted rows (deterministic)."""
    t = f"bench_t{i:06d}"
    rows = ",\n".join(
        f"({r}, {(i * 31 + r * 7) % 1000}, 'row {r} of {t}', '2025-01-01 00:00:00+00'::timestamptz + interval '{r} minutes', {r}.{i % 100:02d})"
        for r in range(1, 11))
    return (f"CREATE TABLE {t} (\n  id bigint PRIMARY KEY,\n  qty integer NOT NULL,\n  label text NOT NULL,\n"
            f"  created_at timestamptz NOT NULL,\n  amount numeric(12,2)\n);\n"
            f"CREATE INDEX {t}_qty_idx ON {t} (qty);\n"
            f"INSERT INTO {t} (id, qty, label, created_at, amount) VALUES\n{rows};\n")


def w3_body():
    """One migration of about 20 MB of multi-row INSERTs (1,000 rows per statement)."""
    parts = ["CREATE TABLE bench_big (\n  id bigint PRIMARY KEY,\n  qty integer NOT NULL,\n  label text NOT NULL,\n"
             "  note text NOT NULL,\n  amount numeric(12,2)\n);\n"]
    size, rid = len(parts[0]), 0
    while size < W3_TARGET_BYTES:
        rows = []
        for _ in range(1000):
            rid += 1
            h = hashlib.sha1(str(rid).encode()).hexdigest()
            rows.append(f"({rid}, {rid % 9973}, 'label-{h[:12]}', 'note {h}', {rid % 100000}.{rid % 100:02d})")
        stmt = "INSERT INTO bench_big (id, qty, label, note, amount) VALUES\n" + ",\n".join(rows) + ";\n"
        parts.append(stmt)
        size += len(stmt)
    return "".join(parts), rid


def mig_name(i):
    # 14-digit timestamps, as Prisma, dbmate and node-pg-migrate all expect.
    ts = datetime.datetime(2025, 1, 1) + datetime.timedelta(minutes=i)
    return ts.strftime("%Y%m%d%H%M%S"), f"m{i:06d}"


def write_set(root, bodies):
    """bodies: list of SQL texts. Writes prisma/ (ratchet and Prisma), dbmate/, npm/, floor.sql."""
    if os.path.exists(os.path.join(root, ".done")):
        return
    shutil.rmtree(root, ignore_errors=True)
    for sub in ("prisma", "dbmate", "npm"):
        os.makedirs(os.path.join(root, sub))
    with open(os.path.join(root, "prisma", "migration_lock.toml"), "w") as f:
        f.write('provider = "postgresql"\n')
    floor = []
    for i, body in enumerate(bodies, 1):
        ts, slug = mig_name(i)
        d = os.path.join(root, "prisma", f"{ts}_{slug}")
        os.makedirs(d)
        with open(os.path.join(d, "migration.sql"), "w") as f:
            f.write(body)
        with open(os.path.join(root, "dbmate", f"{ts}_{slug}.sql"), "w") as f:
            f.write("-- migrate:up\n" + body + "\n-- migrate:down\n")
        with open(os.path.join(root, "npm", f"{ts}_{slug}.sql"), "w") as f:
            f.write("-- Up Migration\n" + body + "\n-- Down Migration\n")
        floor.append("BEGIN;\n" + body + "COMMIT;\n")
    with open(os.path.join(root, "floor.sql"), "w") as f:
        f.write("".join(floor))
    open(os.path.join(root, ".done"), "w").close()


def write_scan_set(root, n):
    """W5: n migrations (the W1 shape, cycling 200 bodies with unique table names)."""
    if os.path.exists(os.path.join(root, ".done")):
        return
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    for i in range(1, n + 1):
        d = os.path.join(root, f"{i:014d}_m{i}")
        os.mkdir(d)
        with open(os.path.join(d, "migration.sql"), "w") as f:
            f.write(w1_body(i))
    open(os.path.join(root, ".done"), "w").close()


# ----------------------------------------------------------------------------------------------
# running and measuring
# ----------------------------------------------------------------------------------------------
def run_measured(argv, env=None, cwd=None):
    """Run argv under /usr/bin/time -f %M; returns (dict(wall_ms, maxrss_kb, code, stdout, stderr), None).

    /usr/bin/time is used for the peak RSS because a child forked from this (large) Python process
    would report the parent's pre-exec RSS in ru_maxrss; time's own child starts small.
    """
    fd, tfile = tempfile.mkstemp(prefix="bench-rss-")
    os.close(fd)
    try:
        t0 = time.perf_counter()
        p = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", tfile, *argv], env=env, cwd=cwd,
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        r, _ = communicate_and_wait4(p, t0)
        with open(tfile) as f:
            lines = [ln for ln in f.read().splitlines() if ln.strip()]
        r["maxrss_kb"] = int(lines[-1]) if lines and lines[-1].strip().isdigit() else None
        return r, None
    finally:
        os.unlink(tfile)


def communicate_and_wait4(p, t0):
    bufs = {"out": b"", "err": b""}

    def pump(stream, key):
        bufs[key] = stream.read()

    ts = [threading.Thread(target=pump, args=(p.stdout, "out")), threading.Thread(target=pump, args=(p.stderr, "err"))]
    for t in ts:
        t.start()
    _, status, ru = os.wait4(p.pid, 0)
    wall = (time.perf_counter() - t0) * 1000.0
    for t in ts:
        t.join()
    p.returncode = os.waitstatus_to_exitcode(status)
    # CPU: user + system time of the process tree (wait4 counts the descendants it reaped), which
    # a busy machine disturbs much less than wall time.
    return {"wall_ms": wall, "maxrss_kb": ru.ru_maxrss, "cpu_ms": (ru.ru_utime + ru.ru_stime) * 1000.0,
            "code": p.returncode,
            "stdout": bufs["out"].decode(errors="replace"), "stderr": bufs["err"].decode(errors="replace")}, None


class Bench:
    def __init__(self, args):
        self.a = args
        self.admin = os.environ["RATCHET_TEST_ADMIN_URL"]
        self.port = os.environ["RATCHET_TEST_PORT"]
        self.pgbin = os.environ["RATCHET_TEST_PGBIN"]
        self.psql = os.path.join(self.pgbin, "psql") if os.path.exists(os.path.join(self.pgbin, "psql")) else "psql"
        self.work = args.work
        self.ratchet = args.ratchet
        self.ratchet_bench = args.ratchet_bench
        self.syscall_floor = args.syscall_floor
        self.dbmate = os.path.join(HERE, "node_modules", "@dbmate", "linux-x64", "bin", "dbmate")
        self.npm_pg_migrate = os.path.join(HERE, "node_modules", "node-pg-migrate", "bin", "node-pg-migrate.js")
        self.dbn = 0
        self.results = {"workloads": {}, "targets": {}}
        self.env = dict(os.environ)
        for k in list(self.env):
            if k.startswith("PG") or k == "DATABASE_URL":
                del self.env[k]

    # -- databases -------------------------------------------------------------------------
    def url(self, db, flavour="prisma"):
        base = f"postgresql://postgres@127.0.0.1:{self.port}/{db}"
        return base + "?sslmode=disable" if flavour == "dbmate" else base

    def admin_sql(self, sql, db="postgres"):
        r = subprocess.run([self.psql, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", self.url(db), "-c", sql],
                           capture_output=True, text=True, env=self.env)
        if r.returncode != 0:
            raise RuntimeError(f"psql failed: {sql}: {r.stderr}")
        return r.stdout.strip()

    def fresh_db(self, template=None):
        self.dbn += 1
        name = f"bench_{os.getpid()}_{self.dbn}"
        self.admin_sql(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return name

    def drop_db(self, name):
        self.admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    # -- tool command lines ------------------------------------------------------------------
    def cmd(self, tool, db, wl_root, noop=False):
        """argv for one deploy of the set in wl_root by tool (noop: floor's `select 1`)."""
        if tool == "floor":
            if noop:
                return [self.psql, "-X", "-q", "-d", self.url(db), "-c", "select 1"]
            return [self.psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", self.url(db), "-f",
                    os.path.join(wl_root, "floor.sql")]
        if tool == "ratchet":
            return [self.ratchet, "deploy", "-q", "--url", self.url(db), "--dir", os.path.join(wl_root, "prisma")]
        if tool == "ratchet-lib":
            return [self.ratchet_bench, "deploy", self.url(db), os.path.join(wl_root, "prisma"), "1"]
        if tool == "dbmate":
            return [self.dbmate, "--url", self.url(db, "dbmate"), "--migrations-dir", os.path.join(wl_root, "dbmate"),
                    "--no-dump-schema", "migrate"]
        if tool == "node-pg-migrate":
            return ["node", self.npm_pg_migrate, "up", "-m", os.path.join(wl_root, "npm"), "--no-single-transaction",
                    "--no-verbose", "--no-check-order", "-d", "BENCH_DATABASE_URL"]
        if tool == "prisma":
            return ["node", os.path.join(HERE, "prisma-deploy.mjs"), self.url(db), os.path.join(wl_root, "prisma")]
        raise KeyError(tool)

    def tool_env(self, db):
        e = dict(self.env)
        e["BENCH_DATABASE_URL"] = self.url(db)
        return e

    def run_tool(self, tool, db, wl_root, noop=False):
        r, _ = run_measured(self.cmd(tool, db, wl_root, noop), env=self.tool_env(db))
        if r["code"] != 0:
            raise RuntimeError(f"{tool} failed (exit {r['code']}): {r['stderr'][-2000:]}{r['stdout'][-500:]}")
        sample = {"wall_ms": r["wall_ms"], "maxrss_kb": r["maxrss_kb"], "cpu_ms": r["cpu_ms"]}
        if tool == "prisma":
            # Wall time of the Prisma CLI process itself (the harness's spawn-to-exit), not of the wrapper.
            sample["wrapper_wall_ms"] = r["wall_ms"]
            sample["wall_ms"] = float(json.loads(r["stdout"].strip().splitlines()[-1])["ms"])
        if tool == "ratchet-lib":
            lines = [json.loads(x) for x in r["stdout"].splitlines() if x.strip()]
            sample["process_wall_ms"] = r["wall_ms"]
            sample["wall_ms"] = lines[0]["ms"]
        return sample

    def reps_for(self, tool):
        return self.a.slow_reps if tool in ("prisma",) else self.a.reps

    # -- workloads ---------------------------------------------------------------------------
    def w1(self, name="W1", wl="w1"):
        # Round-robin over the tools (one run of each, then the next round), so that a change in
        # the machine's state during the workload (checkpoints, another process) is shared by all
        # tools instead of landing on whichever ran at that moment.
        root = os.path.join(self.work, wl)
        samples = {tool: [] for tool in self.a.tools}
        for k in range(max(self.reps_for(t) for t in self.a.tools) + 1):
            for tool in self.a.tools:
                if k > self.reps_for(tool):
                    continue
                db = self.fresh_db()
                try:
                    s = self.run_tool(tool, db, root)
                finally:
                    self.drop_db(db)
                s["warmup"] = k == 0
                samples[tool].append(s)
        out = {}
        for tool in self.a.tools:
            out[tool] = summarize(samples[tool])
            log(f"{name} {tool}: median {out[tool]['wall_ms']['median']:.1f} ms, rss {out[tool]['maxrss_kb']['median']} KB")
        return out

    def w2(self, name="W2"):
        """No-op deploy. Every tool (and the floor) gets a template database it migrated itself;
        the timed runs go round-robin over the tools, one fresh copy per run, so that the floor
        and each tool see the same moments of a shared machine (the ratio is what counts)."""
        root = os.path.join(self.work, "w1")
        out, templates = {}, {}
        tools = [t for t in self.a.tools if t != "ratchet-lib"]
        try:
            for tool in tools:
                templates[tool] = self.fresh_db()
                self.run_tool(tool, templates[tool], root)  # 200 applied (floor: its own SQL), untimed
            samples = {tool: [] for tool in tools}

            def reps(t):  # W2 is short and its ratio is a target: more runs of the quick ones
                return max(self.a.w2_reps, self.a.reps) if t in ("floor", "ratchet", "dbmate") else self.reps_for(t)

            for k in range(max([reps(t) for t in tools] + [0]) + 1):
                for tool in tools:
                    if k > reps(tool):
                        continue
                    db = self.fresh_db(template=templates[tool])
                    try:
                        s = self.run_tool(tool, db, root, noop=True)
                    finally:
                        self.drop_db(db)
                    s["warmup"] = k == 0
                    samples[tool].append(s)
            for tool in tools:
                out[tool] = summarize(samples[tool])
                log(f"{name} {tool}: median {out[tool]['wall_ms']['median']:.1f} ms")
        finally:
            for db in templates.values():
                self.drop_db(db)
        if "ratchet-lib" in self.a.tools:
            # In-process: one engine call after another on one process (first = warm-up).
            tpl = self.fresh_db()
            try:
                self.run_tool("ratchet", tpl, root)
                db = self.fresh_db(template=tpl)
                try:
                    argv = [self.ratchet_bench, "deploy", self.url(db), os.path.join(root, "prisma"),
                            str(max(self.a.w2_reps, self.a.reps) + 1)]
                    r, _ = run_measured(argv, env=self.env)
                    if r["code"] != 0:
                        raise RuntimeError(r["stderr"])
                    lines = [json.loads(x) for x in r["stdout"].splitlines() if x.strip()]
                    rss = lines[-1]["maxrss_kb"]
                    lib = []
                    for k, ln in enumerate(lines[:-1]):
                        assert ln["applied"] == 0, ln
                        lib.append({"wall_ms": ln["ms"], "maxrss_kb": rss, "warmup": k == 0})
                    out["ratchet-lib"] = summarize(lib)
                finally:
                    self.drop_db(db)
            finally:
                self.drop_db(tpl)
        out["server"] = {"fsync": self.admin_sql("show fsync"),
                         "synchronous_commit": self.admin_sql("show synchronous_commit"),
                         "ssl": self.admin_sql("show ssl")}
        return out

    def set_fsync(self, on):
        """Restarts the throwaway cluster with fsync (and synchronous_commit, full_page_writes)
        on or off: the command line pg-cluster.sh started it with, plus -c settings, which win
        over its -F. Needs RATCHET_TEST_PGDATA."""
        data = os.environ["RATCHET_TEST_PGDATA"]
        with open(os.path.join(data, "postmaster.opts")) as f:
            words = shlex.split(f.read())[1:]  # drop the postgres binary
        # pg_ctl adds -D itself; drop earlier fsync settings of ours
        keep, i = [], 0
        while i < len(words):
            if words[i] == "-D":
                i += 2
                continue
            if words[i] == "-c" and i + 1 < len(words) and words[i + 1].split("=")[0] in (
                    "fsync", "synchronous_commit", "full_page_writes"):
                i += 2
                continue
            keep.append(words[i])
            i += 1
        v = "on" if on else "off"
        keep += ["-c", f"fsync={v}", "-c", f"synchronous_commit={v}", "-c", f"full_page_writes={v}"]
        as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []  # as pg-cluster.sh
        r = subprocess.run([*as_owner, os.path.join(self.pgbin, "pg_ctl"), "-D", data, "-w", "-m", "fast", "-l",
                            os.path.join(os.path.dirname(data), "server.log"), "restart", "-o", shlex.join(keep)],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"pg_ctl restart failed: {r.stderr}{r.stdout}")
        got = self.admin_sql("show fsync")
        if got != v:
            raise RuntimeError(f"fsync is {got} after the restart, wanted {v}")
        log(f"server restarted with fsync={v}")

    def s1(self):
        """Start-up: `ratchet --version` and `--help` against `psql --version` (the real binary,
        not Debian's Perl wrapper), interleaved, many runs: each takes ~10 ms."""
        psql = os.path.join(self.pgbin, "psql")
        cmds = {"psql --version": [psql, "--version"],
                "ratchet --version": [self.ratchet, "--version"],
                "ratchet --help": [self.ratchet, "--help"]}
        runs = max(100, self.a.reps * 40)
        res = interleave.run_interleaved(cmds, runs, warmup=5, env=self.env)
        for k, v in res.items():
            log(f"S1 {k}: median {v['wall_ms']['median']:.2f} ms wall, {v['cpu_ms']['median']:.2f} ms CPU")
        return {"runs": runs, "psql": psql, "commands": res}

    def history_check(self, tool, db):
        """Exactly-once check after W4: history rows and the data of every table."""
        q_hist = {
            "ratchet": "select count(*), count(distinct migration_name) from _prisma_migrations where finished_at is not null and rolled_back_at is null",
            "dbmate": "select count(*), count(distinct version) from schema_migrations",
            "node-pg-migrate": "select count(*), count(distinct name) from pgmigrations",
        }
        q_hist["prisma"] = q_hist["ratchet"]
        res = {}
        try:
            c, d = self.admin_sql(q_hist[tool], db).split("|")
            res["history_rows"], res["history_distinct"] = int(c), int(d)
        except Exception as e:  # noqa: BLE001 - reported, not fatal
            res["history_error"] = str(e)[:300]
        tables = self.admin_sql("select count(*) from pg_tables where schemaname='public' and tablename like 'bench_t%'", db)
        res["tables"] = int(tables)
        counts = self.admin_sql(
            "select coalesce(sum(n),0), count(*) filter (where n<>10) from (select (xpath('/row/c/text()', "
            "query_to_xml(format('select count(*) as c from %I', tablename), false, true, '')))[1]::text::int as n "
            "from pg_tables where schemaname='public' and tablename like 'bench_t%') s", db)
        total, bad = counts.split("|")
        res["rows_total"], res["tables_not_10_rows"] = int(total), int(bad)
        res["exactly_once"] = (res.get("history_rows") == W1_COUNT and res.get("history_distinct") == W1_COUNT
                               and res["tables"] == W1_COUNT and res["rows_total"] == 10 * W1_COUNT
                               and res["tables_not_10_rows"] == 0)
        return res

    def w4(self):
        root = os.path.join(self.work, "w1")
        out = {}
        for tool in [t for t in self.a.tools if t not in ("floor", "ratchet-lib")]:
            samples = []
            for k in range(self.reps_for(tool) + 1):
                db = self.fresh_db()
                try:
                    argv = self.cmd(tool, db, root)
                    env = self.tool_env(db)
                    t0 = time.perf_counter()
                    procs = [subprocess.Popen(["/usr/bin/time", "-f", "%M", *argv], env=env, stdin=subprocess.DEVNULL,
                                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                             for _ in range(W4_DEPLOYERS)]
                    results = [None] * W4_DEPLOYERS
                    ths = []
                    for idx, p in enumerate(procs):
                        def reap(i=idx, pp=p):
                            results[i], _ = communicate_and_wait4(pp, t0)
                        th = threading.Thread(target=reap)
                        th.start()
                        ths.append(th)
                    for th in ths:
                        th.join()
                    wall = max(r["wall_ms"] for r in results)
                    for r in results:  # /usr/bin/time's %M is the last line of stderr
                        tail = r["stderr"].rstrip().splitlines()
                        r["maxrss_kb"] = int(tail[-1]) if tail and tail[-1].strip().isdigit() else None
                    codes = [r["code"] for r in results]
                    chk = self.history_check(tool, db)
                    errs = sorted({first_error_line(r["stderr"] + r["stdout"]) for r in results if r["code"] != 0})
                finally:
                    self.drop_db(db)
                samples.append({"wall_ms": wall, "maxrss_kb": max(r["maxrss_kb"] or 0 for r in results),
                                "exit_codes": codes, "failed_deployers": sum(c != 0 for c in codes),
                                "errors": errs[:3], **chk, "warmup": k == 0})
            s = summarize(samples)
            timed = [x for x in samples if not x["warmup"]]
            s["exactly_once_all_runs"] = all(x["exactly_once"] for x in samples)
            s["failed_deployers_per_run"] = [x["failed_deployers"] for x in timed]
            s["errors"] = sorted({e for x in samples for e in x["errors"]})[:5]
            out[tool] = s
            log(f"W4 {tool}: median {s['wall_ms']['median']:.1f} ms, exactly once: {s['exactly_once_all_runs']}, "
                f"failed deployers/run: {s['failed_deployers_per_run']}")
        return out

    def w5(self):
        out = {"lib": {}, "cli": {}}
        for n in W5_SIZES:
            root = os.path.join(self.work, f"w5_{n}")
            t0 = time.time()
            write_scan_set(root, n)
            log(f"W5 set {n} ready ({time.time() - t0:.1f} s)")
            # Drop nothing from the page cache: this measures warm-cache discovery (the warm-up run fills it).
            if self.syscall_floor:
                r, _ = run_measured([self.syscall_floor, root, str(self.a.reps + 1)], env=self.env)
                if r["code"] != 0:
                    raise RuntimeError(r["stderr"])
                floor = [json.loads(x) for x in r["stdout"].splitlines() if x.strip()][1:]
                out.setdefault("syscall_floor", {})[str(n)] = {"ms": stats([x["ms"] for x in floor])}
            mode = "scan" if n <= self.a.w5_plan_max else "scan-noplan"
            r, _ = run_measured([self.ratchet_bench, mode, root, str(self.a.reps + 1)], env=self.env)
            if r["code"] != 0:
                raise RuntimeError(r["stderr"])
            lines = [json.loads(x) for x in r["stdout"].splitlines() if x.strip()]
            reps = lines[:-1]
            assert all(x["n"] == n and x["pending"] == 0 for x in reps), reps[:1]
            timed = reps[1:]
            out["lib"][str(n)] = {k: stats([x[k] for x in timed]) for k in ("load_ms", "hash_ms", "plan_ms", "total_ms")}
            out["lib"][str(n)]["plan_measured"] = mode == "scan"
            out["lib"][str(n)]["maxrss_kb"] = lines[-1]["maxrss_kb"]
            samples = []
            for k in range(self.a.reps + 1):
                r, _ = run_measured([self.ratchet, "hash", "--dir", root], env=self.env)
                if r["code"] != 0:
                    raise RuntimeError(r["stderr"])
                samples.append({"wall_ms": r["wall_ms"], "maxrss_kb": r["maxrss_kb"], "warmup": k == 0})
            out["cli"][str(n)] = summarize(samples)
            log(f"W5 {n}: lib total {out['lib'][str(n)]['total_ms']['median']:.1f} ms, "
                f"CLI hash {out['cli'][str(n)]['wall_ms']['median']:.1f} ms")
        return out

    def l1(self):
        res = {}
        zip_path = self.a.lambda_zip
        if not zip_path or not os.path.exists(zip_path):
            return {"skipped": "no Lambda zip"}
        res["zip_bytes"] = os.path.getsize(zip_path)
        res["zip_path"] = zip_path
        root = os.path.join(self.work, "lambda")
        shutil.rmtree(root, ignore_errors=True)
        os.makedirs(root)
        subprocess.run(["unzip", "-q", zip_path, "-d", root], check=True)
        res["unzipped_bytes"] = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(root) for f in fs)
        samples = []
        for k in range(self.a.reps + 1):
            ms = time_to_first_next(root)
            samples.append({"wall_ms": ms, "maxrss_kb": 0, "warmup": k == 0})
        res["exec_to_first_next"] = summarize(samples)
        log(f"L1: zip {res['zip_bytes']} B, exec->first next {res['exec_to_first_next']['wall_ms']['median']:.1f} ms")
        return res


def first_error_line(text):
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().isdigit()]
    for pat in (r"P\d{4}|another migration|already|could not|timed? ?out|deadlock|duplicate", r"error|fail"):
        for ln in lines:
            if re.search(pat, ln, re.I) and "Command exited with" not in ln:
                return ln[:200]
    return (lines or [""])[-1][:200]


def time_to_first_next(task_root):
    """exec of the zip's `bootstrap` -> first GET /2018-06-01/runtime/invocation/next (loopback server)."""
    hit = {}
    ev = threading.Event()

    class H(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            if self.path.startswith("/2018-06-01/runtime/invocation/next") and "t" not in hit:
                hit["t"] = time.perf_counter()
                ev.set()
            # Never answer: the runtime just waits; it is killed below.
            time.sleep(2)

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    srv.daemon_threads = True
    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()
    env = {"PATH": "/usr/bin:/bin", "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{srv.server_address[1]}",
           "LAMBDA_TASK_ROOT": task_root, "AWS_REGION": "us-east-1",
           "AWS_LAMBDA_FUNCTION_NAME": "bench", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256"}
    t0 = time.perf_counter()
    p = subprocess.Popen([os.path.join(task_root, "bootstrap")], cwd=task_root, env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ok = ev.wait(10)
    p.kill()
    p.wait()
    srv.shutdown()
    srv.server_close()
    if not ok:
        raise RuntimeError("bootstrap never polled /next")
    return (hit["t"] - t0) * 1000.0


def stats(vals):
    return {"median": statistics.median(vals), "min": min(vals), "max": max(vals), "n": len(vals)}


def summarize(samples):
    timed = [s for s in samples if not s.get("warmup")]
    out = {"wall_ms": stats([s["wall_ms"] for s in timed]),
           "maxrss_kb": stats([s["maxrss_kb"] or 0 for s in timed]),
           "samples": samples}
    if timed and all("cpu_ms" in s for s in timed):
        out["cpu_ms"] = stats([s["cpu_ms"] for s in timed])
    return out


def machine():
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for ln in f:
            if ln.startswith("model name"):
                cpu = ln.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gib": round(mem_kb / 1048576, 1),
            "kernel": platform.release(), "os": platform.platform()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--ratchet", required=True)
    ap.add_argument("--ratchet-bench", required=True)
    ap.add_argument("--syscall-floor", help="bench/syscall_floor: readdir + openat/read/close only (W5 kernel floor)")
    ap.add_argument("--lambda-zip")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--slow-reps", type=int, default=5)
    ap.add_argument("--w2-reps", type=int, default=20, help="W2/W2F runs of floor, ratchet, dbmate, library")
    ap.add_argument("--tools", default=",".join(TOOLS))
    ap.add_argument("--only", default="S1,W1,W2,W2F,W3,W4,W5,L1")
    ap.add_argument("--w5-plan-max", type=int, default=100_000)
    a = ap.parse_args()
    a.tools = a.tools.split(",")
    only = a.only.split(",")
    b = Bench(a)
    os.makedirs(a.work, exist_ok=True)
    log("generating workloads")
    write_set(os.path.join(a.work, "w1"), [w1_body(i) for i in range(1, W1_COUNT + 1)])
    big, nrows = w3_body()
    write_set(os.path.join(a.work, "w3"), [big])
    w3_bytes = len(big.encode())
    del big

    started = time.time()
    res = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "loadavg_start": os.getloadavg(),
        "postgres": b.admin_sql("show server_version"),
        "commit": subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"], capture_output=True,
                                 text=True).stdout.strip(),
        "versions": tool_versions(b),
        "settings": {"reps": a.reps, "slow_reps": a.slow_reps, "w2_reps": a.w2_reps, "warmup": 1, "w1_migrations": W1_COUNT,
                     "w3_script_bytes": w3_bytes, "w3_rows": nrows, "w4_deployers": W4_DEPLOYERS,
                     "w5_sizes": list(W5_SIZES), "tools": a.tools},
        "labels": LABEL,
        "workloads": {},
    }
    wl = res["workloads"]
    if "L1" in only:
        wl["L1"] = b.l1()
    if "S1" in only:
        wl["S1"] = b.s1()
    if "W2" in only:
        wl["W2"] = b.w2()
    if "W2F" in only:  # the same with fsync=on (the throwaway cluster runs with fsync off)
        b.set_fsync(True)
        try:
            wl["W2F"] = b.w2("W2F")
        finally:
            b.set_fsync(False)
    if "W1" in only:
        wl["W1"] = b.w1()
    if "W3" in only:
        wl["W3"] = b.w1("W3", "w3")
    if "W4" in only:
        wl["W4"] = b.w4()
    if "W5" in only:
        wl["W5"] = b.w5()
    res["elapsed_s"] = round(time.time() - started, 1)
    res["loadavg_end"] = os.getloadavg()
    os.makedirs(a.out, exist_ok=True)
    path = os.path.join(a.out, datetime.date.today().isoformat() + ".json")
    with open(path, "w") as f:
        json.dump(res, f, indent=1)
    log(f"wrote {path} ({res['elapsed_s']} s)")
    print(path)


def tool_versions(b):
    v = {}
    for name, argv in {"ratchet": [b.ratchet, "--version"], "dbmate": [b.dbmate, "--version"],
                       "node": ["node", "--version"], "psql": [b.psql, "--version"]}.items():
        try:
            v[name] = subprocess.run(argv, capture_output=True, text=True).stdout.strip()
        except OSError as e:
            v[name] = str(e)
    for pkg, d in {"node-pg-migrate": os.path.join(HERE, "node_modules", "node-pg-migrate"),
                   "prisma": os.path.join(ROOT, "tests", "interop", "node_modules", "prisma")}.items():
        try:
            with open(os.path.join(d, "package.json")) as f:
                v[pkg] = json.load(f)["version"]
        except OSError as e:
            v[pkg] = str(e)
    return v


if __name__ == "__main__":
    main()
