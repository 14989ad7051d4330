#!/usr/bin/env python3
"""explore.py - the fault-injection explorer (DESIGN.md section 6).

    python3 faultinject/explore.py [--quick] [--jobs N] [--only REGEX]
                                   [--report faultinject/REPORT.md]

1. A trace run (no fault) of the fixed workload (fi_workload.py) with
   SLUICE_FI_TRACE and the shim in trace mode learns every (crash point,
   hit) pair and every (program, syscall class, n-th call) the workload
   reaches.
2. One scenario per (point, hit), per syscall fault (program, class, n-th,
   errno), plus random outside SIGKILLs under load, plus a fault-free
   baseline; each in a fresh instance of the fault build (fi_run.py). Each
   (point, hit) runs a second time as a power cut ("power/..."): the shim's
   power-loss mode (faultinject/shim_power.h) undoes what the crashing
   process had not fsynced before it dies.
3. The oracles (fi_oracle.py) classify each scenario: passed,
   duplicate-in-window (which window of DESIGN.md section 3), FAILED (with
   the ledger lines), or not-reached (the fault never fired).
4. The report: a table of points x outcome, written to --report.

--quick is the CI subset (hit 1 of every point, the first call of every
syscall class per program, hit 1 of the POWER_QUICK points as power cuts,
two kill scenarios); the default is the full
exploration (every hit up to --max-hit, n-th calls up to --max-nth, every
errno of a class in turn). Exit status 1 when any scenario FAILED.
"""
import argparse
import collections
import concurrent.futures
import json
import os
import re
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import fi_report  # noqa: E402
import fi_run  # noqa: E402

ERRNOS = {"write": ["EIO", "ENOSPC", "SHORT", "EDQUOT"], "fsync": ["EIO"],
          "fdatasync": ["EIO"], "rename": ["EIO", "ENOSPC"],
          "link": ["EIO", "EDQUOT"], "unlink": ["EIO"],
          "open": ["EIO", "ENOSPC", "EDQUOT"], "mkdir": ["ENOSPC", "EIO"],
          "malloc": ["ENOMEM"]}
SHIM_PROGS = {"smtpd", "cleanup", "pickup", "qmgr", "local", "smtp", "bounce",
              "gate", "sendmail"}
MALLOC_NTH = [200, 2000]
# The power-loss sample of --quick (first hit): the commit steps where an
# undone rename, link, unlink or unsynced write could lose or resurrect mail.
POWER_QUICK = {"queue_file.after_write", "queue_file.after_fsync",
               "queue_file.after_rename", "queue_file.after_dir_fsync",
               "queue_file.mark_done", "gate.after_commit",
               "pickup.after_unlink", "local.maildir_after_link",
               "local.maildir_after_unlink", "local.maildir_after_dir_fsync",
               "local.mbox_before_fsync", "local.before_reply",
               "qmgr.after_defer_move", "qmgr.after_log_append",
               "qmgr.after_remove", "qmgr.before_request",
               "bounce.after_commit", "smtpd.before_250"}
# Scenarios that found a bug once: always run, in --quick too.
REGRESSIONS = [
    # qmgr: a failed fsync of active/ after the incoming -> active rename
    # left the file in active/, unscheduled until a restart (qmgr_scan.c)
    {"name": "shim/qmgr/fsync/1/EIO", "kind": "shim", "prog": "qmgr",
     "call": "fsync", "nth": 1, "errno": "EIO"},
    # cleanup killed with its .part in incoming/ while other cleanup
    # processes live on: nobody swept it until qmgr or a cleanup restarted
    # (qmgr_scan.c, qmgr_main.c: sweep at every queue run and flush)
    # qmgr could not unlink a finished file: it stayed in active/ (and out
    # of every queue run) until a restart (qmgr_message.c: to deferred/)
    {"name": "shim/qmgr/unlink/33/EIO", "kind": "shim", "prog": "qmgr",
     "call": "unlink", "nth": 33, "errno": "EIO"},
    # local could not unlink its mbox dot-lock: the mailbox stayed locked
    # for the 300 s stale age (local_mbox.c: the lock holds the pid; our
    # own or a dead pid is stale at once)
    {"name": "shim/local/unlink/4/EIO", "kind": "shim", "prog": "local",
     "call": "unlink", "nth": 4, "errno": "EIO"},
    # ... and when no later delivery to that mbox came, the lock stayed
    # (local_mbox.c: the unlink is tried a second time)
    {"name": "shim/local/unlink/5/EIO", "kind": "shim", "prog": "local",
     "call": "unlink", "nth": 5, "errno": "EIO"},
    # qmgr could not move a deferred message to deferred/: it stayed in
    # active/ until a restart (qmgr_message.c: back to incoming/)
    {"name": "shim/qmgr/rename/6/ENOSPC", "kind": "shim", "prog": "qmgr",
     "call": "rename", "nth": 6, "errno": "ENOSPC"},
    # power loss in local after an earlier delivery to a fresh Maildir or
    # mbox: the directories (and the mbox's name) were never fsynced into
    # their parents, so the acknowledged delivery vanished (local_maildir.c,
    # local_mbox.c: fsync the parent of what they create)
    {"name": "power/local.maildir_before_create/2", "kind": "point",
     "point": "local.maildir_before_create", "prog": "local", "hit": 2,
     "powerloss": True},
    {"name": "power/local.before_reply/2", "kind": "point",
     "point": "local.before_reply", "prog": "local", "hit": 2,
     "powerloss": True},
    {"name": "point/queue_file.create@cleanup/6", "kind": "point",
     "point": "queue_file.create", "prog": "cleanup", "hit": 6},
    {"name": "point/queue_file.after_fsync@cleanup/6", "kind": "point",
     "point": "queue_file.after_fsync", "prog": "cleanup", "hit": 6},
]


def learn(work, bin_dir):
    """The trace run: {point: max hits per process}, {(prog, call): max n}."""
    res = fi_run.run_scenario({"name": "trace", "kind": "trace"}, work, bin_dir,
                              keep="never")
    points, calls = collections.Counter(), collections.Counter()
    per = collections.Counter()
    try:
        with open(os.path.join(work, "trace", "fi.trace")) as f:
            for line in f:
                w = line.split()
                per[(w[0], w[2] if len(w) > 2 else "", w[1])] += 1
    except OSError:
        pass
    for (name, prog, _), n in per.items():
        points[(name, prog)] = max(points[(name, prog)], n)
    per = collections.Counter()
    try:
        with open(os.path.join(work, "trace", "shim.log")) as f:
            for line in f:
                w = line.split()
                if w[0] == "call" and w[1] in SHIM_PROGS:
                    per[(w[1], w[2], w[4])] = max(per[(w[1], w[2], w[4])],
                                                  int(w[3]))
    except OSError:
        pass
    for (prog, call, _), n in per.items():
        calls[(prog, call)] = max(calls[(prog, call)], n)
    return res, points, calls


def all_points():
    """Every crash point in the source (what make faultinject-list prints)."""
    out = set()
    rx = re.compile(r'FI_POINT\("([a-z0-9_.]+)"\)')
    for root, _, files in os.walk(os.path.join(TOP, "src")):
        for name in files:
            if name.endswith(".c"):
                with open(os.path.join(root, name), errors="replace") as f:
                    out.update(rx.findall(f.read()))
    return out


def scenarios(points, calls, quick, max_hit, max_nth, kills, power=True):
    out = [{"name": "baseline", "kind": "none"}]
    shared = collections.Counter(name for name, _ in points)
    for (p, prog) in sorted(points):
        label = f"{p}@{prog}" if shared[p] > 1 else p
        for hit in range(1, (1 if quick else min(points[(p, prog)], max_hit)) + 1):
            out.append({"name": f"point/{label}/{hit}", "kind": "point",
                        "point": p, "prog": prog, "hit": hit})
    # The same crash points as a power cut of the crashing process
    # (shim_power.h): every (point, hit) in the full run, a sample in --quick.
    for (p, prog) in sorted(points) if power else []:
        label = f"{p}@{prog}" if shared[p] > 1 else p
        if quick and p not in POWER_QUICK:
            continue
        for hit in range(1, (1 if quick else min(points[(p, prog)], max_hit)) + 1):
            out.append({"name": f"power/{label}/{hit}", "kind": "point",
                        "point": p, "prog": prog, "hit": hit,
                        "powerloss": True})
    for (prog, call) in sorted(calls):
        n = calls[(prog, call)]
        nths = [1] if quick else list(range(1, min(n, max_nth) + 1))
        if not quick and n > max_nth:
            nths.append(n)          # and the last one
        for nth in nths:
            errs = ERRNOS[call]
            errno = errs[(nth - 1) % len(errs)]
            out.append({"name": f"shim/{prog}/{call}/{nth}/{errno}",
                        "kind": "shim", "prog": prog, "call": call,
                        "nth": nth, "errno": errno})
    progs = sorted(set(p for p, _ in calls))
    for prog in progs if not quick else []:
        for nth in MALLOC_NTH:
            out.append({"name": f"shim/{prog}/malloc/{nth}/ENOMEM",
                        "kind": "shim", "prog": prog, "call": "malloc",
                        "nth": nth, "errno": "ENOMEM"})
    names = set(sc["name"] for sc in out)
    out += [sc for sc in REGRESSIONS if sc["name"] not in names
            and (power or not sc.get("powerloss"))]
    for i in range(kills):
        out.append({"name": f"kill/{i + 1}", "kind": "kill", "kills": 3,
                    "seed": 1000 + i})
    return out


def run_all(todo, work, bin_dir, jobs):
    results = []
    with concurrent.futures.ProcessPoolExecutor(max_workers=jobs) as pool:
        futs = {pool.submit(fi_run.run_scenario, sc, work, bin_dir): sc
                for sc in todo}
        for fut in concurrent.futures.as_completed(futs):
            sc = futs[fut]
            try:
                r = fut.result()
            except Exception as e:          # a worker that died
                r = {"name": sc["name"], "kind": sc["kind"], "outcome": "FAILED",
                     "failures": [f"explorer worker: {e!r}"], "windows": [],
                     "notes": [], "progs": [], "seconds": 0}
            r["scenario"] = sc
            results.append(r)
            print(f"{r['outcome']:>20}  {r['seconds']:5.1f}s  {r['name']}",
                  flush=True)
            for f in r.get("failures", [])[:5]:
                print(f"{'':>30}{f[:300]}", flush=True)
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--only", default=None, help="regex on scenario names")
    ap.add_argument("--max-hit", type=int, default=6)
    ap.add_argument("--max-nth", type=int, default=6)
    ap.add_argument("--kills", type=int, default=None)
    ap.add_argument("--no-power", action="store_true",
                    help="leave out the power-loss scenarios")
    ap.add_argument("--bin", default=os.path.join(TOP, "build", "plain-fi", "bin"))
    ap.add_argument("--report", default=None)
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    kills = args.kills if args.kills is not None else (2 if args.quick else 8)
    work = tempfile.mkdtemp(prefix="fi-")
    t0 = time.monotonic()
    trace, points, calls = learn(work, os.path.abspath(args.bin))
    print(f"trace run: {trace['outcome']}, {len(points)} points reached, "
          f"{len(calls)} (program, call) classes", flush=True)
    todo = scenarios(points, calls, args.quick, args.max_hit, args.max_nth,
                     kills, not args.no_power)
    if args.only:
        todo = [sc for sc in todo if re.search(args.only, sc["name"])]
    results = run_all(todo, work, os.path.abspath(args.bin), args.jobs)
    results.append(dict(trace, scenario={"name": "trace", "kind": "trace"}))
    elapsed = time.monotonic() - t0
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1, default=str)
    if args.report:
        reached = collections.Counter()
        for (p, _), n in points.items():
            reached[p] = max(reached[p], n)
        fi_report.write(args.report, results, all_points(), reached, calls,
                        elapsed, "quick" if args.quick else "full")
    bad = [r for r in results if r["outcome"] == "FAILED"]
    if not bad and not os.environ.get("SLUICE_KEEP"):
        shutil.rmtree(work, ignore_errors=True)
    print(f"faultinject: {len(results)} scenarios, {len(bad)} FAILED, "
          f"{elapsed:.0f}s" + (f" (work dir {work})" if bad else ""))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
