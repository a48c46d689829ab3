#!/usr/bin/env python3
"""bench/lint: `ratchet lint` vs squawk on the same generated Prisma migrations, and the extra
cost of the database-aware pass. Usage: bench.py RATCHET_BIN SQUAWK_BIN [ADMIN_URL]

Workloads: 200 and 10,000 migrations (each: a CREATE TABLE of 6 columns, a unique index, an
ADD COLUMN, an index on an existing table, a foreign key: Prisma's output for a new model with
a relation). Each tool runs 5 times after a warm-up, round-robin; the median wall time is
reported (min-max in brackets). The database pass applies the first half of the migrations and
lints the pending half against it.
"""
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

RUNS = 5


def migration(i):
    t = f"Model{i}"
    prev = f"Model{i - 1}" if i > 0 else None
    sql = [f'''-- CreateTable
CREATE TABLE "{t}" (
    "id" BIGSERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "score" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "parentId" BIGINT,

    CONSTRAINT "{t}_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "{t}_email_key" ON "{t}"("email");
''']
    if prev:
        sql.append(f'''
-- AlterTable
ALTER TABLE "{prev}" ADD COLUMN "note{i}" TEXT;

-- CreateIndex
CREATE INDEX "{prev}_name_{i}_idx" ON "{prev}"("name");

-- AddForeignKey
ALTER TABLE "{t}" ADD CONSTRAINT "{t}_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "{prev}"("id") ON DELETE SET NULL ON UPDATE CASCADE;
''')
    return "".join(sql)


def generate(root, n):
    for i in range(n):
        d = root / f"{20240101000000 + i:014d}_model_{i}"
        d.mkdir(parents=True)
        (d / "migration.sql").write_text(migration(i))


def timed(cmd, ok=(0, 1), env=None):
    start = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    elapsed = (time.perf_counter() - start) * 1000
    if r.returncode not in ok:
        sys.exit(f"{cmd[0]} failed ({r.returncode}): {r.stderr.decode()[:500]}")
    return elapsed


def measure(commands):
    """commands: {label: argv}; round-robin, one warm-up each; {label: [ms]}"""
    for argv in commands.values():
        timed(argv)
    out = {k: [] for k in commands}
    for _ in range(RUNS):
        for k, argv in commands.items():
            out[k].append(timed(argv))
    return out


def fmt(xs):
    return f"{statistics.median(xs):,.0f} ms ({min(xs):,.0f}-{max(xs):,.0f})"


def main():
    ratchet, squawk = sys.argv[1], sys.argv[2]
    admin = sys.argv[3] if len(sys.argv) > 3 else os.environ.get("RATCHET_TEST_ADMIN_URL")
    rows = []
    with tempfile.TemporaryDirectory(prefix="ratchet-bench-lint-") as tmp:
        for n in (200, 10_000):
            root = pathlib.Path(tmp) / f"m{n}"
            generate(root, n)
            files = sorted(str(p) for p in root.glob("*/migration.sql"))
            r = measure({
                "ratchet": [ratchet, "lint", "--dir", str(root), "--format", "json"],
                "squawk": [squawk, "--reporter", "json", "--pg-version", "15", *files],
            })
            rows.append((n, r))
        db_rows = []
        if admin:
            import urllib.parse
            for n in (200,):
                root = pathlib.Path(tmp) / f"db{n}"
                half = pathlib.Path(tmp) / f"db{n}_half"
                generate(root, n)
                half.mkdir()
                for d in sorted(root.iterdir())[: n // 2]:
                    shutil.copytree(d, half / d.name)
                db = f"ratchet_bench_lint_{n}"
                subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {db}", "-c",
                                f"CREATE DATABASE {db}"], check=True, stderr=subprocess.DEVNULL)
                u = urllib.parse.urlsplit(admin)
                url = urllib.parse.urlunsplit((u.scheme, u.netloc, "/" + db, u.query, ""))
                subprocess.run([ratchet, "deploy", "-q", "--url", url, "--dir", str(half)], check=True)
                r = measure({
                    "static (all 200)": [ratchet, "lint", "--dir", str(root), "--format", "json"],
                    "--url (100 pending)": [ratchet, "lint", "--dir", str(root), "--format", "json",
                                            "--url", url],
                    "plan only": [ratchet, "plan", "--json", "--url", url, "--dir", str(root)],
                })
                db_rows.append((n, r))
                subprocess.run(["psql", admin, "-qc", f"DROP DATABASE {db}"], check=True)
    v = subprocess.run([squawk, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"| migrations | ratchet lint | {v} | ratchet / squawk |")
    print("|---:|---:|---:|---:|")
    for n, r in rows:
        ratio = statistics.median(r["ratchet"]) / statistics.median(r["squawk"])
        print(f"| {n:,} | {fmt(r['ratchet'])} | {fmt(r['squawk'])} | {ratio:.2f}x |")
    for n, r in db_rows:
        print()
        print(f"Database-aware pass, {n} migrations, first half applied (PostgreSQL on loopback):")
        print()
        print("| run | wall time |")
        print("|---|---:|")
        for k, xs in r.items():
            print(f"| {k} | {fmt(xs)} |")


if __name__ == "__main__":
    main()
