"""exp8.py - the eighth session's one-off experiments (PAPER.md section 6,
item 23). Root only, loopback only, every phase bounded.

    exp8.py phases RUNS BUILD
        relay runs of 2000 messages over 20 sessions through one instance
        of BUILD; for each: how many messages the log says were sent when
        the load generator got its last 250, how long the sink then took
        to get the rest (the tail), the CPU idle share during the
        injection and during the tail, the machine's context switches per
        message (/proc/stat), and the device's write requests and cache
        flushes per message (the stat file of the block device under the
        queue).
    exp8.py local RUNS BUILD...
        local delivery as make bench times it (1000 messages over 20
        sessions into the bench user's Maildir, after a 2000-message
        relay through the same instance), alternating the builds; with
        the deliveries made while the injection was still running.
    exp8.py sampler RUNS SYSTEM...
        relay runs with the bench's Pss sampler every 0.2 s against one
        that samples only at the start and the end, alternating: does the
        meter slow one system more than the other? A SYSTEM is a build
        directory or "postfix".

A BUILD is a directory of Sluice's programs (bin/ of a checkout or of a
`git worktree`); the flush experiments of item 23 use a build carrying
bench/experiments/group-flush.diff.
"""
import os
import statistics
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import bench  # noqa: E402
import exp  # noqa: E402
import exp7  # noqa: E402
import measure  # noqa: E402

N, C, SIZE = 2000, 20, 1024


def cpu_jiffies():
    """(total, idle + iowait) jiffies of the whole machine."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return sum(v), v[3] + v[4]


def context_switches():
    """Context switches of the whole machine since boot."""
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith("ctxt "):
                return int(line.split()[1])
    return 0


def disk_stat(path):
    """(write requests, flush requests) of the device holding path."""
    dev = os.stat(path).st_dev
    name = f"/sys/dev/block/{os.major(dev)}:{os.minor(dev)}/stat"
    with open(name) as f:
        w = [int(x) for x in f.read().split()]
    return w[4], (w[15] if len(w) > 15 else 0)


class LogCounter(threading.Thread):
    """Counts the smtp client's "status=sent" lines as they are written,
    with the time of each sample and of /proc/stat."""

    def __init__(self, path):
        super().__init__(daemon=True)
        self.f = open(path, "rb")
        self.f.seek(0, 2)
        self.sent = 0
        self.samples = []  # (time, sent, cpu total, cpu idle)
        self.stop_flag = threading.Event()

    def run(self):
        while not self.stop_flag.is_set():
            self.sent += self.f.read().count(b"dsn=2.0.0, status=sent")
            self.samples.append((time.monotonic(), self.sent) + cpu_jiffies())
            self.stop_flag.wait(0.01)

    def at(self, t):
        """The last sample taken at or before t."""
        before = [s for s in self.samples if s[0] <= t]
        return before[-1] if before else self.samples[0]

    def stop(self):
        self.stop_flag.set()
        self.join(5)
        self.f.close()


def idle_share(a, b):
    return (b[3] - a[3]) / max(1, b[2] - a[2])


def one_phases_run(m, tools, sink):
    log = os.path.join(m.inst.dir, "log", "sluice.log")
    counter = LogCounter(log)
    counter.start()
    time.sleep(0.1)
    base = sink.count()
    disk0, ctxt0 = disk_stat(m.inst.queue), context_switches()
    t0 = time.monotonic()
    measure.inject(tools, m.port, N, C, SIZE, bench.RELAY_TO, 120)
    t1 = time.monotonic()
    t2 = sink.wait_for(base + N, 120)
    disk1, ctxt1 = disk_stat(m.inst.queue), context_switches()
    time.sleep(0.05)
    counter.stop()
    if t2 is None:
        raise RuntimeError("phases: the sink did not get every message")
    s0, s1, s2 = counter.at(t0), counter.at(t1), counter.at(t2)
    return {"relay": N / (t2 - t0), "inject": N / (t1 - t0),
            "sent_at_last_250": s1[1] - s0[1], "tail_ms": (t2 - t1) * 1e3,
            "idle_inject": 100 * idle_share(s0, s1),
            "idle_tail": 100 * idle_share(s1, s2),
            "writes_per_msg": (disk1[0] - disk0[0]) / N,
            "flushes_per_msg": (disk1[1] - disk0[1]) / N,
            "switches_per_msg": (ctxt1 - ctxt0) / N}


def exp_phases(runs, build):
    tools, work = bench.Tools(), exp.workdir("phases8")
    m = exp.sluice(build, os.path.join(work, "sluice"), "sluice")
    sink = exp.start_with_sink(m, tools, work)
    rows = []
    try:
        for _ in range(runs):
            r = one_phases_run(m, tools, sink)
            rows.append(r)
            print(" ".join(f"{k} {v:.2f}" if isinstance(v, float) else
                           f"{k} {v}" for k, v in r.items()), flush=True)
    finally:
        m.stop()
        sink.close()
        m.cleanup()
    for k in rows[0]:
        print(f"{k:18} median {statistics.median(r[k] for r in rows):.2f}")


def one_local_run(build, tools):
    work = exp.workdir("local8")
    m = exp.sluice(build, os.path.join(work, "sluice"), "sluice")
    sink = exp.start_with_sink(m, tools, work)
    home = bench.fresh_home()
    try:
        bench.relay_measure(m, tools, sink, N, C, SIZE, 120)
        t0 = time.monotonic()
        measure.inject(tools, m.port, 1000, C, SIZE,
                       f"{bench.BENCH_USER}@localhost", 120)
        t1 = time.monotonic()
        during = measure.maildir_count(home)
        t2 = measure.wait_maildir(home, 1000, 120)
        if t2 is None:
            raise RuntimeError("local: not every message reached the Maildir")
    finally:
        m.stop()
        sink.close()
        m.cleanup()
    return {"local": 1000 / (t2 - t0), "during": during / (t1 - t0),
            "after": (1000 - during) / max(1e-3, t2 - t1)}


def exp_local(runs, builds):
    tools = bench.Tools()
    res = {b: [] for b in builds}
    for _ in range(runs):
        for b in builds:
            r = one_local_run(b, tools)
            res[b].append(r)
            print(b, " ".join(f"{k} {v:.0f}/s" for k, v in r.items()),
                  flush=True)
    for b, rows in res.items():
        print(f"{b:30} " + " ".join(
            f"{k} median {statistics.median(r[k] for r in rows):.0f}/s"
            for k in rows[0]))


def exp_sampler(runs, systems):
    tools, work = bench.Tools(), exp.workdir("sampler8")
    plain = measure.Sampler

    class EndsOnly(plain):
        """Samples at the start and the end only."""

        def __init__(self, root, period=0.2):
            super().__init__(root, 3600)

    inst = {s: exp7.instance(s, work) for s in systems}
    sinks = {}
    res = {}
    try:
        for s in systems:
            sinks[s] = exp.start_with_sink(inst[s], tools, work)
        for _ in range(runs):
            for s in systems:
                for name, cls in (("0.2 s", plain), ("ends", EndsOnly)):
                    measure.Sampler = cls
                    r = bench.relay_measure(inst[s], tools, sinks[s], N, C,
                                            SIZE, 300)
                    res.setdefault((s, name), []).append(r["relay_rate"])
                    print(s, name, f"{r['relay_rate']:.0f} msg/s", flush=True)
    finally:
        measure.Sampler = plain
        for s in systems:
            inst[s].stop()
            if s in sinks:
                sinks[s].close()
            inst[s].cleanup()
    for (s, name), v in res.items():
        print(f"{s:30} sampler {name:6} median {statistics.median(v):.0f} "
              f"msg/s {[round(x) for x in v]}")


def main(argv):
    if len(argv) < 4 or os.geteuid() != 0:
        sys.exit(__doc__)
    if argv[1] == "phases":
        exp_phases(int(argv[2]), argv[3])
    elif argv[1] == "local":
        exp_local(int(argv[2]), argv[3:])
    elif argv[1] == "sampler":
        exp_sampler(int(argv[2]), argv[3:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
