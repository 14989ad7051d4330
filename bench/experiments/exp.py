"""exp.py - the fifth session's one-off experiments (PAPER.md section 6).

Each alternates what it compares within one process, the way bench.py
does, and prints medians with the per-run values. Root only, loopback
only, every phase bounded. Builds are directories holding Sluice's
programs (bin/ of a checkout or of a `git worktree` built with make).

    exp.py grown RUNS NAMES BASE NEW
        relay runs through four instances (each build, with a fresh
        incoming/ and with one that once held NAMES entries, created and
        deleted): PAPER item 13
    exp.py flushes ROUNDS BUILD
        single-session latency to 250 with the commit's fsyncs switched
        off by flag files; BUILD must carry commit-fsync-flags.diff
    exp.py fill RUNS N BASE NEW
        deferrals per second: N messages to a port nobody listens on
    exp.py drain RUNS N BASE NEW
        bench/drain.py's drain of N local messages, two builds of Sluice
    exp.py concurrency RUNS C1,C2,...
        the same drain for both systems at several local concurrencies
    exp.py setting RUNS NAME=VALUE BUILD
        relay runs through two instances of one build (or of Postfix, when
        BUILD is "postfix"), one with main.cf's NAME set to VALUE, one
        with its default
    exp.py builds RUNS BASE NEW
        relay runs through an instance of each build: PAPER item 16
    exp.py latency RUNS BASE NEW
        single-session latency to 250 (batches of 200 messages, as in
        make bench) through an instance of each build: PAPER item 16
    exp.py syscalls N BUILD
        system calls per relayed message, per program (strace -f over
        every process of the instance while N messages are relayed)
"""
import collections
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import bench  # noqa: E402
import drain  # noqa: E402
import measure  # noqa: E402
import mta as mtamod  # noqa: E402
from bench import relay_measure, start_with_sink  # noqa: E402
from mta import Sluice, free_port  # noqa: E402

FLAGS = {"nodir": "/tmp/sluice-exp-nodir", "nofile": "/tmp/sluice-exp-nofile"}


def workdir(name):
    d = os.path.join(os.path.dirname(HERE), "out",
                     f"exp-{name}-{time.strftime('%Y%m%d-%H%M%S')}")
    os.makedirs(d)
    return d


def sluice(build, d, name):
    """An instance of build; a build given as DIR:name=value,name=value
    also gets those main.cf settings (one build, two configurations)."""
    build, _, extra = build.partition(":")
    conf = {"process_limit": 100,
            "main": dict(kv.split("=", 1) for kv in extra.split(",") if kv)}
    os.environ["SLUICE_BIN"] = build
    os.makedirs(d)
    m = Sluice(d, 0, conf)
    m.name = name
    return m


def report(res, unit=""):
    for k, v in res.items():
        print(f"{k:16} median {statistics.median(v):.2f}{unit} "
              f"[{' '.join('%.2f' % x for x in v)}]")


def alternate(runs, keys):
    for i in range(runs):
        yield from (keys if i % 2 == 0 else keys[::-1])


RELAY_FIGURES = (("relay_rate", " msg/s"), ("cpu_us_per_msg", " us/msg"),
                 ("peak_pss_mib", " MiB peak Pss"),
                 ("peak_procs", " peak processes"))


def relay_runs(runs, tools, systems, sinks):
    """Alternating relay runs (2000 messages, 20 sessions) through running
    instances, each stopped afterwards; prints the medians."""
    res = {f: {k: [] for k in systems} for f, _ in RELAY_FIGURES}
    try:
        for name in alternate(runs, list(systems)):
            r = relay_measure(systems[name], tools, sinks[name], 2000, 20,
                              1024, 600)
            for f, _ in RELAY_FIGURES:
                res[f][name].append(r[f])
            print(name, "relay %.0f/s" % r["relay_rate"], flush=True)
    finally:
        for name, m in systems.items():
            m.stop()
            sinks[name].close()
            m.cleanup()
    for f, unit in RELAY_FIGURES:
        report(res[f], unit)


def grow(directory, names):
    for i in range(names):
        open(os.path.join(directory, "zz%08d" % i), "w").close()
    for i in range(names):
        os.unlink(os.path.join(directory, "zz%08d" % i))


def exp_grown(runs, names, base, new):
    tools, work = bench.Tools(), workdir("grown")
    systems, sinks = {}, {}
    for b, path in (("base", base), ("new", new)):
        for kind in ("fresh", "grown"):
            name = f"{b}-{kind}"
            systems[name] = m = sluice(path, os.path.join(work, name), name)
            sinks[name] = start_with_sink(m, tools, work)
            if kind == "grown":
                grow(os.path.join(m.inst.queue, "incoming"), names)
    relay_runs(runs, tools, systems, sinks)


def set_flags(on):
    for key, path in FLAGS.items():
        if key in on:
            open(path, "w").close()
        elif os.path.exists(path):
            os.unlink(path)


def exp_flushes(rounds, build):
    tools, work = bench.Tools(), workdir("flushes")
    m = sluice(build, os.path.join(work, "sluice"), "sluice")
    sink = start_with_sink(m, tools, work)
    modes = {"both": [], "dir only": ["nofile"], "file only": ["nodir"],
             "neither": ["nodir", "nofile"]}
    res = {k: [] for k in modes}
    try:
        for k in alternate(rounds, list(modes)):
            set_flags(modes[k])
            time.sleep(0.3)
            acc, _ = measure.latency(m.port, sink, 300, 1024)
            res[k].append(statistics.median(acc) * 1e3)
            print(k, "p50 %.2f ms" % res[k][-1], flush=True)
    finally:
        set_flags([])
        m.stop()
        sink.close()
        m.cleanup()
    report(res, " ms")


def exp_fill(runs, n, base, new):
    tools, work = bench.Tools(), workdir("fill")
    table = os.path.join(work, "transport")
    with open(table, "w") as f:
        f.write(f"deferred.test smtp:[127.0.0.1]:{free_port()}\n")
    res = {"base": [], "new": []}
    for i, k in enumerate(alternate(runs, ["base", "new"])):
        m = sluice(base if k == "base" else new,
                   os.path.join(work, f"{k}{i}"), k)
        sink = start_with_sink(m, tools, work,
                               {"transport_maps": m.table_ref(table)})
        try:
            t0 = time.monotonic()
            measure.inject(tools, m.port, n, 20, 1024, "x@deferred.test",
                           300, keep=True)
            while m.queue_count("deferred") < n:
                if time.monotonic() - t0 > 300:
                    raise RuntimeError("fill: not every message deferred")
                time.sleep(0.2)
            res[k].append(n / (time.monotonic() - t0))
            print(k, "%.0f deferrals/s" % res[k][-1], flush=True)
        finally:
            m.stop()
            sink.close()
            m.cleanup()
    report(res, " /s")


def exp_drain(runs, n, base, new):
    tools, res = bench.Tools(), {"base": [], "new": []}
    try:
        for k in alternate(runs, ["base", "new"]):
            os.environ["SLUICE_BIN"] = base if k == "base" else new
            res[k].append(drain.one_drain(Sluice, tools, n, 300))
            print(k, "drain %.0f msg/s" % res[k][-1], flush=True)
    finally:
        bench.remove_homes()
    report(res, " msg/s")


def exp_concurrency(runs, limits):
    tools, res, orig = bench.Tools(), {}, mtamod.common_main
    try:
        for c in alternate(runs, limits):
            def main_cf(opts, port, c=c):
                conf = orig(opts, port)
                conf["local_destination_concurrency_limit"] = str(c)
                return conf
            mtamod.common_main = main_cf
            for cls in (mtamod.Postfix, mtamod.Sluice):
                r = drain.one_drain(cls, tools, 1000, 300)
                res.setdefault(f"{cls.name} c={c}", []).append(r)
                print(cls.name, c, "drain %.0f msg/s" % r, flush=True)
    finally:
        mtamod.common_main = orig
        bench.remove_homes()
    report(res, " msg/s")


def exp_setting(runs, setting, build):
    name, value = setting.split("=", 1)
    tools, work = bench.Tools(), workdir("setting")
    systems, sinks = {}, {}
    for key, extra in (("default", None), (setting, {name: value})):
        d = os.path.join(work, str(len(systems)))
        if build == "postfix":
            os.makedirs(d)
            m = mtamod.Postfix(d, 0, {"process_limit": 100})
            m.name = f"postfix{len(systems)}"
        else:
            m = sluice(build, d, key)
        systems[key] = m
        sinks[key] = start_with_sink(m, tools, work, extra)
    relay_runs(runs, tools, systems, sinks)


def two_builds(name, base, new):
    tools, work = bench.Tools(), workdir(name)
    systems, sinks = {}, {}
    for key, path in (("base", base), ("new", new)):
        systems[key] = m = sluice(path, os.path.join(work, key), key)
        sinks[key] = start_with_sink(m, tools, work)
    return tools, systems, sinks


def exp_builds(runs, base, new):
    tools, systems, sinks = two_builds("builds", base, new)
    relay_runs(runs, tools, systems, sinks)


def exp_latency(runs, base, new):
    _, systems, sinks = two_builds("latency", base, new)
    res = {k: [] for k in systems}
    try:
        for k in alternate(runs, list(systems)):
            acc, _ = measure.latency(systems[k].port, sinks[k], 200, 1024)
            res[k].append(statistics.median(acc) * 1e3)
            print(k, "p50 %.2f ms" % res[k][-1], flush=True)
    finally:
        for k, m in systems.items():
            m.stop()
            sinks[k].close()
            m.cleanup()
    report(res, " ms")


def exp_syscalls(n, build):
    tools, work = bench.Tools(), workdir("syscalls")
    m = sluice(build, os.path.join(work, "sluice"), "sluice")
    sink = start_with_sink(m, tools, work)
    comm = dict(measure.tree(m.master_pid()).items())
    out = os.path.join(work, "strace.out")
    st = subprocess.Popen(["strace", "-f", "-qq", "-o", out] +
                          [a for p in comm for a in ("-p", str(p))],
                          stderr=subprocess.DEVNULL)
    try:
        time.sleep(2)
        base = sink.count()
        measure.inject(tools, m.port, n, 20, 1024, bench.RELAY_TO, 120)
        sink.wait_for(base + n, 120)
        time.sleep(1)
        comm.update(measure.tree(m.master_pid()))
    finally:
        st.terminate()
        st.wait()
        m.stop()
        sink.close()
    calls = collections.defaultdict(collections.Counter)
    with open(out) as f:
        for line in f:
            hit = re.match(r"(\d+)\s+(\w+)\(", line)
            if not hit:
                continue
            pid, name = int(hit.group(1)), hit.group(2)
            exe = re.search(r'execve\("[^"]*/(\w+)"', line)
            if exe:
                comm[pid] = exe.group(1)
            calls[comm.get(pid, "?")][name] += 1
    if os.environ.get("EXP_KEEP_STRACE"):  # the raw trace, to read paths
        shutil.copy(out, os.environ["EXP_KEEP_STRACE"])
    m.cleanup()
    for prog, c in sorted(calls.items(), key=lambda kv: -sum(kv[1].values())):
        print(f"{prog:10} {sum(c.values()) / n:6.1f}/msg  " + ", ".join(
            f"{k} {v / n:.2f}" for k, v in c.most_common(20)))


def main(argv):
    if len(argv) < 3 or os.geteuid() != 0:
        sys.exit(__doc__)
    what, a = argv[1], argv[2:]
    if what == "grown":
        exp_grown(int(a[0]), int(a[1]), a[2], a[3])
    elif what == "builds":
        exp_builds(int(a[0]), a[1], a[2])
    elif what == "latency":
        exp_latency(int(a[0]), a[1], a[2])
    elif what == "flushes":
        exp_flushes(int(a[0]), a[1])
    elif what == "fill":
        exp_fill(int(a[0]), int(a[1]), a[2], a[3])
    elif what == "drain":
        exp_drain(int(a[0]), int(a[1]), a[2], a[3])
    elif what == "setting":
        exp_setting(int(a[0]), a[1], a[2])
    elif what == "syscalls":
        exp_syscalls(int(a[0]), a[1])
    elif what == "concurrency":
        exp_concurrency(int(a[0]), [int(x) for x in a[1].split(",")])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
