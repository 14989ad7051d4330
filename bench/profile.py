"""profile.py - where a relay run's CPU time goes (issue 8, PAPER section 6).

    python3 bench/profile.py [--system sluice|postfix] [-n N] [-c C]
                             [--size BYTES] [--local]

Starts one instance and its sink like `make bench` (bench.start_with_sink),
records the whole machine with `perf record -a -g` (software cpu-clock:
this VM has no hardware counters) while N messages are relayed over C
sessions, then folds the samples (perf_fold.py) by program and by the
system call each sample sits under, and prints the table. Sluice's queue
is listed afterwards (spare/ shows how many inodes the run created).
With --local the N messages go to the bench user's Maildir instead (the
local delivery rate of `make bench`). Root only (perf, the bench user).
Output: bench/out/profile-<stamp>/.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench  # noqa: E402
import measure  # noqa: E402
import perf_fold  # noqa: E402
from mta import SETTLE_S, Postfix, Sluice  # noqa: E402


def local_measure(mta, tools, n, c, size):
    """n messages of size bytes over c sessions into the bench user's
    Maildir, as the local delivery rate of `make bench` is measured."""
    home = bench.fresh_home()
    t0 = time.monotonic()
    measure.inject(tools, mta.port, n, c, size,
                   f"{bench.BENCH_USER}@localhost", 300)
    t_end = measure.wait_maildir(home, n, 300)
    if t_end is None:
        raise RuntimeError("local: not every message reached the Maildir")
    return {"local_rate": n / (t_end - t0)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--system", choices=("sluice", "postfix"),
                    default="sluice")
    ap.add_argument("-n", type=int, default=3000)
    ap.add_argument("-c", type=int, default=20)
    ap.add_argument("--size", type=int, default=1024, help="message bytes")
    ap.add_argument("--local", action="store_true",
                    help="profile local delivery into Maildir, not relay")
    args = ap.parse_args()
    out = os.path.join(HERE, "out", "profile-" + time.strftime("%Y%m%d-%H%M%S"))
    os.makedirs(out)
    tools = bench.Tools()
    bench.settle(SETTLE_S)  # the harness's last deletion, as make bench does
    work = tempfile.mkdtemp(prefix="profile-", dir=os.path.join(HERE, "out"))
    os.chmod(work, 0o755)
    mta = (Sluice if args.system == "sluice" else Postfix)(work, 0)
    sink = bench.start_with_sink(mta, tools, work)
    data = os.path.join(out, "perf.data")
    rec = subprocess.Popen(["perf", "record", "-a", "-g", "-F", "999", "-o",
                            data], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    time.sleep(1)
    try:
        if args.local:
            r = local_measure(mta, tools, args.n, args.c, args.size)
        else:
            r = bench.relay_measure(mta, tools, sink, args.n, args.c,
                                    args.size, 300)
    finally:
        rec.send_signal(2)
        rec.wait(60)
        if args.system == "sluice":
            for d in ("spare", "incoming", "active", "deferred"):
                print(f"queue {d}: {len(os.listdir(os.path.join(mta.inst.queue, d)))}")
            print("".join(l for l in open(mta.inst.logfile)
                          if "qmgr" in l and "spare:" in l), end="")
        mta.stop()
        sink.close()
        mta.cleanup()
        bench.remove_homes()  # after perf: the harness's deletions unseen
    if args.local:
        print(f"local {r['local_rate']:.0f} msg/s (under perf)")
    else:
        print(f"relay {r['relay_rate']:.0f} msg/s, inject "
              f"{r['inject_rate']:.0f} msg/s, CPU {r['cpu_us_per_msg']:.0f} "
              f"us/msg (under perf)")
    script = subprocess.run(["perf", "script", "-i", data, "-F",
                             "comm,ip,sym"], capture_output=True, text=True)
    table = perf_fold.table(perf_fold.fold(script.stdout.splitlines()))
    with open(os.path.join(out, "profile.txt"), "w") as f:
        f.write(table)
    print(table, end="")
    print(f"(written to {out})")


if __name__ == "__main__":
    main()
