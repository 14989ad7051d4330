"""exp20.py - the twentieth session's experiment (PAPER.md section 6,
item 40): relay runs through one Sluice instance while busy loops
compete for the CPUs, to catch a message that misses its run.

    exp20.py RUNS HOGS [NAME=VALUE ...]
        RUNS relay runs of 2000 messages over 20 sessions (each bounded
        by 60 s) through one instance whose main.cf gets the NAME=VALUE
        settings (queue_spare_limit=30 makes cleanup's takers meet sealed
        files in spare/ often), with HOGS shell busy loops running; stops
        at the first run whose sink misses a message, then prints qmgr's
        hand-off lines: a hand-off found locked, and a retry that claimed
        it.

Root only, loopback only. Uses bin/ of this checkout (SLUICE_BIN).
"""
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import bench  # noqa: E402
from mta import Sluice  # noqa: E402

HANDOFF = re.compile(r"locked by another process|claimed on a retry|"
                     r"next queue run")


def main():
    runs, hogs = int(sys.argv[1]), int(sys.argv[2])
    extra = dict(a.split("=", 1) for a in sys.argv[3:])
    work = tempfile.mkdtemp(prefix="exp20-")
    tools = bench.Tools()
    mta = Sluice(work, 0, {"process_limit": 100})
    sink = bench.start_with_sink(mta, tools, work, extra)
    busy = [subprocess.Popen(["sh", "-c", "while :; do :; done"])
            for _ in range(hogs)]
    missed = 0
    try:
        for i in range(runs):
            try:
                r = bench.relay_measure(mta, tools, sink, 2000, 20, 1024, 60)
                print(f"run {i}: {r['relay_rate']:.0f} msg/s", flush=True)
            except RuntimeError as e:
                print(f"run {i}: {e}", flush=True)
                missed = 1
                break
    finally:
        for p in busy:
            p.kill()
        lines = [ln for ln in mta.inst.log().splitlines() if HANDOFF.search(ln)]
        print(f"hand-off lines: {len(lines)}")
        print("\n".join(lines[:20]))
        mta.stop()
        sink.close()
        mta.cleanup()
    sys.exit(missed)


if __name__ == "__main__":
    main()
