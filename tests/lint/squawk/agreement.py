#!/usr/bin/env python3
"""ratchet lint vs squawk on the same files, for the rules both have.

For every shared rule, the set of files where ratchet fires must equal the set where squawk
fires, except for the disagreements listed in EXPLAINED (each one is also explained in
docs/lint-rules.md, "Agreement with squawk"). An explained disagreement that no longer occurs
fails the test too, so that the list stays true.
"""
import json
import pathlib
import subprocess
import sys

# ratchet rule -> squawk rule
SHARED = {
    "require-concurrent-index-creation": "require-concurrent-index-creation",
    "require-concurrent-index-deletion": "require-concurrent-index-deletion",
    "adding-foreign-key-constraint": "adding-foreign-key-constraint",
    "constraint-missing-not-valid": "constraint-missing-not-valid",
    "setting-not-null": "adding-not-nullable-field",
    "adding-required-field": "adding-required-field",
    "changing-column-type": "changing-column-type",
    "adding-field-with-default": "adding-field-with-default",
    "adding-primary-key-constraint": "adding-serial-primary-key-field",
    "disallowed-unique-constraint": "disallowed-unique-constraint",
    "renaming-column": "renaming-column",
    "renaming-table": "renaming-table",
    "ban-drop-column": "ban-drop-column",
    "ban-drop-table": "ban-drop-table",
    "transaction-nesting": "transaction-nesting",
    "prefer-text-field": "prefer-text-field",
    "prefer-timestamptz": "prefer-timestamp-tz",
    "require-timeout-settings": "require-lock-timeout",
}

# (ratchet rule, file relative to the corpus root, who fires) -> why; see docs/lint-rules.md.
NEW = "created earlier in the same migration: nothing to lock or lose (squawk judges statements alone)"
SUPPRESSED = "suppressed by -- ratchet:lint-ignore with a reason (squawk has its own squawk-ignore comments)"
SPLIT = ("ratchet reports one rule per problem: adding-foreign-key-constraint, adding-primary-key-constraint, "
         "disallowed-unique-constraint (PRIMARY KEY and UNIQUE cannot be NOT VALID at all)")
CONCURRENT = ("CREATE/DROP INDEX CONCURRENTLY wait for SHARE UPDATE EXCLUSIVE, which no read or write "
              "queues behind: a long wait delays the deploy, not the application")
EXPLAINED = {
    ("require-concurrent-index-deletion", "../corpus/require-concurrent-index-deletion/ok_2.sql", "squawk"): NEW,
    ("constraint-missing-not-valid", "../corpus/adding-foreign-key-constraint/fires_1.sql", "squawk"): SPLIT,
    ("constraint-missing-not-valid", "../corpus/adding-primary-key-constraint/fires_1.sql", "squawk"): SPLIT,
    ("constraint-missing-not-valid", "../corpus/disallowed-unique-constraint/fires_1.sql", "squawk"): SPLIT,
    ("adding-field-with-default", "../corpus/adding-field-with-default/fires_2.sql", "ratchet"):
        "ADD COLUMN serial: nextval() is a volatile default and rewrites the table; squawk 2.66 misses it",
    ("renaming-column", "../corpus/renaming-column/ok_1.sql", "squawk"): NEW,
    ("changing-column-type", "../corpus/changing-column-type/ok_2.sql", "squawk"): NEW,
    ("require-timeout-settings", "../corpus/changing-column-type/ok_2.sql", "squawk"): NEW,
    ("ban-drop-table", "../corpus/ban-drop-table/ok_1.sql", "squawk"): NEW,
    ("ban-drop-table", "../corpus/invalid-lint-ignore/ok_1.sql", "squawk"): SUPPRESSED,
    ("ban-drop-table", "../corpus/unused-lint-ignore/ok_1.sql", "squawk"): SUPPRESSED,
    ("require-timeout-settings", "../corpus/adding-foreign-key-constraint/ok_3.sql", "squawk"): NEW,
    ("require-timeout-settings", "../corpus/ban-drop-table/ok_1.sql", "squawk"): NEW,
    ("require-timeout-settings", "../corpus/renaming-column/ok_1.sql", "squawk"): NEW,
    ("require-timeout-settings", "../corpus/require-concurrent-index-creation/ok_2.sql", "squawk"): NEW,
    ("require-timeout-settings", "../corpus/require-timeout-settings/ok_3.sql", "squawk"): NEW,
    ("require-timeout-settings", "../prisma/20240101000000_init/migration.sql", "squawk"): NEW,
    ("require-timeout-settings", "../prisma/20240104000000_relation/migration.sql", "squawk"): NEW,
    ("require-timeout-settings", "../corpus/ban-vacuum-full/fires_1.sql", "squawk"):
        "ban-vacuum-full already reports VACUUM FULL as an error",
    ("require-timeout-settings", "../corpus/ban-vacuum-full/fires_2.sql", "squawk"):
        "ban-vacuum-full already reports VACUUM FULL as an error",
    ("require-timeout-settings", "../corpus/ban-vacuum-full/ok_1.sql", "squawk"):
        "plain VACUUM takes SHARE UPDATE EXCLUSIVE, which blocks no read or write",
    ("require-timeout-settings", "../corpus/renaming-table/ok_1.sql", "squawk"):
        "ALTER INDEX ... RENAME takes SHARE UPDATE EXCLUSIVE (PostgreSQL 12+), which blocks no read or write",
    ("require-timeout-settings", "../corpus/require-concurrent-refresh/ok_1.sql", "squawk"):
        "REFRESH ... CONCURRENTLY takes EXCLUSIVE on the view, which readers do not wait for",
    ("require-timeout-settings", "../corpus/require-timeout-settings/ok_2.sql", "squawk"):
        "-- ratchet:lock-timeout=5s sets lock_timeout for the migration; squawk does not know the directive",
    ("require-timeout-settings", "../prisma/20240105000000_enum/migration.sql", "squawk"):
        "ALTER TYPE ... ADD VALUE locks the type, not a table: no query on a table waits behind it",
    ("require-timeout-settings", "../corpus/require-concurrent-index-creation/ok_1.sql", "squawk"): CONCURRENT,
    ("require-timeout-settings", "../corpus/require-concurrent-index-deletion/ok_1.sql", "squawk"): CONCURRENT,
    ("require-timeout-settings", "../corpus/require-timeout-settings/ok_4.sql", "squawk"): CONCURRENT,
    ("require-timeout-settings", "../corpus/unused-lint-ignore/fires_1.sql", "squawk"): CONCURRENT,
}


def main():
    ratchet_bin, squawk_bin, *roots = sys.argv[1:]
    files = sorted(str(p) for r in roots for p in pathlib.Path(r).rglob("*.sql"))
    ours = {}
    out = subprocess.run([ratchet_bin, *files], check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        f = json.loads(line)
        ours.setdefault(f["rule"], set()).add(f["file"])
    theirs = {}
    res = subprocess.run([squawk_bin, "--reporter", "json", "--pg-version", "15",
                          "--assume-in-transaction", *files], capture_output=True, text=True)
    if res.returncode not in (0, 1):
        sys.exit("squawk failed: " + res.stderr)
    for v in json.loads(res.stdout or "[]"):
        theirs.setdefault(v["rule_name"], set()).add(v["file"])
    problems = []
    seen = set()
    agreed = 0
    for ours_rule, their_rule in SHARED.items():
        a = ours.get(ours_rule, set())
        b = theirs.get(their_rule, set())
        agreed += len(a & b)
        for f in sorted(a ^ b):
            key = (ours_rule, f, "ratchet" if f in a else "squawk")
            seen.add(key)
            if key not in EXPLAINED:
                problems.append(f"{ours_rule} ({their_rule}): only {key[2]} fires on {f}")
    for key in EXPLAINED:
        if key not in seen:
            problems.append(f"explained disagreement no longer occurs: {key}")
    print(f"squawk agreement: {len(files)} files, {len(SHARED)} shared rules, {agreed} agreeing "
          f"findings, {len(seen)} explained disagreements")
    for p in problems:
        print("  " + p)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
