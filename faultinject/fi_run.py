"""fi_run.py - one fault-injection scenario: a fresh instance of the fault
build, one fault (a crash point, a syscall fault, outside SIGKILLs, or
none), the fixed workload, quiescence, a flush, the final messages, and the
oracles (fi_oracle.py). Runs in its own process (explore.py forks one per
scenario), so it may set os.environ for the programs it starts.

A scenario is a dict:
  {"name", "kind": "none"|"point"|"shim"|"kill"|"trace", "point", "hit",
   "prog", "call", "nth", "errno", "kills", "seed"}
and the result a dict {"name", "outcome", "fired", "progs", "failures",
"windows", "notes", "seconds", "dir"}.
"""
import os
import random
import shutil
import signal
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(TOP, "tests", "integration"))
from instance import Instance, free_port  # noqa: E402

import fi_ledger  # noqa: E402
import fi_oracle  # noqa: E402
import fi_sink  # noqa: E402
import fi_workload  # noqa: E402

SHIM = os.path.join(TOP, "build", "faultinject", "sluice-shim.so")
# Which program runs a crash point (by its name's prefix).
POINT_PROG = {"queue_file": "cleanup"}
# Where the power-loss mode keeps hard links to unlinked files (same file
# system as the queue; not looked at by the oracles).
PL_STASH = "pl-stash"
DAEMONS = ["smtpd", "cleanup", "pickup", "qmgr", "local", "smtp", "bounce",
           "resolve"]


def services(available):
    out = ["qmgr fifo - - n 2 1 qmgr", "resolve unix - - n - - resolve",
           "local unix - n n - - local", "smtp unix - - n - - smtp",
           "bounce unix - - n - - bounce"]
    if "smtp" in available or "sendmail" in available:
        out.append("cleanup unix - - n - - cleanup")
    if "smtp" in available:
        out.append("$smtpd_listen inet n - n - - smtpd")
    if "sendmail" in available:
        out.append("pickup fifo n - n 2 1 pickup")
    return out


def main_cf(inst_dir, sink_port):
    return {"queue_run_delay": "1s", "minimal_backoff_time": "1s",
            "maximal_backoff_time": "2s", "delay_warning_time": "0",
            "mydestination": "test.example, localhost",
            "local_delivery_virtual_only": "yes",
            "virtual_mailbox_base": os.path.join(inst_dir, "mail"),
            "relayhost": f"[127.0.0.1]:{sink_port}",
            "mynetworks": "127.0.0.0/8", "max_idle": "20s",
            "ipc_timeout": "15s", "qmgr_request_timeout": "20s",
            "smtp_connect_timeout": "5s", "smtp_timeout": "15s",
            "smtp_tls_security_level": "none", "smtpd_timeout": "20s",
            "smtp_connection_reuse_time": "1s", "queue_spare_reserve": "16",
            "service_throttle_time": "1s", "master_stop_timeout": "3s"}


def open_work_dir(work_root, work):
    """local writes a /file target as default_privs (not root): the trace,
    the shim log and the "fired" marker files must stay writable then, so
    the scenario directory is open to every user and its parents
    traversable."""
    d = work
    while True:
        os.chmod(d, 0o1777 if d == work else 0o755)
        if os.path.samefile(d, work_root) or d == os.path.dirname(d):
            break
        d = os.path.dirname(d)
    for name in ("fi.trace", "shim.log"):
        p = os.path.join(work, name)
        open(p, "a").close()
        os.chmod(p, 0o666)


def write_aliases(inst):
    """mbx@test.example -> a /file target: the mbox writer without an
    account. The file is written as default_privs, so the directory is
    open to every user (and the instance directory traversable)."""
    box = os.path.join(inst.dir, fi_oracle.MBOX_DIR)
    os.makedirs(box, exist_ok=True)
    os.chmod(box, 0o1777)
    os.chmod(inst.dir, 0o755)
    os.chmod(os.path.join(inst.dir, "mail"), 0o755)
    with open(os.path.join(inst.etc, "aliases"), "w") as f:
        f.write("mbx: %s\n" % os.path.join(box, "mbx"))


def fault_env(sc, work, inst_dir):
    """The environment that arms the scenario's fault."""
    env = {}
    kind = sc["kind"]
    if kind == "point":
        env.update(SLUICE_FI_POINT=sc["point"], SLUICE_FI_HIT=str(sc["hit"]),
                   SLUICE_FI_PROG=sc.get("prog", ""),
                   SLUICE_FI_ONCE=os.path.join(work, "fired"))
        if sc.get("powerloss"):
            # The crash is a power cut for the crashing process: the shim
            # undoes what it had not fsynced (faultinject/shim_power.h).
            env.update(LD_PRELOAD=SHIM, SLUICE_SHIM_POWERLOSS="1",
                       SLUICE_SHIM_LOG=os.path.join(work, "shim.log"),
                       SLUICE_SHIM_PL_STASH=os.path.join(inst_dir, PL_STASH),
                       SLUICE_SHIM_PATH=f"{inst_dir}/queue/:{inst_dir}/mail/")
    elif kind in ("shim", "trace"):
        env.update(LD_PRELOAD=SHIM, SLUICE_SHIM_LOG=os.path.join(work, "shim.log"),
                   SLUICE_SHIM_PATH=f"{inst_dir}/queue/:{inst_dir}/mail/:socket:")
        if kind == "trace":
            env.update(SLUICE_SHIM_CALL="trace", SLUICE_SHIM_TRACE="1",
                       SLUICE_FI_TRACE=os.path.join(work, "fi.trace"))
        else:
            env.update(SLUICE_SHIM_CALL=sc["call"], SLUICE_SHIM_NTH=str(sc["nth"]),
                       SLUICE_SHIM_ERRNO=sc["errno"], SLUICE_SHIM_PROG=sc["prog"],
                       SLUICE_SHIM_ONCE=os.path.join(work, "fired"),
                       SLUICE_SHIM_LOSE="1")
    return env


class Killer(threading.Thread):
    """Outside SIGKILLs of random pipeline processes while the workload runs."""

    def __init__(self, inst, count, seed, log):
        super().__init__(daemon=True)
        self.inst, self.count, self.rng = inst, count, random.Random(seed)
        self.log, self.stop_flag, self.killed = log, threading.Event(), []

    def run(self):
        while len(self.killed) < self.count and not self.stop_flag.is_set():
            time.sleep(self.rng.uniform(0.1, 0.6))
            procs = [p for p in self.inst.status()["processes"]
                     if p["service"] in DAEMONS or p["service"].endswith("smtpd_listen")
                     or ":" in p["service"]]
            if not procs:
                continue
            p = self.rng.choice(procs)
            try:
                os.kill(p["pid"], signal.SIGKILL)
            except ProcessLookupError:
                continue
            prog = "smtpd" if ":" in p["service"] else p["service"]
            self.killed.append(prog)
            with open(self.log, "a") as f:
                f.write(f"kill {prog} {p['pid']} {time.time():.3f}\n")


def queue_count(queue, dirs=("maildrop", "incoming", "active", "deferred")):
    """Messages in dirs; with active/ also those committed in place in
    spare/, which qmgr delivers where they lie."""
    n = len(fi_oracle.committed_in_spare(queue)) if "active" in dirs else 0
    for q in dirs:
        d = os.path.join(queue, q)
        if os.path.isdir(d):
            n += len([f for f in os.listdir(d) if not f.endswith(".part")])
    return n


def quiesce(inst, limit=40.0):
    """Waits until only deferred mail is left, flushes, waits until the
    queue is empty (flushing again now and then). Returns True if empty."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and \
            queue_count(inst.queue, ("maildrop", "incoming", "active")):
        time.sleep(0.2)
    last_flush = 0.0
    while time.monotonic() < deadline:
        if not queue_count(inst.queue):
            time.sleep(0.3)         # let a last delivery settle
            if not queue_count(inst.queue):
                return True
        if time.monotonic() - last_flush > 3:
            inst.sluice("flush", check=False)
            last_flush = time.monotonic()
        time.sleep(0.2)
    return False


def fired_progs(sc, work):
    """The programs the scenario's fault actually hit."""
    if sc["kind"] == "point":
        if not os.path.exists(os.path.join(work, "fired")):
            return []
        if sc.get("prog"):
            return [sc["prog"]]
        prefix = sc["point"].split(".")[0]
        return [POINT_PROG.get(prefix, prefix)]
    if sc["kind"] == "shim":
        return [sc["prog"]] if os.path.exists(os.path.join(work, "fired")) else []
    if sc["kind"] == "kill":
        try:
            with open(os.path.join(work, "kills")) as f:
                return [line.split()[1] for line in f]
        except OSError:
            return []
    return []


def power_loss(work, verdict):
    """What the power cut undid, from the shim log: {"undone": n} and a
    note per change it could not undo or model."""
    undone = 0
    try:
        with open(os.path.join(work, "shim.log")) as f:
            for line in f:
                w = line.split()
                if w[0] == "pl-crash":
                    undone += int(w[3])
                elif w[0] in ("pl-undo-failed", "pl-undo-skipped",
                              "pl-unreachable",
                              "pl-overflow", "pl-unmodelled"):
                    verdict.notes.append("power loss: " + line.strip())
    except OSError:
        pass
    return {"undone": undone, "notes": verdict.notes}


def run_scenario(sc, work_root, bin_dir, keep="failed"):
    """Runs one scenario in a fresh instance; returns its result dict."""
    t0 = time.monotonic()
    work = os.path.join(work_root, sc["name"])
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    open_work_dir(work_root, work)
    os.environ["SLUICE_BIN"] = bin_dir
    available = fi_workload.modes(bin_dir)
    sink_port = free_port()
    sink = fi_sink.Sink(sink_port, os.path.join(work, "sink.jsonl"))
    inst = Instance(main={}, services=services(available), name="fi")
    inst.main.update(main_cf(inst.dir, sink_port))
    inst.write_config()
    for sub in ("mail",):
        os.makedirs(os.path.join(inst.dir, sub), exist_ok=True)
    write_aliases(inst)
    if sc.get("powerloss"):
        os.makedirs(os.path.join(inst.dir, PL_STASH))
        os.chmod(os.path.join(inst.dir, PL_STASH), 0o1777)
    env = fault_env(sc, work, inst.dir)
    os.environ.update(env)
    client_env = dict(os.environ, SLUICE_CONFIG_DIR=inst.etc)
    ledger = fi_ledger.Ledger(os.path.join(work, "ledger.jsonl"))
    client = fi_workload.Client(inst, ledger, client_env, available,
                                sc["name"].replace("/", "_"))
    run_start = time.time()
    result = {"name": sc["name"], "kind": sc["kind"], "dir": work}
    killer = None
    try:
        inst.start()
        if sc["kind"] == "kill":
            killer = Killer(inst, sc["kills"], sc["seed"],
                            os.path.join(work, "kills"))
            killer.start()
        client.run(fi_workload.WORKLOAD)
        if killer:
            killer.stop_flag.set()
            killer.join()
        drained = quiesce(inst)
        first_final = client.count + 1
        client.run(fi_workload.FINAL, final=True)
        final_ids = ["%s-F%02d" % (client.tag, i)
                     for i in range(first_final, client.count + 1)]
        drained = quiesce(inst, 30.0) and drained
        progs = fired_progs(sc, work)
        verdict = fi_oracle.check(
            inst.dir, ledger, sink.messages(), progs, final_ids, run_start)
        if not drained:
            verdict.notes.append("queue not empty at the end")
        if sc.get("powerloss"):
            result.update(power_loss(work, verdict))
        result.update(outcome=verdict.outcome, fired=bool(progs), progs=progs,
                      failures=verdict.failures, windows=sorted(verdict.windows),
                      notes=verdict.notes)
        if sc["kind"] != "kill" and sc["kind"] not in ("none", "trace") \
                and not progs and not verdict.failures:
            result["outcome"] = "not-reached"
    except Exception as e:          # an explorer error is a failed scenario
        result.update(outcome="FAILED", fired=False, progs=[], windows=[],
                      notes=[], failures=[f"explorer: {e!r}"])
    finally:
        if killer:
            killer.stop_flag.set()
        for k in env:
            os.environ.pop(k, None)
        log = inst.log()
        with open(os.path.join(work, "sluice.log"), "w") as f:
            f.write(log)
        os.environ["SLUICE_KEEP"] = "1" if (result.get("outcome") == "FAILED"
                                            and keep == "failed") else ""
        if not os.environ["SLUICE_KEEP"]:
            del os.environ["SLUICE_KEEP"]
        inst.close()
        sink.stop()
        if result.get("outcome") == "FAILED":
            result["instance"] = inst.dir
    result["seconds"] = round(time.monotonic() - t0, 1)
    return result
