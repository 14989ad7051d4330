#!/usr/bin/env python3
"""mutants.py - mutation checks for the proofs (make proofs-mutants).

Each mutant breaks one thing the proofs are meant to catch (a close() on an
error path, an overflow guard, O_EXCL, ...) in a copy of the sources under
build/proofs/mutants/<name>/, runs WP on the function concerned with the
settings of proofs/config.sh, and must make the proof fail. A mutant that
still proves means the contract is too weak: the run exits non-zero.
"""
import os
import re
import shutil
import subprocess
import sys

# name, file, function, text to replace, replacement, kind
MUTANTS = [
    ("no-close-existing", "src/util/safe_open.c", "safe_open_existing_fd",
     "refuse:\n    sys_close(fd);\n    return err;\n}\n\n/* safe_open_create_fd",
     "refuse:\n    return err;\n}\n\n/* safe_open_create_fd", "proof"),
    ("no-close-create", "src/util/safe_open.c", "safe_open_create_fd",
     "refuse:\n    sys_close(fd);\n    return err;\n}\n\n/* safe_open_existing -",
     "refuse:\n    return err;\n}\n\n/* safe_open_existing -", "proof"),
    ("no-excl", "src/util/safe_open.c", "safe_open_create_fd",
     "O_CREAT | O_EXCL | O_NOFOLLOW", "O_CREAT | O_NOFOLLOW", "proof"),
    ("no-nofollow", "src/util/safe_open.c", "safe_open_existing_fd",
     "flags | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK", "flags | O_NOCTTY | O_NONBLOCK",
     "proof"),
    ("no-identity-check", "src/util/safe_open.c", "safe_open_existing_fd",
     "after.st_dev != before.st_dev || after.st_ino != before.st_ino", "0",
     "proof"),
    ("no-nlink-check", "src/util/safe_open.c", "safe_open_check_stat",
     "if (st->st_nlink != 1)", "if (0)", "proof"),
    ("no-guard-append", "src/util/vstring.c", "vstring_append",
     "    if (n > SIZE_MAX - 1 - v->len)\n        return -1;\n"
     "    vstring_grow(v, n) /*@ ghost (src, n) */;",
     "    vstring_grow(v, n) /*@ ghost (src, n) */;", "proof"),
    ("no-guard-append-char", "src/util/vstring.c", "vstring_append_char",
     "    if (v->len >= SIZE_MAX - 1)\n        return -1;\n", "", "proof"),
    ("no-guard-reserve", "src/util/vstring.c", "vstring_reserve",
     "    if (n > SIZE_MAX - 1 - v->len)\n        return -1;\n"
     "    vstring_grow(v, n) /*@ ghost ((const char *)0, 0) */;",
     "    vstring_grow(v, n) /*@ ghost ((const char *)0, 0) */;", "proof"),
    ("no-guard-set", "src/util/vstring.c", "vstring_set",
     "    if (n > SIZE_MAX - 1)\n        return -1;\n    vstring_reset(v);",
     "    vstring_reset(v);", "proof"),
    ("doubling-overflow", "src/util/vstring.c", "vstring_grow",
     "v->cap <= SIZE_MAX / 2 ? v->cap * 2 : SIZE_MAX", "v->cap * 2", "proof"),
    ("no-terminator", "src/util/vstring.c", "vstring_append",
     "    v->len += n;\n    v->data[v->len] = 0;", "    v->len += n;", "proof"),
    ("copy-one-short", "src/util/vstring.c", "vstring_grow",
     "memcpy(new_data, old_data, v->len + 1);",
     "memcpy(new_data, old_data, v->len);", "proof"),
    ("vacuous-contract", "src/util/vstring.h", "vstring_truncate",
     "/*@ requires vstring_valid(v);\n    assigns v->len, v->data[len];",
     "/*@ requires vstring_valid(v);\n    requires v->len >= v->cap;\n"
     "    assigns v->len, v->data[len];", "smoke"),
]


def config():
    """The variables of proofs/config.sh, as the shell sees them."""
    out = subprocess.run(
        ["sh", "-c", "set -a; . proofs/config.sh; env"], check=True,
        capture_output=True, text=True).stdout
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def run_mutant(cfg, m):
    name, path, fn, old, new, kind = m
    root = os.path.join("build/proofs/mutants", name)
    shutil.rmtree(root, ignore_errors=True)
    for d in ("src/util", "spec"):
        shutil.copytree(d, os.path.join(root, d))
    target = os.path.join(root, path)
    text = open(target).read()
    if text.count(old) != 1:
        return "not applied (text not found once: update proofs/mutants.py)"
    open(target, "w").write(text.replace(old, new))
    files = [os.path.join(root, f) for f in cfg["PROOF_FILES"].split()]
    parse = cfg["FRAMAC_PARSE"].replace("-Isrc/util", "-I" + root + "/src/util")
    cmd = ["frama-c"] + parse.split() + files + cfg["FRAMAC_WP"].split()
    cmd += ["-wp-fct", fn]
    if kind == "smoke":
        cmd += ["-wp-prover", cfg["SMOKE_PROVERS"], "-wp-smoke-tests"]
        cmd += cfg["SMOKE_LIMITS"].split()
    else:
        cmd += ["-wp-prover", cfg["PROOF_PROVERS"]] + cfg["PROOF_LIMITS"].split()
    res = subprocess.run(cmd, capture_output=True, text=True, env=os.environ)
    log = res.stdout + res.stderr
    open(os.path.join(root, "wp.log"), "w").write(log)
    if kind == "smoke":
        bad = [l for l in log.splitlines()
               if "Smoke-test" in l and "[Passed]" not in l]
        return "killed" if bad else "SURVIVED (no smoke test failed)"
    got = re.search(r"Proved goals:\s+(\d+) / (\d+)", log)
    if not got:
        return "error (no WP summary; see %s/wp.log)" % root
    proven, total = int(got.group(1)), int(got.group(2))
    if proven < total:
        return "killed (%d / %d proven)" % (proven, total)
    return "SURVIVED (%d / %d proven)" % (proven, total)


def main():
    os.environ["WHY3CONFIG"] = "proofs/why3.conf"
    cfg = config()
    want = set(sys.argv[1:])
    failed = 0
    for m in MUTANTS:
        if want and m[0] not in want:
            continue
        verdict = run_mutant(cfg, m)
        print("mutant %-22s %s" % (m[0], verdict), flush=True)
        if not verdict.startswith("killed"):
            failed += 1
    print("mutants: %d survived or broken" % failed)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
