"""exp9.py - the ninth session's one-off experiments (PAPER.md section 6,
item 24). Root only, loopback only, every phase bounded.

    exp9.py phases RUNS CLIENT SYSTEM...
        single-session latency per command through long-lived instances,
        alternating the systems RUNS times: 200 messages a batch, each
        sent when the previous one reached the sink; MAIL, RCPT, DATA and
        the content with its dot timed one by one, and the batch's
        medians printed. CLIENT says how the commands are sent:
          raw     a plain socket with TCP_NODELAY, "MAIL FROM:<a>"
          nagle   the same without TCP_NODELAY
          size    raw, with the SIZE= parameter smtplib adds
          smtplib Python's smtplib, as make bench's latency does
        A SYSTEM is a directory of Sluice's programs or "postfix".
    exp9.py procs RUNS BUILD
        relay runs of 2000 messages over 20 sessions through one
        long-lived instance of BUILD; after each, the relay rate and the
        instance's processes by program (do idle processes pile up?).
"""
import collections
import os
import socket
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import bench  # noqa: E402
import exp  # noqa: E402
import exp7  # noqa: E402
import measure  # noqa: E402

PHASES = ("mail", "rcpt", "data", "content", "total")
BODY = ("Subject: latency\r\n\r\n" + "x" * 70 + "\r\n") * 11
CLIENTS = ("raw", "nagle", "size", "smtplib")


def command(sock, rfile, line):
    """Send one command, read its whole reply; (seconds, last line)."""
    t = time.perf_counter()
    sock.sendall(line)
    reply = rfile.readline()
    while reply[3:4] == b"-":
        reply = rfile.readline()
    return time.perf_counter() - t, reply


def raw_session(port, sink, n, client):
    """n messages over one plain socket: {phase: [ms, ...]}."""
    res = {k: [] for k in PHASES}
    size = f" SIZE={len(BODY)}" if client == "size" else ""
    mail = f"MAIL FROM:<bench@bench.test>{size}\r\n".encode()
    content = (BODY + ".\r\n").encode()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        if client != "nagle":
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        rfile = s.makefile("rb")
        rfile.readline()
        command(s, rfile, b"EHLO bench.test\r\n")
        for _ in range(n):
            before = sink.count()
            times = []
            for line in (mail, b"RCPT TO:<lat@example.com>\r\n", b"DATA\r\n",
                         content):
                dt, reply = command(s, rfile, line)
                if reply[:1] not in (b"2", b"3"):
                    raise RuntimeError(f"phases: {line[:4]!r}: {reply!r}")
                times.append(dt * 1000)
            if sink.wait_for(before + 1, 10) is None:
                raise RuntimeError("phases: message did not reach the sink")
            for k, v in zip(PHASES, times + [sum(times)]):
                res[k].append(v)
        command(s, rfile, b"QUIT\r\n")
    return res


def start_instances(systems, tools, work, insts, sinks):
    """One long-lived instance with its sink per system, into insts and
    sinks by the names returned ("0:SYSTEM", ...); stop_instances() ends
    them, also after a failure half-way."""
    names = [f"{i}:{s}" for i, s in enumerate(systems)]
    for i, (name, system) in enumerate(zip(names, systems)):
        insts[name] = m = exp7.instance(system, work)
        m.name = f"{m.name}{i}"  # each its own sink file
        sinks[name] = exp.start_with_sink(m, tools, work)
    return names


def stop_instances(insts, sinks):
    for name, m in insts.items():
        m.stop()
        if name in sinks:
            sinks[name].close()
        m.cleanup()


def exp_phases(runs, client, systems):
    if client not in CLIENTS:
        sys.exit(f"exp9.py phases: CLIENT is one of {', '.join(CLIENTS)}")
    tools, work = bench.Tools(), exp.workdir("phases9")
    names = [f"{i}:{s}" for i, s in enumerate(systems)]
    insts, sinks = {}, {}
    res = {n: {k: [] for k in PHASES} for n in names}
    try:
        start_instances(systems, tools, work, insts, sinks)
        for name in exp.alternate(runs, names):
            m, sink = insts[name], sinks[name]
            try:
                if client == "smtplib":
                    got = exp7.timed_session(m.port, sink, 200)
                else:
                    got = raw_session(m.port, sink, 200, client)
            except RuntimeError:
                bench.keep_log(m, work)
                print(f"{name} failed; its log is kept in {work}")
                raise
            for k, v in got.items():
                res[name][k].append(statistics.median(v))
            print(name, " ".join(f"{k}={statistics.median(v):.3f}"
                                 for k, v in got.items()), flush=True)
    finally:
        stop_instances(insts, sinks)
    for name in names:
        print("median of runs", name, client,
              " ".join(f"{k}={statistics.median(v):.3f}"
                       for k, v in res[name].items()))


def exp_procs(runs, build):
    tools, work = bench.Tools(), exp.workdir("procs")
    m = exp.sluice(build, os.path.join(work, "sluice"), "sluice")
    sink = exp.start_with_sink(m, tools, work)
    try:
        for _ in range(runs):
            r = bench.relay_measure(m, tools, sink, 2000, 20, 1024, 600)
            time.sleep(1)
            progs = collections.Counter(measure.tree(m.master_pid()).values())
            print("relay %.0f msg/s  processes: %s" % (
                r["relay_rate"],
                ", ".join(f"{k} {v}" for k, v in sorted(progs.items()))),
                flush=True)
    finally:
        m.stop()
        sink.close()
        m.cleanup()


def main(argv):
    if os.geteuid() != 0:
        sys.exit(__doc__)
    if len(argv) >= 5 and argv[1] == "phases":
        exp_phases(int(argv[2]), argv[3], argv[4:])
    elif len(argv) == 4 and argv[1] == "procs":
        exp_procs(int(argv[2]), argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
