"""mta.py - the two systems under test, behind one small interface.

    mta = Postfix(workdir, sink_port, opts)   # or Sluice(...)
    ok, why = mta.available()
    mta.setup(); mta.start(); ... mta.port ... mta.master_pid()
    mta.stop(); mta.cleanup()

Both are configured alike: SMTP server on a free loopback port, every
non-local domain relayed to [127.0.0.1]:sink_port (relayhost), "localhost"
delivered by the local agent into ~/Maildir/ of the bench user, no aliases,
no TLS, one shared message_size_limit and default_process_limit, logging to
a file in the instance. Both keep their defaults for durability: each
fsyncs a queue file before it answers 250 to DATA, and the local agent
fsyncs a Maildir file before it reports success.

Postfix comes from tools/postfix-local.sh (the Debian package unpacked into
bench/out/postfix, never installed system-wide); Sluice from ./bin through
tests/integration/instance.py.
"""
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(TOP, "tests", "integration"))
from instance import Instance, free_port, wait_until  # noqa: E402

POSTFIX_LOCAL = os.path.join(TOP, "tools", "postfix-local.sh")

# When set, cleanup() moves an instance's directory in here instead of
# deleting it (bench.py empties it after the timed runs): on this ext4
# without a journal, thousands of files deleted between two runs make
# every file the next run creates in that block group walk the freed
# inodes for a minute or five (recently_deleted() in the allocator),
# the harness's cleanup charged to whichever system creates files.
TRASH = None

# Every deletion the harness makes is stamped here (after a sync), so
# that the next bench can wait until the inodes it freed are old enough
# not to be walked (bench.settle): 60 s after their inode table block
# was written, 360 s while it is dirty (fs/ext4/ialloc.c, RECENTCY_MIN
# and RECENTCY_DIRTY).
DELETED_STAMP = os.path.join(TOP, "bench", "out", ".deleted")
# How old the last deletion must be before timed runs (RECENTCY_DIRTY).
SETTLE_S = 360


def forget(path):
    """Deletes a tree, syncs, and stamps DELETED_STAMP."""
    shutil.rmtree(path, ignore_errors=True)
    os.sync()
    os.makedirs(os.path.dirname(DELETED_STAMP), exist_ok=True)
    with open(DELETED_STAMP, "w") as f:
        f.write(f"{path}\n")


def discard(path):
    """Moves path into TRASH when set (and on the same file system),
    otherwise deletes it."""
    if TRASH:
        try:
            os.makedirs(TRASH, exist_ok=True)
            os.rename(path, os.path.join(TRASH, str(time.monotonic_ns())))
            return
        except OSError:
            pass
    forget(path)


def postfix_prefix():
    """Unpacks Postfix once (idempotent); returns its prefix."""
    out = subprocess.run(["sh", POSTFIX_LOCAL, "install"], check=True,
                         capture_output=True, text=True).stdout
    return out.strip().splitlines()[-1]


def postfix_env(prefix):
    env = dict(os.environ)
    env["LD_LIBRARY_PATH"] = os.path.join(prefix, "root/usr/lib/postfix")
    return env


def common_main(opts, sink_port):
    """main.cf settings both systems share (names exist in both)."""
    return {
        "relayhost": f"[127.0.0.1]:{sink_port}",
        "mydestination": "localhost",
        "mynetworks": "127.0.0.0/8",
        "home_mailbox": "Maildir/",
        "alias_maps": "",
        "message_size_limit": str(opts.get("message_size_limit", 20971520)),
        "default_process_limit": str(opts.get("process_limit", 100)),
        "smtp_tls_security_level": "none",
        # a deferred message is not tried again while we measure
        "minimal_backoff_time": "3600s",
        "maximal_backoff_time": "7200s",
        "queue_run_delay": "3600s",
    }


class Postfix:
    name = "postfix"

    def __init__(self, workdir, sink_port, opts=None):
        self.opts = opts or {}
        self.dir = os.path.join(workdir, "postfix")
        self.sink_port = sink_port
        self.port = free_port()
        self.prefix = None

    def available(self):
        if os.geteuid() != 0:
            return False, "postfix: needs root (master starts as root)"
        try:
            self.prefix = postfix_prefix()
        except subprocess.CalledProcessError as e:
            return False, f"postfix: {POSTFIX_LOCAL} failed: {e.stderr.strip()}"
        return True, ""

    def setup(self, extra=None):
        shutil.rmtree(self.dir, ignore_errors=True)
        main = common_main(self.opts, self.sink_port)
        main.update(extra or {})
        args = [f"listen=127.0.0.1:{self.port}"]
        args += [f"{k}={v}" for k, v in main.items()]
        subprocess.run(["sh", POSTFIX_LOCAL, "instance", self.dir, *args],
                       check=True, capture_output=True)

    def start(self):
        subprocess.run(["sh", POSTFIX_LOCAL, "start", self.dir], check=True,
                       capture_output=True)
        wait_until(self.master_pid, 20, what="postfix master pid")
        wait_until(self._listening, 20, what="postfix smtpd port")

    def _listening(self):
        import socket
        try:
            with socket.create_connection(("127.0.0.1", self.port), 1) as s:
                s.recv(100)
            return True
        except OSError:
            return False

    def master_pid(self):
        try:
            with open(os.path.join(self.dir, "queue/pid/master.pid")) as f:
                pid = int(f.read().split()[0])
            os.kill(pid, 0)
            return pid
        except (OSError, ValueError, IndexError):
            return None

    def stop(self):
        pid = self.master_pid()
        subprocess.run(["sh", POSTFIX_LOCAL, "stop", self.dir],
                       capture_output=True, timeout=60)
        if pid:
            try:
                wait_until(lambda: not os.path.exists(f"/proc/{pid}"), 20,
                           what="postfix master exit")
            except AssertionError:
                os.kill(pid, 9)

    @staticmethod
    def table_ref(path):
        """How main.cf names a text lookup table."""
        return f"texthash:{path}"

    def queue_count(self, sub):
        n = 0
        for _, _, files in os.walk(os.path.join(self.dir, "queue", sub)):
            n += len(files)
        return n

    def cleanup(self):
        if not os.environ.get("BENCH_KEEP") and os.path.exists(self.dir):
            discard(self.dir)


# Programs the relay and local-delivery runs need from Sluice.
SLUICE_NEEDS = ["master", "sluice", "smtpd", "cleanup", "qmgr", "resolve",
                "smtp", "local", "bounce"]
SERVICE_TYPES = ("inet", "unix", "fifo", "pass", "unix-dgram")


def sluice_services(bindir, master_cf=os.path.join(TOP, "conf", "master.cf")):
    """The pipeline's lines of conf/master.cf (commented out or not) whose
    program exists in bindir; the diagnostic probe is left out."""
    out = []
    with open(master_cf) as f:
        for line in f:
            text = line.strip().lstrip("#").strip()
            w = text.split()
            if len(w) < 8 or w[1] not in SERVICE_TYPES or w[7] == "probe":
                continue
            if os.access(os.path.join(bindir, w[7]), os.X_OK):
                out.append(text)
    return out


class Sluice:
    name = "sluice"

    def __init__(self, workdir, sink_port, opts=None):
        self.opts = opts or {}
        self.bin = os.path.abspath(os.environ.get("SLUICE_BIN",
                                                  os.path.join(TOP, "bin")))
        self.sink_port = sink_port
        self.inst = None
        self.port = None

    def available(self):
        missing = [p for p in SLUICE_NEEDS
                   if not os.access(os.path.join(self.bin, p), os.X_OK)]
        if missing:
            return False, ("sluice: pipeline incomplete (missing " +
                           " ".join("bin/" + p for p in missing) + ")")
        return True, ""

    def setup(self, extra=None):
        if self.inst:
            self.inst.close()
        main = common_main(self.opts, self.sink_port)
        main["max_idle"] = "100s"
        main.update(self.opts.get("main", {}))
        main.update(extra or {})
        services = sluice_services(self.bin)
        self.inst = Instance(main=main, services=services, name="sluice-bench")
        self.port = self.inst.ports["smtpd_listen"]

    def start(self):
        self.inst.start()
        wait_until(self.inst.master_pid, 20, what="sluice master pid")
        wait_until(lambda: Postfix._listening(self), 20,
                   what="sluice smtpd port")

    def master_pid(self):
        return self.inst.master_pid() if self.inst else None

    def stop(self):
        if self.inst:
            try:
                self.inst.sluice("stop", check=False, timeout=60)
            except subprocess.TimeoutExpired:
                pass

    @staticmethod
    def table_ref(path):
        return path

    def queue_count(self, sub):
        n = 0
        for _, _, files in os.walk(os.path.join(self.inst.queue, sub)):
            n += len(files)
        return n

    def cleanup(self):
        if self.inst:
            keep = os.environ.get("SLUICE_KEEP")
            self.inst.close(remove=False)
            if not keep:
                discard(self.inst.dir)
            self.inst = None


def wait_gone(pid, timeout=20):
    deadline = time.monotonic() + timeout
    while os.path.exists(f"/proc/{pid}") and time.monotonic() < deadline:
        time.sleep(0.05)
