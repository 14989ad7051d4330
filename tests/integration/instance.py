"""instance.py - a throw-away Sluice instance for integration tests.

    with Instance(main={"max_idle": "2s"},
                  services=["probe unix n - n - 2 probe"]) as inst:
        inst.start()
        print(inst.talk_unix("probe", "hello"))
        inst.wait_for_log(r"probe: trigger", timeout=5)

An instance lives in a temporary directory: etc/ (main.cf, master.cf),
queue/, log/sluice.log, mail/. Programs come from $SLUICE_BIN (the plain or
sanitized build), else ./bin. main.cf gets free loopback ports
(smtpd_listen, and inst.port(name) for more); `main` overrides or adds
main.cf lines; `services` replaces the master.cf lines. Every wait is
bounded and raises AssertionError with the log tail when the time is up.
The context manager stops master (SIGKILL as a last resort) and removes the
directory unless SLUICE_KEEP is set.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))


def free_port():
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout=10.0, step=0.05, what="condition"):
    """Polls predicate() until it returns a true value; returns that value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(step)


class Instance:
    def __init__(self, main=None, services=None, name="sluice"):
        self.bin = os.path.abspath(os.environ.get("SLUICE_BIN",
                                                  os.path.join(TOP, "bin")))
        self.dir = tempfile.mkdtemp(prefix=f"{name}-")
        self.etc = os.path.join(self.dir, "etc")
        self.queue = os.path.join(self.dir, "queue")
        self.logfile = os.path.join(self.dir, "log", "sluice.log")
        for sub in ("etc", "queue", "log", "mail"):
            os.makedirs(os.path.join(self.dir, sub), exist_ok=True)
        self.ports = {"smtpd_listen": free_port()}
        self.main = {
            "queue_directory": self.queue,
            "daemon_directory": self.bin,
            "maillog_file": self.logfile,
            "mail_owner": "",
            "myhostname": "test.example",
            "inet_interfaces": "loopback-only",
            "smtpd_listen": f"127.0.0.1:{self.ports['smtpd_listen']}",
            "service_throttle_time": "2s",
            "master_stop_timeout": "5s",
        }
        self.main.update(main or {})
        self.services = list(services or [])
        self.write_config()

    # ---- configuration ----------------------------------------------------

    def port(self, name):
        """A free port remembered under name (for extra inet services)."""
        if name not in self.ports:
            self.ports[name] = free_port()
        return self.ports[name]

    def write_config(self):
        with open(os.path.join(self.etc, "main.cf"), "w") as f:
            for key, value in self.main.items():
                f.write(f"{key} = {value}\n")
        with open(os.path.join(self.etc, "master.cf"), "w") as f:
            f.write("# written by tests/integration/instance.py\n")
            for line in self.services:
                f.write(line + "\n")

    def set_services(self, services):
        """Replaces master.cf (call reload() to apply)."""
        self.services = list(services)
        self.write_config()

    # ---- running ------------------------------------------------------------

    def sluice(self, *args, check=True, timeout=30):
        """Runs bin/sluice -c etc ARGS; returns the CompletedProcess."""
        proc = subprocess.run([os.path.join(self.bin, "sluice"), "-c", self.etc,
                               *args], capture_output=True, text=True,
                              timeout=timeout)
        if check and proc.returncode != 0:
            raise AssertionError(f"sluice {' '.join(args)}: {proc.returncode}"
                                 f"\n{proc.stdout}{proc.stderr}\n{self.log_tail()}")
        return proc

    def start(self):
        self.sluice("start")
        return self

    def stop(self):
        return self.sluice("stop")

    def reload(self):
        mark = self.log_offset()
        self.sluice("reload")
        self.wait_for_log(r"reload: reading", after=mark)
        return self

    def master_pid(self):
        try:
            with open(os.path.join(self.queue, "pid", "master.status")) as f:
                return int(f.readline().split()[1])
        except (OSError, ValueError, IndexError):
            return None

    def running(self):
        return self.sluice("status", check=False).returncode == 0

    def status(self):
        """master's status file: {"services": {name: {...}}, "processes": [...]}"""
        out = {"services": {}, "processes": []}
        try:
            with open(os.path.join(self.queue, "pid", "master.status")) as f:
                lines = f.read().splitlines()
        except OSError:
            return out
        for line in lines:
            w = line.split()
            if w and w[0] == "service":
                out["services"][w[1]] = {"type": w[2], "limit": int(w[4]),
                                         "processes": int(w[6]),
                                         "idle": int(w[8]),
                                         "throttled": int(w[10])}
            elif w and w[0] == "process":
                out["processes"].append({"pid": int(w[1]), "service": w[2],
                                         "state": w[3]})
        return out

    def pids(self, service):
        return [p["pid"] for p in self.status()["processes"]
                if p["service"] == service]

    def kill_service(self, service, sig=signal.SIGKILL):
        """Sends sig to every process of service; returns their pids."""
        pids = self.pids(service)
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        return pids

    # ---- talking to services ------------------------------------------------

    def socket_path(self, name, public=True):
        return os.path.join(self.queue, "public" if public else "private", name)

    def talk_unix(self, name, line, public=True, timeout=10):
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(timeout)
        s.connect(self.socket_path(name, public))
        return self._exchange(s, line)

    def talk_inet(self, port, line, timeout=10):
        s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        return self._exchange(s, line)

    @staticmethod
    def _exchange(s, line):
        with s:
            s.sendall(line.encode() + b"\n")
            data = b""
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    return data.decode()
                data += chunk

    # ---- the log ------------------------------------------------------------

    def log(self):
        try:
            with open(self.logfile, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def log_offset(self):
        return len(self.log())

    def log_tail(self, n=30):
        return "--- log tail ---\n" + "\n".join(self.log().splitlines()[-n:])

    def wait_for_log(self, pattern, timeout=10, after=0, count=1):
        """Waits until pattern matched count times in the log after offset
        `after`; returns the list of matches."""
        rx = re.compile(pattern)

        def found():
            hits = list(rx.finditer(self.log()[after:]))
            return hits if len(hits) >= count else None
        try:
            return wait_until(found, timeout, what=f"log line /{pattern}/")
        except AssertionError as e:
            raise AssertionError(f"{e}\n{self.log_tail()}") from None

    # ---- clean-up -----------------------------------------------------------

    def close(self, remove=True):
        """Stops the instance; its directory goes too unless remove is
        False (or SLUICE_KEEP is set)."""
        pid = self.master_pid()
        if pid and self.running():
            try:
                self.sluice("stop", check=False, timeout=20)
            except subprocess.TimeoutExpired:
                pass
        pid = self.master_pid()
        if pid:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if remove and not os.environ.get("SLUICE_KEEP"):
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
