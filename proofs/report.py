#!/usr/bin/env python3
"""report.py - turn WP's JSON report (and the smoke-test log) into
proofs/REPORT: goals proven / total per function and in all. The report
holds no timings, so that it only changes when the proofs change."""
import json
import re
import sys


def main(wp_json, smoke_log, out):
    data = json.load(open(wp_json))
    rows = []
    proven = total = 0
    for fn, goals in sorted(data["wp:functions"].items()):
        main_ = goals["wp:section"]["wp:main"]
        rows.append((fn, main_.get("valid", 0), main_["total"]))
        proven += main_.get("valid", 0)
        total += main_["total"]
    smoke = open(smoke_log).read()
    passed = len(re.findall(r"\[Passed\] Smoke-test", smoke))
    smokes = len(re.findall(r"Smoke-test ", smoke))
    with open(out, "w") as f:
        f.write("# proofs/REPORT - written by `make proofs` (proofs/run.sh); "
                "do not edit.\n")
        f.write("# Frama-C WP -wp-rte -warn-unsigned-overflow over "
                "src/util/vstring.c src/util/safe_open.c\n")
        f.write("# (vstring_str/vstring_len are static inline: one copy per "
                "file, the second named _0)\n")
        f.write("%-28s %7s / %s\n" % ("function", "proven", "total"))
        for fn, ok, n in rows:
            f.write("%-28s %7d / %d\n" % (fn, ok, n))
        f.write("%-28s %7d / %d\n" % ("all goals", proven, total))
        f.write("%-28s %7d / %d\n" % ("smoke tests passed", passed, smokes))
    ok = proven == total and passed == smokes and smokes > 0
    print("proofs: %d / %d goals proven, %d / %d smoke tests passed"
          % (proven, total, passed, smokes))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
