"""instructions.py - user-space instructions per relayed message, counted
by callgrind (issue 8: "CPU instructions per message (perf stat or
callgrind), a figure that does not drift with machine load").

perf's instruction counter is not supported on this virtual machine, so
every daemon master starts runs under `valgrind --tool=callgrind`: the
instance's daemon_directory is a directory of our own in which each
daemon is a small script that execs valgrind on the real program, and
everything else (master, Postfix's postfix-script) is a symbolic link to
the real file. Each process writes its instruction total when it exits,
so the figure is taken by difference: PAIRS fresh instances relay WARM
and PAIRS relay WARM + N messages to the sink, each then stopped; the
medians of their totals over all processes, subtracted and divided by N,
are the instructions one more message costs, with the start and stop of
the processes cancelled out
(process churn inside a run, such as Postfix replacing a daemon after
max_use connections, stays in, as it does in the CPU figure).

Only user space is counted (callgrind sees no kernel work), so the figure
ranks the two systems' own code, not their system calls; the table says
so. Untimed: under valgrind the relay runs tens of times slower.
"""
import glob
import os
import re
import shutil
import stat
import statistics
import tempfile
import time

import measure

WARM, SESSIONS, PAIRS = 20, 2, 2
# Messages beyond WARM, per system: enough that the start-up work that
# differs between instances (Sluice's listings of spare/ and its reserve,
# which depend on timing) is small beside N messages' work.
N = {"sluice": 1000, "postfix": 300}
TIMEOUT = 900

# The programs master starts, per system; anything else in the daemon
# directory is linked, not wrapped.
DAEMONS = {
    "sluice": {"smtpd", "cleanup", "qmgr", "resolve", "smtp", "local",
               "bounce", "pickup"},
    "postfix": {"smtpd", "pickup", "cleanup", "qmgr", "tlsmgr",
                "trivial-rewrite", "bounce", "verify", "flush", "proxymap",
                "smtp", "showq", "error", "discard", "local", "virtual",
                "lmtp", "anvil", "scache", "postlogd"},
}

# valgrind by its full path: master does not pass PATH on to daemons.
# The output file is made beforehand, writable by all: exec keeps the
# shell's pid, and a daemon that drops privileges (Postfix's, to
# mail_owner) must still be able to write its totals when it exits.
WRAPPER = """#!/bin/sh
f={out}/callgrind.$$
: > "$f" && chmod 666 "$f"
exec {valgrind} -q --tool=callgrind --dump-instr=no --dump-line=no \\
  --callgrind-out-file="$f" {real} "$@"
"""


def available():
    return shutil.which("valgrind") is not None


def daemon_dir(mta):
    """The system's real daemon directory."""
    if mta.name == "sluice":
        return mta.bin
    return os.path.join(mta.prefix, "root", "usr", "lib", "postfix", "sbin")


def wrap(real_dir, wrap_dir, out_dir, daemons):
    """wrap_dir mirrors real_dir; the daemons run under callgrind."""
    os.makedirs(wrap_dir)
    os.makedirs(out_dir)
    os.chmod(out_dir, 0o1777)  # daemons that dropped privileges write too
    for name in os.listdir(real_dir):
        real = os.path.realpath(os.path.join(real_dir, name))
        path = os.path.join(wrap_dir, name)
        if name in daemons:
            with open(path, "w") as f:
                f.write(WRAPPER.format(out=out_dir, real=real,
                                       valgrind=shutil.which("valgrind")))
            os.chmod(path, stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP
                     | stat.S_IROTH | stat.S_IXOTH)
        else:
            os.symlink(real, path)


def wait_gone(out_dir, timeout=60):
    """Until no process runs with out_dir in its command line (every
    daemon has exited and written its totals), or timeout seconds."""
    needle = out_dir.encode()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        busy = False
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    busy = needle in f.read()
            except OSError:
                continue
            if busy:
                break
        if not busy:
            return
        time.sleep(0.2)


def totals(out_dir):
    """{program: instructions (Ir)} summed over the processes that wrote
    their totals at exit."""
    out = {}
    for path in glob.glob(os.path.join(out_dir, "callgrind.*")):
        prog, ir = "?", None
        with open(path, errors="replace") as f:
            for line in f:
                if line.startswith("cmd:"):
                    prog = os.path.basename(line.split()[1])
                m = re.match(r"(?:totals|summary):\s+(\d+)", line)
                if m:
                    ir = int(m.group(1))
                    break
        if ir is not None:
            out[prog] = out.get(prog, 0) + ir
    return out


def one_instance(mta, tools, work, n, start_with_sink, relay_to):
    """{program: instructions} of all daemons over the life of a fresh
    instance that relays n messages, and how many processes wrote no
    totals (killed before they could)."""
    base = tempfile.mkdtemp(prefix=f"callgrind-{mta.name}-{n}-", dir=work)
    os.chmod(base, 0o755)  # daemons that dropped privileges reach out/
    wrap_dir, out_dir = os.path.join(base, "wrap"), os.path.join(base, "out")
    wrap(daemon_dir(mta), wrap_dir, out_dir, DAEMONS[mta.name])
    sink = start_with_sink(mta, tools, work, extra={
        "daemon_directory": wrap_dir}, warm=0)
    try:
        before = sink.count()
        measure.inject(tools, mta.port, n, SESSIONS, 1024, relay_to, TIMEOUT)
        if sink.wait_for(before + n, TIMEOUT) is None:
            raise RuntimeError(f"{mta.name}: under callgrind the sink got "
                               f"{sink.count() - before} of {n}")
    finally:
        mta.stop()
        sink.close()
        mta.cleanup()
    wait_gone(out_dir)
    got = totals(out_dir)
    lost = sum(1 for p in glob.glob(os.path.join(out_dir, "callgrind.*"))
               if os.path.getsize(p) == 0)
    shutil.rmtree(base, ignore_errors=True)
    return got, lost


def per_message(mta, tools, work, start_with_sink, relay_to, pairs=PAIRS):
    """User-space instructions per relayed message, by difference of the
    medians of `pairs` instances with WARM and WARM + N[system] messages (their
    spread is the start-up work that differs between instances: how many
    processes, how often cleanup lists spare/). Returns (instructions,
    {program: instructions}, processes that wrote no totals)."""
    lows, highs, lost, n_more = [], [], 0, N[mta.name]
    for _ in range(pairs):
        for n, into in ((WARM, lows), (WARM + n_more, highs)):
            got, gone = one_instance(mta, tools, work, n, start_with_sink,
                                     relay_to)
            into.append(got)
            lost += gone
    progs = sorted(set().union(*lows, *highs))
    by_prog = {p: (statistics.median(h.get(p, 0) for h in highs)
                   - statistics.median(lo.get(p, 0) for lo in lows)) / n_more
               for p in progs}
    total = (statistics.median(sum(h.values()) for h in highs)
             - statistics.median(sum(lo.values()) for lo in lows)) / n_more
    return total, by_prog, lost
