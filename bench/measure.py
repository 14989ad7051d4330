"""measure.py - load, sink and the meters of the benchmark.

Sink: Postfix's smtp-sink on a loopback port, its running counter (-c)
read back from its output file. Source: Postfix's smtp-source. Meters:
a sampler thread that walks /proc every 0.2 s for the process tree under
an MTA's master (count, summed Pss from smaps_rollup, per-program peak);
CPU time of the tree from /proc/<pid>/stat (live processes' utime+stime
plus master's cutime+cstime, which holds every child master has reaped).
perf's instruction counter is not available on this virtual machine
("perf stat -e instructions" says <not supported>), so CPU cost is given
as CPU microseconds per message; bench.py says so in its table.
Every loop here is bounded in time.
"""
import os
import re
import smtplib
import subprocess
import threading
import time

TICK = os.sysconf("SC_CLK_TCK")


class Sink:
    """smtp-sink on 127.0.0.1:port; count() = messages it has received."""

    def __init__(self, tools, port, outfile):
        self.port = port
        self.outfile = outfile
        self.out = open(outfile, "wb")
        self.proc = subprocess.Popen(
            [tools.bin("smtp-sink"), "-c", "-u", "postfix",
             f"127.0.0.1:{port}", "1024"],
            stdout=self.out, stderr=subprocess.STDOUT, env=tools.env)
        deadline = time.monotonic() + 10
        import socket
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), 1).close()
                break
            except OSError:
                time.sleep(0.05)
        self.rx = re.compile(rb"mesg=(\d+)")

    def count(self):
        try:
            with open(self.outfile, "rb") as f:
                f.seek(0, 2)
                size = f.tell()
                f.seek(max(0, size - 200))
                tail = f.read()
        except OSError:
            return 0
        hits = self.rx.findall(tail)
        return int(hits[-1]) if hits else 0

    def wait_for(self, n, timeout):
        """Waits until count() >= n; returns the time it happened or None."""
        deadline = time.monotonic() + timeout
        while True:
            now = time.monotonic()
            if self.count() >= n:
                return now
            if now >= deadline:
                return None
            time.sleep(0.002)

    def close(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.out.close()


def inject(tools, port, n, sessions, size, rcpt, timeout, keep=False):
    """smtp-source: n messages of size bytes over `sessions` parallel
    sessions (one message per connection, or several when keep). Returns
    seconds until it exits, i.e. until the last 250 and QUIT."""
    t0 = time.monotonic()
    proc = subprocess.run(
        [tools.bin("smtp-source"), "-s", str(sessions), "-m", str(n),
         "-l", str(size), "-f", "bench@bench.test", "-t", rcpt,
         *(["-d"] if keep else []), f"127.0.0.1:{port}"],
        env=tools.env, capture_output=True, timeout=timeout)
    dt = time.monotonic() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"smtp-source failed ({proc.returncode}): "
                           f"{proc.stderr.decode(errors='replace')[-500:]}")
    return dt


def latency(port, sink, count, size, timeout=10):
    """One SMTP session; each message waits for the previous one to reach
    the sink. Returns (accept, end_to_end) lists in seconds: MAIL..250
    after the dot, and MAIL..arrival at the sink."""
    body = ("Subject: latency\r\n\r\n" + "x" * 70 + "\r\n") * max(1, size // 90)
    accept, e2e = [], []
    with smtplib.SMTP("127.0.0.1", port, timeout=timeout) as s:
        s.ehlo("bench.test")
        for _ in range(count):
            before = sink.count()
            t0 = time.monotonic()
            s.sendmail("bench@bench.test", ["lat@example.com"], body)
            t1 = time.monotonic()
            t2 = sink.wait_for(before + 1, timeout)
            if t2 is None:
                raise RuntimeError("latency: message did not reach the sink")
            accept.append(t1 - t0)
            e2e.append(t2 - t0)
    return accept, e2e


def proc_table():
    """{pid: (ppid, comm)} for every process."""
    out = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                s = f.read()
        except OSError:
            continue
        comm = s[s.index("(") + 1:s.rindex(")")]
        ppid = int(s[s.rindex(")") + 2:].split()[1])
        out[int(d)] = (ppid, comm)
    return out


def tree(root):
    """root and all its descendants: {pid: comm}."""
    table = proc_table()
    children = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    out, todo = {}, [root]
    while todo:
        pid = todo.pop()
        if pid in table and pid not in out:
            out[pid] = table[pid][1]
            todo.extend(children.get(pid, []))
    return out


def pss_kib(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_seconds(root):
    """CPU time of root's tree so far (live ones plus reaped children)."""
    total = 0
    for pid in tree(root):
        try:
            with open(f"/proc/{pid}/stat") as f:
                w = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(w[11]) + int(w[12])          # utime, stime
        if pid == root:
            total += int(w[13]) + int(w[14])      # cutime, cstime
    return total / TICK


class Sampler(threading.Thread):
    """Peaks of the process tree under root while it runs."""

    def __init__(self, root, period=0.2):
        super().__init__(daemon=True)
        self.root, self.period = root, period
        self.stop_flag = threading.Event()
        self.peak_pss = 0
        self.peak_procs = 0
        self.peak_by_prog = {}          # largest Pss of one process
        self.peak_count_by_prog = {}    # most processes at once

    def run(self):
        while not self.stop_flag.is_set():
            self.sample()
            self.stop_flag.wait(self.period)

    def sample(self):
        procs = tree(self.root)
        total, count = 0, {}
        for pid, comm in procs.items():
            kib = pss_kib(pid)
            total += kib
            count[comm] = count.get(comm, 0) + 1
            if kib > self.peak_by_prog.get(comm, 0):
                self.peak_by_prog[comm] = kib
        for comm, k in count.items():
            self.peak_count_by_prog[comm] = max(
                k, self.peak_count_by_prog.get(comm, 0))
        self.peak_pss = max(self.peak_pss, total)
        self.peak_procs = max(self.peak_procs, len(procs))

    def stop(self):
        self.stop_flag.set()
        self.join(5)
        self.sample()


def maildir_count(home):
    try:
        return len(os.listdir(os.path.join(home, "Maildir", "new")))
    except OSError:
        return 0


def wait_maildir(home, n, timeout):
    deadline = time.monotonic() + timeout
    while True:
        now = time.monotonic()
        if maildir_count(home) >= n:
            return now
        if now >= deadline:
            return None
        time.sleep(0.01)
