"""growth.py - how cost grows ("make bench-full"), for bench.py.

Three sweeps, each alternating the systems (A B A B ...) per point:
  size      relay rate and MiB/s for 1 KiB .. 10 MiB messages (fewer
            messages as they grow: at most 100 MiB per run);
  sessions  relay rate, injection rate, peak Pss and processes for 1 .. 500
            parallel sessions;
  deferred  relay rate and qmgr's peak Pss while the queue already holds
            D deferred messages (routed by transport_maps to a loopback port
            nobody listens on, never retried during the run: backoff 1 h).
Each sweep writes <name>.txt (median [min-max] per point), <name>.dat and,
when gnuplot is there, <name>.png under bench/out/<stamp>-full/.
Every load phase is bounded by --timeout.
"""
import os
import shutil
import statistics
import subprocess
import time

import measure
import mta as mtamod
from bench import (TOP, ensure_user, relay_measure, settle, start_with_sink)
from mta import Postfix, Sluice, free_port

SIZES = [1024, 10240, 102400, 1048576, 10485760]
SESSIONS = [1, 10, 50, 100, 200, 500]
DEPTHS = [0, 10000, 100000]
MAX_BYTES_PER_RUN = 100 * 1048576


def systems_for(args, work):
    out, notes = [], []
    for cls in (Postfix, Sluice):
        mta = cls(work, 0, {"process_limit": args.process_limit})
        if args.only and mta.name != args.only:
            continue
        ok, why = mta.available()
        (out.append(mta) if ok else notes.append(why))
        if not ok:
            print(why, flush=True)
    return out, notes


def sweep(name, xs, systems, runs, measure_point):
    """{system: {x: [result, ...]}} with alternation inside each point."""
    res = {m.name: {x: [] for x in xs} for m in systems}
    for x in xs:
        for i in range(runs):
            order = systems if i % 2 == 0 else systems[::-1]
            for mta in order:
                r = measure_point(mta, x)
                res[mta.name][x].append(r)
                print(f"{name} {x}: {mta.name} relay "
                      f"{r['relay_rate']:.1f}/s", flush=True)
    return res


def med(rs, key):
    v = [r[key] for r in rs if key in r]
    return statistics.median(v) if v else None


def write_sweep(work, name, xlabel, xs, res, keys):
    """<name>.txt, <name>.dat (x then one column per system and key)."""
    names = sorted(res)
    head = [xlabel] + [f"{s} {k}" for k in keys for s in names]
    rows = []
    for x in xs:
        row = [str(x)]
        for k in keys:
            for s in names:
                rs = res[s][x]
                v = [r[k] for r in rs if k in r]
                row.append(f"{statistics.median(v):.4g} [{min(v):.4g}-"
                           f"{max(v):.4g}]" if v else "-")
        rows.append(row)
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
    text = "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths))
                     for r in [head] + rows) + "\n"
    with open(os.path.join(work, f"{name}.txt"), "w") as f:
        f.write(text)
    with open(os.path.join(work, f"{name}.dat"), "w") as f:
        f.write("# " + " | ".join(head) + "\n")
        for x in xs:
            vals = [med(res[s][x], k) for k in keys for s in names]
            f.write(f"{x} " + " ".join("nan" if v is None else f"{v:.6g}"
                                        for v in vals) + "\n")
    print(f"\n== {name}\n{text}", flush=True)
    return names


def plot(work, png, dat, datkeys, names, keys, xlabel, ylabel, logx=True):
    """png from columns of dat (laid out as write_sweep writes them)."""
    if not shutil.which("gnuplot"):
        return
    cols = []
    for k in keys:
        for s in names:
            col = 2 + datkeys.index(k) * len(names) + names.index(s)
            cols.append(f"'{dat}.dat' using 1:{col} with linespoints "
                        f"title '{s} {k}'")
    script = (f"set terminal png noenhanced size 800,500\n"
              f"set yrange [0:*]\nset output '{png}.png'\n"
              f"set xlabel '{xlabel}'\nset ylabel '{ylabel}'\n"
              f"{'set logscale x' if logx else ''}\nset key top right\n"
              f"set grid\nplot " + ", ".join(cols) + "\n")
    subprocess.run(["gnuplot"], input=script, text=True, cwd=work,
                   capture_output=True, timeout=60)


def fresh_point(tools, work, args, n_for, c_for, size_for):
    def point(mta, x):
        size = size_for(x)
        sink = start_with_sink(mta, tools, work, size=1024)
        try:
            return relay_measure(mta, tools, sink, n_for(x), c_for(x), size,
                                 args.timeout)
        finally:
            mta.stop()
            sink.close()
            mta.cleanup()
    return point


def deferred_sweep(tools, work, args, systems, depths):
    """Both instances stay up; each is filled to the next depth, then the
    relay runs alternate on top of the deferred queue."""
    dead = free_port()
    table = os.path.join(work, "transport")
    with open(table, "w") as f:
        f.write(f"deferred.test smtp:[127.0.0.1]:{dead}\n")
    sinks, res = {}, {m.name: {d: [] for d in depths} for m in systems}
    try:
        for mta in systems:
            sinks[mta.name] = start_with_sink(
                mta, tools, work, {"transport_maps": mta.table_ref(table)})
        filled = {m.name: 0 for m in systems}
        for d in depths:
            for mta in systems:
                add = d - filled[mta.name]
                if add > 0:
                    fill(mta, tools, add, filled[mta.name] + add, args)
                filled[mta.name] = d
            for i in range(args.runs):
                order = systems if i % 2 == 0 else systems[::-1]
                for mta in order:
                    r = relay_measure(mta, tools, sinks[mta.name], args.n,
                                      args.c, 1024, args.timeout)
                    r["qmgr_pss_mib"] = r["peak_by_prog_kib"].get(
                        "qmgr", 0) / 1024.0
                    r["deferred"] = mta.queue_count("deferred")
                    res[mta.name][d].append(r)
                    print(f"deferred {d}: {mta.name} relay "
                          f"{r['relay_rate']:.1f}/s qmgr "
                          f"{r['qmgr_pss_mib']:.1f} MiB "
                          f"(deferred/ holds {r['deferred']})", flush=True)
    finally:
        for mta in systems:
            mta.stop()
            if mta.name in sinks:
                sinks[mta.name].close()
            mta.cleanup()
    return res


def fill(mta, tools, add, target, args):
    """Injects `add` messages for deferred.test and waits (bounded) until
    deferred/ holds target files."""
    t0 = time.monotonic()
    left = add
    while left > 0:
        chunk = min(left, 5000)
        measure.inject(tools, mta.port, chunk, 20, 1024, "x@deferred.test",
                       args.timeout, keep=True)
        left -= chunk
    deadline = time.monotonic() + args.timeout
    while mta.queue_count("deferred") < target:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{mta.name}: deferred/ holds "
                               f"{mta.queue_count('deferred')} of {target}")
        time.sleep(0.5)
    print(f"fill: {mta.name} deferred/ holds {target} "
          f"({time.monotonic() - t0:.0f}s)", flush=True)


def parse_list(text, default):
    return [int(x) for x in text.split(",")] if text else default


def full(args, tools_cls):
    tools = tools_cls()
    work = os.path.join(TOP, "bench", "out",
                        time.strftime("%Y%m%d-%H%M%S") + "-full")
    os.makedirs(work, exist_ok=True)
    ensure_user(os.path.join(TOP, "bench", "out", "home"))
    systems, notes = systems_for(args, work)
    sizes = parse_list(os.environ.get("BENCH_SIZES"), SIZES)
    sessions = parse_list(os.environ.get("BENCH_SESSIONS"), SESSIONS)
    depths = parse_list(os.environ.get("BENCH_DEPTHS"), DEPTHS)
    n = args.n
    todo = os.environ.get("BENCH_SWEEPS", "size,sessions,deferred").split(",")
    settle(args.settle)
    # instances set aside, not deleted, between points (bench.quick)
    mtamod.TRASH = os.path.join(work, "trash")
    try:
        if "size" in todo:
            size_sweep(tools, work, args, systems, sizes)
        if "sessions" in todo:
            sessions_sweep(tools, work, args, systems, sessions)
        if "deferred" in todo:
            depth_sweep(tools, work, args, systems, depths)
    except BaseException:
        # the failed point's instance is in the trash: keep it to be read
        print(f"(instances kept in {mtamod.TRASH})", flush=True)
        mtamod.TRASH = None
        raise
    mtamod.forget(mtamod.TRASH)
    mtamod.TRASH = None
    with open(os.path.join(work, "notes.txt"), "w") as f:
        f.write("\n".join(notes + [f"runs per point: {args.runs}; N={n} "
                                   f"C={args.c}; loadavg "
                                   f"{open('/proc/loadavg').read()}"]))
    print(f"(written to {work})")


def size_sweep(tools, work, args, systems, sizes):
    n = args.n
    keys = ["relay_rate", "relay_mib_s", "cpu_us_per_msg"]
    res = sweep("size", sizes, systems, args.runs, fresh_point(
        tools, work, args, lambda x: max(10, min(n, MAX_BYTES_PER_RUN // x)),
        lambda x: args.c, lambda x: x))
    names = write_sweep(work, "size", "bytes", sizes, res, keys)
    plot(work, "size", "size", keys, names, ["relay_rate"],
         "message size (bytes)", "relayed msg/s")
    plot(work, "size-mib", "size", keys, names, ["relay_mib_s"],
         "message size (bytes)", "relayed MiB/s")


def sessions_sweep(tools, work, args, systems, sessions):
    n = args.n
    keys = ["relay_rate", "inject_rate", "peak_pss_mib", "peak_procs"]
    res = sweep("sessions", sessions, systems, args.runs, fresh_point(
        tools, work, args, lambda x: n, lambda x: x, lambda x: args.size))
    names = write_sweep(work, "sessions", "sessions", sessions, res, keys)
    plot(work, "sessions", "sessions", keys, names, ["relay_rate"],
         "parallel SMTP sessions", "relayed msg/s")
    plot(work, "sessions-pss", "sessions", keys, names, ["peak_pss_mib"],
         "parallel SMTP sessions", "peak Pss (MiB)")


def depth_sweep(tools, work, args, systems, depths):
    keys = ["relay_rate", "qmgr_pss_mib", "peak_pss_mib"]
    res = deferred_sweep(tools, work, args, systems, depths)
    names = write_sweep(work, "deferred", "deferred", depths, res, keys)
    plot(work, "deferred", "deferred", keys, names, ["relay_rate"],
         "deferred messages in the queue", "relayed msg/s", logx=False)
    plot(work, "deferred-qmgr", "deferred", keys, names, ["qmgr_pss_mib"],
         "deferred messages in the queue", "qmgr peak Pss (MiB)", logx=False)
