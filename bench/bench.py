#!/usr/bin/env python3
"""bench.py - Postfix and Sluice side by side on loopback (issue 8).

    python3 bench/bench.py quick [-n 2000] [-c 20] [-r 3]     # make bench
    python3 bench/bench.py full                               # make bench-full
    python3 bench/bench.py quick --only postfix

quick: runs alternate (A B A B ...) so that machine drift falls on both;
each run starts a fresh instance and a fresh smtp-sink, warms up with 50
messages, then measures: relay rate (N messages from smtp-source over C
sessions, until the sink has all N), injection rate (until smtp-source has
its last 250), local delivery rate into Maildir, single-session latency
p50/p99 (MAIL to 250, and MAIL to arrival at the sink), peak Pss and
process count of the MTA's process tree during the relay run, CPU time
per message; then, untimed, system calls per message (strace) and
user-space instructions per message (callgrind, instructions.py). Prints
median [min-max] per system and the ratio Sluice/Postfix, then issue 8's
four targets, each met or missed by the ratio of the medians, with the
ratios of each alternation's two runs beside it; writes
bench/out/<stamp>/{results.json,table.txt}.
full: the growth runs of growth.py (size, sessions, deferred queue) with
tables and PNG plots.
Needs root (Postfix's master; the bench user for Maildir delivery).
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import instructions  # noqa: E402
import mta as mtamod  # noqa: E402
import measure  # noqa: E402
from mta import (Postfix, Sluice, TOP, free_port, postfix_prefix,  # noqa: E402
                 postfix_env)

BENCH_USER = "sluicebench"


class Tools:
    """Postfix's smtp-source and smtp-sink from the private unpacking."""

    def __init__(self):
        self.prefix = postfix_prefix()
        self.env = postfix_env(self.prefix)

    def bin(self, name):
        return os.path.join(self.prefix, "root/usr/sbin", name)


def ensure_user(home):
    """The local-delivery recipient: a system user whose home is `home`."""
    os.makedirs(home, exist_ok=True)
    probe = subprocess.run(["getent", "passwd", BENCH_USER],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        subprocess.run(["useradd", "--system", "--no-create-home",
                        "--home-dir", home, "--shell", "/usr/sbin/nologin",
                        BENCH_USER], check=True)
    elif probe.stdout.split(":")[5] != home:
        subprocess.run(["usermod", "--home", home, BENCH_USER], check=True)
    subprocess.run(["chown", f"{BENCH_USER}:", home], check=True)


HOMES = os.path.join(TOP, "bench", "out", "homes")


def fresh_home():
    """A home for the bench user of its own for this invocation, in a
    block group of its own (spread_subdirs)."""
    spread_subdirs(HOMES)
    home = os.path.join(HOMES, time.strftime("%Y%m%d-%H%M%S"))
    ensure_user(home)
    return home


def spread_subdirs(path):
    """Makes path a top of directory hierarchies (chattr +T): ext4's Orlov
    allocator then gives each new subdirectory, and the files made in it,
    a block group of its own instead of its parent's. Without the mark the
    bench user's Maildir shared a block group with Postfix's queue under
    bench/out, and on ext4 without a journal every Maildir file either
    system created walked the queue files Postfix had deleted in the last
    minutes (recently_deleted() in the inode allocator): a Sluice run right
    after a Postfix run delivered locally at 822 msg/s with 660 of local's
    1183 profile samples in that walk (PAPER section 6, item 39). On a real
    system the homes and the queue are separate hierarchies anyway. Best
    effort: a file system without the attribute ignores it."""
    os.makedirs(path, exist_ok=True)
    subprocess.run(["chattr", "+T", path], capture_output=True)


def clear_maildir(home):
    """Moves the Maildir aside; nothing is deleted until remove_homes().

    On ext4 without a journal every file created within a minute or five
    of a mass deletion in its block group walks all the inodes freed there
    (recently_deleted() in the inode allocator), under the directory lock:
    after an `rm -rf` of the previous run's Maildir, each new Maildir file
    cost both systems about 1 ms of kernel time (28 us in a quiet group),
    the harness's own cleanup measured as local delivery time."""
    maildir = os.path.join(home, "Maildir")
    if os.path.exists(maildir):
        trash = os.path.join(HOMES, "trash")
        os.makedirs(trash, exist_ok=True)
        os.rename(maildir, os.path.join(trash, f"{time.monotonic_ns()}"))


def remove_homes():
    """After the timed runs: every home and every Maildir moved aside."""
    mtamod.forget(HOMES)


def settle(limit):
    """Before the timed runs: waits until the harness's last deletion
    (mta.DELETED_STAMP) is `limit` seconds old; returns the seconds waited.
    A bench started right after another measured the first one's cleanup:
    Sluice's local delivery 880-1020 msg/s against 1700 in the bench
    before it, at the same relay rate (PAPER section 6, item 39)."""
    try:
        age = time.time() - os.stat(mtamod.DELETED_STAMP).st_mtime
    except FileNotFoundError:
        return 0
    wait = limit - age
    if wait <= 0:
        return 0
    print(f"settle: the harness deleted files {age:.0f} s ago; waiting "
          f"{wait:.0f} s so that no run walks the inodes they freed",
          flush=True)
    time.sleep(wait)
    return wait


def pct(values, p):
    v = sorted(values)
    k = min(len(v) - 1, max(0, int(round(p / 100.0 * (len(v) - 1)))))
    return v[k]


RELAY_TO = "sink@example.com"


def start_with_sink(mta, tools, work, extra=None, warm=50, size=1024):
    """A fresh sink, a fresh instance relaying to it, warmed up."""
    sink_port = free_port()
    sink = measure.Sink(tools, sink_port,
                        os.path.join(work, f"sink-{mta.name}.out"))
    mta.sink_port = sink_port
    try:
        mta.setup(extra)
        mta.start()
        if warm:
            measure.inject(tools, mta.port, warm, 10, size, RELAY_TO, 120)
            if sink.wait_for(warm, 120) is None:
                raise RuntimeError(f"{mta.name}: warm-up did not reach the sink")
    except BaseException:
        mta.stop()
        sink.close()
        keep_log(mta, work)
        mta.cleanup()
        raise
    return sink


def keep_log(mta, work):
    """A failed instance's log, kept in the work directory."""
    inst = getattr(mta, "inst", None)
    if inst is not None and hasattr(inst, "log"):
        with open(os.path.join(work, f"{mta.name}-failed.log"), "w") as f:
            f.write(inst.log())


def relay_measure(mta, tools, sink, n, c, size, timeout):
    """n messages over c sessions through a running instance to its sink:
    relay and injection rates, peaks of the process tree, CPU per message."""
    base = sink.count()
    root = mta.master_pid()
    sampler = measure.Sampler(root)
    cpu0 = measure.cpu_seconds(root)
    sampler.start()
    t0 = time.monotonic()
    try:
        inj = measure.inject(tools, mta.port, n, c, size, RELAY_TO, timeout)
        t_end = sink.wait_for(base + n, timeout)
    finally:
        sampler.stop()
    cpu1 = measure.cpu_seconds(root)
    if t_end is None:
        raise RuntimeError(f"{mta.name}: sink got {sink.count() - base} "
                           f"of {n} within {timeout}s")
    return {"relay_rate": n / (t_end - t0), "inject_rate": n / inj,
            "relay_mib_s": n * size / (t_end - t0) / 1048576.0,
            "peak_pss_mib": sampler.peak_pss / 1024.0,
            "peak_procs": sampler.peak_procs,
            "cpu_us_per_msg": (cpu1 - cpu0) * 1e6 / n,
            "peak_by_prog_kib": sampler.peak_by_prog,
            "peak_procs_by_prog": sampler.peak_count_by_prog}


SYSCALLS = ["fsync", "fdatasync", "rename", "renameat2", "link", "openat",
            "unlink"]


def syscall_counts(mta, tools, work, n=100):
    """Untimed: n relayed messages under strace -c attached to the whole
    process tree; returns {syscall: calls per message}. Explains rates
    (how many fsyncs each message costs), not part of them."""
    import shutil
    if not shutil.which("strace"):
        return {}
    sink = start_with_sink(mta, tools, work)
    out = os.path.join(work, f"strace-{mta.name}.txt")
    try:
        pids = [a for pid in measure.tree(mta.master_pid())
                for a in ("-p", str(pid))]
        st = subprocess.Popen(["strace", "-f", "-c", "-o", out, "-e",
                               "trace=" + ",".join(SYSCALLS), *pids],
                              stderr=subprocess.DEVNULL)
        time.sleep(1)
        base = sink.count()
        measure.inject(tools, mta.port, n, 5, 1024, RELAY_TO, 120)
        sink.wait_for(base + n, 120)
        time.sleep(0.5)
        st.terminate()
        st.wait(30)
    finally:
        mta.stop()
        sink.close()
        mta.cleanup()
    counts = {}
    with open(out) as f:
        for line in f:
            w = line.split()
            if len(w) >= 5 and w[-1] in SYSCALLS:
                counts[w[-1]] = int(w[3]) / n
    # Sluice renames with renameat2 (RENAME_NOREPLACE): one figure for both;
    # and it commits a recycled file with fdatasync: one figure for the
    # two syncs of a file
    counts["rename"] = counts.get("rename", 0) + counts.pop("renameat2", 0)
    counts["fsync"] = counts.get("fsync", 0) + counts.pop("fdatasync", 0)
    return counts


def one_run(mta, tools, work, p):
    """One measured run of one system; returns {metric: value}."""
    home = p["home"]
    clear_maildir(home)
    sink = start_with_sink(mta, tools, work, size=p["size"])
    try:
        out = relay_measure(mta, tools, sink, p["n"], p["c"], p["size"],
                            p["timeout"])
        local_to = f"{BENCH_USER}@localhost"
        t0 = time.monotonic()
        measure.inject(tools, mta.port, p["local_n"], p["c"], p["size"],
                       local_to, p["timeout"])
        t_end = measure.wait_maildir(home, p["local_n"], p["timeout"])
        if t_end is None:
            raise RuntimeError(f"{mta.name}: Maildir got "
                               f"{measure.maildir_count(home)} of {p['local_n']}")
        out["local_rate"] = p["local_n"] / (t_end - t0)
        acc, e2e = measure.latency(mta.port, sink, p["lat"], p["size"])
        out["accept_p50_ms"] = pct(acc, 50) * 1e3
        out["accept_p99_ms"] = pct(acc, 99) * 1e3
        out["e2e_p50_ms"] = pct(e2e, 50) * 1e3
        out["e2e_p99_ms"] = pct(e2e, 99) * 1e3
    finally:
        mta.stop()
        sink.close()
        mta.cleanup()
    return out


METRICS = [
    ("relay_rate", "relay rate (msg/s)"),
    ("inject_rate", "injection rate (msg/s)"),
    ("local_rate", "local delivery rate (msg/s)"),
    ("accept_p50_ms", "latency to 250, p50 (ms)"),
    ("accept_p99_ms", "latency to 250, p99 (ms)"),
    ("e2e_p50_ms", "latency to sink, p50 (ms)"),
    ("e2e_p99_ms", "latency to sink, p99 (ms)"),
    ("peak_pss_mib", "peak Pss, relay run (MiB)"),
    ("peak_procs", "peak processes, relay run"),
    ("cpu_us_per_msg", "CPU per relayed msg (us)"),
    ("instr_per_msg", "user-space instructions per relayed msg (k)"),
    ("sys_fsync", "fsync+fdatasync calls per relayed msg"),
    ("sys_rename", "rename calls per relayed msg"),
    ("sys_openat", "openat calls per relayed msg"),
]


def cell(values):
    if not values:
        return "-"
    med = statistics.median(values)
    return f"{med:.4g} [{min(values):.4g}-{max(values):.4g}]"


# issue 8's targets: (metric, "at least" or "at most", Sluice/Postfix)
TARGETS = [("relay_rate", "at least", 3.0), ("local_rate", "at least", 3.0),
           ("accept_p50_ms", "at most", 0.5), ("peak_pss_mib", "at most", 0.5)]


def targets(results):
    """One line per target of issue 8: the ratio of the medians, whether
    it meets the target, and the range of the ratios of the runs one
    alternation made back to back (how far the verdict rests on drift)."""
    pf, sl = results.get("postfix", []), results.get("sluice", [])
    lines = ["issue 8 targets (Sluice/Postfix: ratio of the medians; in "
             "brackets the ratios of each alternation's two runs):"]
    for key, how, bound in TARGETS:
        p = [r[key] for r in pf if key in r]
        s = [r[key] for r in sl if key in r]
        if not p or not s or not statistics.median(p):
            continue
        def meets(x):
            return x >= bound if how == "at least" else x <= bound
        ratio = statistics.median(s) / statistics.median(p)
        met = meets(ratio)
        pairs = [b[key] / a[key] for a, b in zip(pf, sl)
                 if key in a and key in b and a[key]]
        spread = (f" [{min(pairs):.2f}-{max(pairs):.2f}, "
                  f"{sum(map(meets, pairs))} of {len(pairs)} meet it]"
                  ) if pairs else ""
        label = dict(METRICS)[key]
        lines.append(f"  {label} {how} {bound:g}x: {ratio:.2f} "
                     f"{'met' if met else 'missed'}{spread}")
    return lines if len(lines) > 1 else []


def table(results, systems, notes):
    rows = [("metric", "postfix median [min-max]",
             "sluice median [min-max]", "sluice/postfix")]
    for key, label in METRICS:
        cols = []
        for s in ("postfix", "sluice"):
            cols.append([r[key] for r in results.get(s, []) if key in r])
        ratio = "-"
        if cols[0] and cols[1] and statistics.median(cols[0]):
            ratio = f"{statistics.median(cols[1]) / statistics.median(cols[0]):.2f}"
        rows.append((label, cell(cols[0]), cell(cols[1]), ratio))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    verdict = targets(results)
    return "\n".join(lines + [""] + verdict + ([""] if verdict else [])
                     + notes) + "\n"


def machine_notes(p, runs):
    load = open("/proc/loadavg").read().split()[:3]
    return [f"N={p['n']} C={p['c']} size={p['size']}B local_n={p['local_n']} "
            f"latency msgs={p['lat']} alternations={runs}",
            f"machine: {os.cpu_count()} cpus, load average before "
            f"{' '.join(load)}; loopback only",
            "CPU per message: utime+stime of the MTA's process tree from "
            "/proc (perf instruction counters are not supported here)",
            "spread = min-max over the runs; one message per SMTP connection",
            "syscalls per message: one extra untimed run of 100 messages "
            "under strace -c (same value in every run)",
            f"user-space instructions per message: every daemon under "
            f"callgrind, untimed; the difference of the medians of "
            f"{instructions.PAIRS} instances relaying {instructions.WARM} "
            f"and {instructions.WARM}+N messages over "
            f"{instructions.SESSIONS} sessions, divided by N ("
            + ", ".join(f"{k} {v}" for k, v in instructions.N.items())
            + "; same value in every run; kernel work is not counted)"]


def instruction_counts(systems, tools, work, results, notes):
    """Untimed: user-space instructions per relayed message, per system,
    into every run's results (instructions.py)."""
    if not instructions.available():
        notes.append("instructions: valgrind not installed, not counted")
        return
    for mta in systems:
        print(f"{mta.name}: counting instructions under callgrind ...",
              flush=True)
        try:
            total, by_prog, lost = instructions.per_message(
                mta, tools, work, start_with_sink, RELAY_TO)
        except (RuntimeError, AssertionError, OSError,
                subprocess.SubprocessError) as e:
            # the timed table stands without it
            notes.append(f"{mta.name}: instructions not counted: {e}")
            continue
        for r in results[mta.name]:
            r["instr_per_msg"] = total / 1000.0
            r["instr_by_program"] = by_prog
        notes.append(f"{mta.name} instructions per message by program: " +
                     ", ".join(f"{k} {v / 1000:.0f}k" for k, v in
                               sorted(by_prog.items(), key=lambda kv: -kv[1])
                               if abs(v) >= 500))
        if lost:
            notes.append(f"{mta.name}: {lost} processes under callgrind were "
                         f"killed before they wrote their totals")


def timed_runs(systems, tools, work, p, runs, results):
    """A B A B ...: each alternation runs every system once."""
    for i in range(runs):
        order = systems if i % 2 == 0 else systems[::-1]
        for mta in order:
            print(f"run {i + 1}/{runs}: {mta.name} ...", end=" ",
                  flush=True)
            r = one_run(mta, tools, work, p)
            results[mta.name].append(r)
            print(f"relay {r['relay_rate']:.0f}/s inject "
                  f"{r['inject_rate']:.0f}/s local {r['local_rate']:.0f}/s "
                  f"e2e p50 {r['e2e_p50_ms']:.1f} ms", flush=True)


def quick(args):
    tools = Tools()
    stamp = time.strftime("%Y%m%d-%H%M%S")
    work = os.path.join(TOP, "bench", "out", stamp)
    os.makedirs(work, exist_ok=True)
    home = fresh_home()
    p = {"n": args.n, "c": args.c, "size": args.size, "lat": args.lat,
         "local_n": args.local_n or args.n // 2, "timeout": args.timeout,
         "home": home}
    systems, notes = [], []
    opts = {"process_limit": args.process_limit}
    for cls in (Postfix, Sluice):
        mta = cls(work, 0, opts)
        if args.only and mta.name != args.only:
            continue
        ok, why = mta.available()
        if ok:
            systems.append(mta)
        else:
            notes.append(why)
            print(why, flush=True)
    waited = settle(args.settle)
    notes_before = machine_notes(p, args.runs)
    if waited:
        notes_before.append(f"waited {waited:.0f} s before the runs: the "
                            f"harness had deleted files less than "
                            f"{args.settle} s before (--settle)")
    results = {m.name: [] for m in systems}
    mtamod.TRASH = os.path.join(work, "trash")
    try:
        timed_runs(systems, tools, work, p, args.runs, results)
    finally:
        mtamod.forget(mtamod.TRASH)
        mtamod.TRASH = None
        remove_homes()
    if not args.no_strace:
        for mta in systems:
            counts = syscall_counts(mta, tools, work)
            for r in results[mta.name]:
                for k, v in counts.items():
                    r[f"sys_{k}"] = v
    if not args.no_instr:
        instruction_counts(systems, tools, work, results, notes)
    text = table(results, systems, notes + notes_before)
    with open(os.path.join(work, "results.json"), "w") as f:
        json.dump({"params": p, "results": results, "notes": notes}, f,
                  indent=1)
    with open(os.path.join(work, "table.txt"), "w") as f:
        f.write(text)
    print()
    print(text, end="")
    print(f"(written to {work})")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", choices=["quick", "full"])
    ap.add_argument("-n", type=int, default=2000, help="messages per run")
    ap.add_argument("-c", type=int, default=20, help="parallel sessions")
    ap.add_argument("-r", "--runs", type=int, default=3, help="alternations")
    ap.add_argument("--size", type=int, default=1024, help="message bytes")
    ap.add_argument("--lat", type=int, default=200, help="latency messages")
    ap.add_argument("--local-n", type=int, default=0,
                    help="local deliveries per run (default n/2)")
    ap.add_argument("--timeout", type=int, default=600,
                    help="bound of each load phase, seconds")
    ap.add_argument("--process-limit", type=int, default=100)
    ap.add_argument("--settle", type=int, default=mtamod.SETTLE_S,
                    help="seconds the harness's last deletion must be old "
                    "before the timed runs start (0: do not wait)")
    ap.add_argument("--only", choices=["postfix", "sluice"])
    ap.add_argument("--no-strace", action="store_true",
                    help="skip the untimed syscall count run")
    ap.add_argument("--no-instr", action="store_true",
                    help="skip the untimed instruction count (callgrind)")
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("bench: run as root (Postfix's master, the bench user)")
    if args.mode == "quick":
        quick(args)
    else:
        import growth
        growth.full(args, Tools)


if __name__ == "__main__":
    main()
