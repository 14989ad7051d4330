"""drain.py - local delivery with nothing else running (PAPER section 6).

    python3 bench/drain.py [-n N] [-r RUNS]

`make bench` measures local delivery while the same messages are still
being injected, so the delivery agents share the two cores with 20 SMTP
sessions. Here each system's queue manager is stopped (SIGSTOP) while N
messages for the bench user are injected, then continued, and the rate is
N over the time from SIGCONT until the last file is in the Maildir: the
queue manager and the local agents alone, at each system's default
concurrency (2 deliveries per mailbox for both). Runs alternate between
the systems. Root only; loopback only; every phase bounded by --timeout.
"""
import argparse
import os
import signal
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench  # noqa: E402
import measure  # noqa: E402
from mta import SETTLE_S, Postfix, Sluice  # noqa: E402


def qmgr_pid(mta):
    for pid, comm in measure.tree(mta.master_pid()).items():
        if comm == "qmgr":
            return pid
    raise RuntimeError(f"{mta.name}: no qmgr process")


def one_drain(cls, tools, n, timeout):
    """n messages queued behind a stopped qmgr, then drained: msg/s."""
    work = tempfile.mkdtemp(prefix="drain-", dir=os.path.join(HERE, "out"))
    os.chmod(work, 0o755)
    mta = cls(work, 0, {"process_limit": 100})
    ok, why = mta.available()
    if not ok:
        raise RuntimeError(why)
    sink = bench.start_with_sink(mta, tools, work)
    try:
        home = bench.fresh_home()
        qmgr = qmgr_pid(mta)
        os.kill(qmgr, signal.SIGSTOP)
        try:
            measure.inject(tools, mta.port, n, 20, 1024,
                           f"{bench.BENCH_USER}@localhost", timeout)
            time.sleep(1)
            t0 = time.monotonic()
        finally:
            os.kill(qmgr, signal.SIGCONT)
        t_end = measure.wait_maildir(home, n, timeout)
        if t_end is None:
            raise RuntimeError(f"{mta.name}: not every message was delivered")
        return n / (t_end - t0)
    finally:
        mta.stop()
        sink.close()
        mta.cleanup()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=1000)
    ap.add_argument("-r", "--runs", type=int, default=3)
    ap.add_argument("--timeout", type=int, default=300)
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("drain: run as root (Postfix's master, the bench user)")
    tools = bench.Tools()
    bench.settle(SETTLE_S)  # the harness's last deletion, as make bench does
    rates = {"postfix": [], "sluice": []}
    try:
        for i in range(args.runs):
            order = (Postfix, Sluice) if i % 2 == 0 else (Sluice, Postfix)
            for cls in order:
                r = one_drain(cls, tools, args.n, args.timeout)
                rates[cls.name].append(r)
                print(f"run {i + 1}/{args.runs}: {cls.name} drain "
                      f"{r:.0f} msg/s", flush=True)
    finally:
        bench.remove_homes()
    for name, v in rates.items():
        print(f"{name}: median {statistics.median(v):.0f} msg/s "
              f"[{min(v):.0f}-{max(v):.0f}]")


if __name__ == "__main__":
    main()
