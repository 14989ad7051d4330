"""exp7.py - the seventh session's one-off experiments (PAPER.md section 6,
items 17-21). Root only, loopback only, every phase bounded.

    exp7.py phases SYSTEM...
        single-session latency per command: MAIL, RCPT, DATA and the
        content with its dot timed one by one with smtplib, 200 messages,
        each sent after the previous one reached the sink; the median of
        each. A SYSTEM is a directory of Sluice's programs or "postfix";
        naming several alternates them.
    exp7.py pss BUILD
        Pss, private dirty and file-backed Pss per process, averaged per
        program, after 300 messages relayed over 20 sessions.
"""
import collections
import os
import smtplib
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import bench  # noqa: E402
import exp  # noqa: E402
import measure  # noqa: E402
from mta import Postfix  # noqa: E402

PHASES = ("mail", "rcpt", "data", "content", "total")


def timed_session(port, sink, n):
    """n messages over one session: {phase: [ms, ...]}."""
    res = {k: [] for k in PHASES}
    body = ("Subject: latency\r\n\r\n" + "x" * 70 + "\r\n") * 11
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as s:
        s.ehlo("bench.test")
        for _ in range(n):
            before = sink.count()
            t = [time.perf_counter()]
            s.mail("bench@bench.test")
            t.append(time.perf_counter())
            s.rcpt("lat@example.com")
            t.append(time.perf_counter())
            s.putcmd("data")
            s.getreply()
            t.append(time.perf_counter())
            s.send((body + ".\r\n").encode())
            s.getreply()
            t.append(time.perf_counter())
            if sink.wait_for(before + 1, 10) is None:
                raise RuntimeError("phases: message did not reach the sink")
            for i, k in enumerate(PHASES[:4]):
                res[k].append((t[i + 1] - t[i]) * 1000)
            res["total"].append((t[4] - t[0]) * 1000)
    return res


def instance(system, work):
    d = os.path.join(work, "i%d" % time.monotonic_ns())
    if system == "postfix":
        return Postfix(d, 0, {"process_limit": 100})
    return exp.sluice(system, d, "sluice")


def exp_phases(systems):
    tools, work = bench.Tools(), exp.workdir("phases")
    for system in systems:
        m = instance(system, work)
        sink = exp.start_with_sink(m, tools, work)
        try:
            timed_session(m.port, sink, 20)  # warm-up
            res = timed_session(m.port, sink, 200)
            print(system, " ".join(f"{k}={statistics.median(v):.3f}"
                                   for k, v in res.items()), flush=True)
        finally:
            m.stop()
            sink.close()
            m.cleanup()


def smaps(pid):
    """{field: kB} of /proc/pid/smaps_rollup."""
    out = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            w = line.split()
            if len(w) >= 3 and w[-1] == "kB":
                out[w[0].rstrip(":")] = int(w[1])
    return out


def exp_pss(build):
    tools, work = bench.Tools(), exp.workdir("pss")
    m = exp.sluice(build, os.path.join(work, "sluice"), "sluice")
    sink = exp.start_with_sink(m, tools, work)
    try:
        measure.inject(tools, m.port, 300, 20, 1024, bench.RELAY_TO, 120)
        time.sleep(0.5)
        per = collections.defaultdict(list)
        for pid, comm in measure.tree(m.master_pid()).items():
            try:
                per[comm].append(smaps(pid))
            except OSError:
                pass  # gone meanwhile
        for comm, rows in sorted(per.items()):
            avg = {k: sum(r.get(k, 0) for r in rows) / len(rows)
                   for k in ("Pss", "Private_Dirty", "Pss_File")}
            print(f"{comm:8} n={len(rows):2}  Pss {avg['Pss']:6.0f} kB  "
                  f"private dirty {avg['Private_Dirty']:6.0f}  "
                  f"file {avg['Pss_File']:5.0f}")
    finally:
        m.stop()
        sink.close()
        m.cleanup()


def main(argv):
    if len(argv) < 3 or os.geteuid() != 0:
        sys.exit(__doc__)
    if argv[1] == "phases":
        exp_phases(argv[2:])
    elif argv[1] == "pss":
        exp_pss(argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
