"""test_master.py - master and the server skeletons, through the probe
daemon: on-demand start, process limit, max_use, max_idle, restart after
SIGKILL, throttling, wakeups, SIGHUP reload, SIGTERM stop, a second master
refused, and "sluice config". Every wait is bounded (instance.py).
"""
import os
import re
import signal
import subprocess
import threading
import time
import unittest

from instance import Instance, wait_until

PROBE = "probe unix n - n - 2 probe"


def reply_pid(reply):
    m = re.match(r"probe (\d+) (\d+) (\S+): (.*)", reply)
    assert m, f"unexpected reply {reply!r}"
    return int(m.group(1)), int(m.group(2))


def alive(pid):
    """True while pid runs (a zombie waiting for its parent does not)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


class MasterTest(unittest.TestCase):
    def instance(self, services=(PROBE,), **main):
        inst = Instance(main=main, services=list(services))
        self.addCleanup(inst.close)
        return inst.start()

    def test_on_demand_start_and_reply(self):
        inst = self.instance()
        self.assertEqual(inst.pids("probe"), [])
        pid, count = reply_pid(inst.talk_unix("probe", "hello"))
        self.assertEqual(count, 1)
        wait_until(lambda: inst.pids("probe") == [pid], 5, what="status file")
        self.assertIn("probe", inst.sluice("status").stdout)

    def test_inet_service(self):
        inst = Instance(services=["$smtpd_listen inet n - n - - probe"])
        self.addCleanup(inst.close)
        inst.start()
        reply = inst.talk_inet(inst.ports["smtpd_listen"], "over tcp")
        self.assertTrue(reply.endswith(": over tcp\n"), reply)

    def test_process_limit(self):
        inst = self.instance()
        replies, peak = [], [0]

        def client():
            replies.append(inst.talk_unix("probe", "sleep 1", timeout=15))
        threads = [threading.Thread(target=client) for _ in range(4)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 15
        while any(t.is_alive() for t in threads) and time.monotonic() < deadline:
            peak[0] = max(peak[0], len(inst.pids("probe")))
            time.sleep(0.05)
        for t in threads:
            t.join(1)
        self.assertEqual(len(replies), 4)
        self.assertEqual(peak[0], 2)
        self.assertEqual(len({reply_pid(r)[0] for r in replies}), 2)

    def test_max_use_replaces_process(self):
        inst = self.instance(["probe unix n - n - 1 probe -o max_use=3"])
        pids = [reply_pid(inst.talk_unix("probe", str(i)))
                for i in range(7)]
        self.assertEqual([c for _, c in pids], [1, 2, 3, 1, 2, 3, 1])
        self.assertEqual(len({p for p, _ in pids}), 3)

    def test_max_idle_retires_process(self):
        inst = self.instance(max_idle="1s")
        pid, _ = reply_pid(inst.talk_unix("probe", "x"))
        wait_until(lambda: not alive(pid) and inst.pids("probe") == [], 6,
                   what="idle process to exit")
        pid2, count = reply_pid(inst.talk_unix("probe", "again"))
        self.assertNotEqual(pid, pid2)
        self.assertEqual(count, 1)

    def test_restart_after_sigkill(self):
        inst = self.instance()
        pid, _ = reply_pid(inst.talk_unix("probe", "x"))
        wait_until(lambda: inst.pids("probe") == [pid], 5, what="status")
        self.assertEqual(inst.kill_service("probe"), [pid])
        inst.wait_for_log(rf"process {pid} killed by signal 9")
        pid2, _ = reply_pid(inst.talk_unix("probe", "y"))
        self.assertNotEqual(pid, pid2)
        self.assertNotIn("not starting it again", inst.log())

    def test_throttle_service_dying_at_start(self):
        inst = self.instance(["bad unix n - n - - probe fail",
                              "gone unix n - n - - no-such-program",
                              PROBE])
        for name in ("bad", "gone"):
            s = __import__("socket").socket(__import__("socket").AF_UNIX)
            s.connect(inst.socket_path(name))
            self.addCleanup(s.close)
        inst.wait_for_log(r"service bad: process died before it was ready; "
                          r"not starting it again for 2 seconds")
        inst.wait_for_log(r"service gone: cannot execute .*no-such-program")
        time.sleep(3)
        starts = len(re.findall(r"configured to fail at start", inst.log()))
        self.assertGreaterEqual(starts, 2)   # retried after the back-off
        self.assertLessEqual(starts, 3)      # but no tight loop
        self.assertEqual(inst.status()["services"]["bad"]["processes"], 0)
        reply_pid(inst.talk_unix("probe", "others still served"))

    def test_wakeup_trigger_and_event_server(self):
        inst = self.instance(["trig fifo n - n 1 - probe trigger",
                              "tick unix n - n 1 1 probe event"])
        inst.wait_for_log(r"probe: trigger trig: W", count=2, timeout=6)
        inst.wait_for_log(r"probe: trigger tick: W", count=2, timeout=6)
        inst.wait_for_log(r"probe: tick \d+", count=2, timeout=6)
        self.assertEqual(len(inst.pids("tick")), 1)
        with open(inst.socket_path("trig"), "w") as f:
            f.write("hello")
        inst.wait_for_log(r"probe: trigger trig: hello")

    def test_reload_adds_removes_changes(self):
        inst = self.instance([PROBE, "old unix n - n - - probe"])
        reply_pid(inst.talk_unix("old", "x"))
        busy = []
        t = threading.Thread(target=lambda: busy.append(
            inst.talk_unix("probe", "sleep 2", timeout=15)))
        t.start()
        wait_until(lambda: any(p["state"] == "busy"
                               for p in inst.status()["processes"]), 5,
                   what="a busy process")
        inst.set_services(["probe unix n - n - 3 probe",
                           "new unix n - n - - probe"])
        inst.reload()
        inst.wait_for_log(r"service new \(unix\): listening")
        t.join(15)
        self.assertEqual(len(busy), 1, "a busy child finished its request")
        self.assertTrue(busy[0].endswith(": sleep 2\n"))
        self.assertFalse(os.path.exists(inst.socket_path("old")))
        reply_pid(inst.talk_unix("new", "y"))
        services = inst.status()["services"]
        self.assertEqual(services["probe"]["limit"], 3)
        self.assertNotIn("old", services)

    def test_reload_with_broken_table_keeps_services(self):
        inst = self.instance()
        inst.set_services(["probe unix n - n - nonsense probe"])
        mark = inst.log_offset()
        inst.reload()
        inst.wait_for_log(r"master\.cf:2: limit must be a number", after=mark)
        reply_pid(inst.talk_unix("probe", "still here"))

    def test_stop_terminates_children(self):
        inst = self.instance()
        pid, _ = reply_pid(inst.talk_unix("probe", "x"))
        master = inst.master_pid()
        out = inst.stop()
        self.assertIn("stopped", out.stdout)
        self.assertFalse(alive(master))
        wait_until(lambda: not alive(pid), 5, what="child to exit")
        self.assertEqual(inst.sluice("status", check=False).returncode, 3)
        inst.wait_for_log(r"master\[\d+\]: stopped")

    def test_second_master_refused(self):
        inst = self.instance()
        again = subprocess.run([os.path.join(inst.bin, "master"), "-c",
                                inst.etc], capture_output=True, text=True,
                               timeout=10)
        self.assertNotEqual(again.returncode, 0)
        self.assertIn(f"already running (pid {inst.master_pid()})", again.stderr)
        self.assertEqual(inst.sluice("start", check=False).returncode, 1)

    def test_bad_master_cf_refused_at_start(self):
        inst = Instance(services=["probe tcp n - n - - probe"])
        self.addCleanup(inst.close)
        out = inst.sluice("start", check=False)
        self.assertEqual(out.returncode, 1)
        check = subprocess.run([os.path.join(inst.bin, "master"), "-c",
                                inst.etc, "-t"], capture_output=True,
                               text=True, timeout=10)
        self.assertIn("master.cf:2: type must be inet, unix or fifo",
                      check.stderr)

    @unittest.skipUnless(os.geteuid() == 0, "needs root")
    def test_root_children_drop_privileges_and_chroot(self):
        inst = self.instance(["probe unix n y y - 2 probe"],
                             mail_owner="nobody")
        pid, _ = reply_pid(inst.talk_unix("probe", "x"))
        with open(f"/proc/{pid}/status") as f:
            status = dict(l.split(":", 1) for l in f.read().splitlines())
        self.assertEqual(status["Uid"].split()[0], "65534")
        self.assertEqual(status["Groups"].split(), ["65534"])
        self.assertEqual(os.readlink(f"/proc/{pid}/root"), inst.queue)

    def test_sluice_config_provenance(self):
        inst = Instance(main={"max_use": "7"})
        self.addCleanup(inst.close)
        out = inst.sluice("-o", "max_idle=9s", "config", "max_use",
                          "max_idle", "message_size_limit").stdout
        self.assertRegex(out, r"max_use = 7  # main\.cf:\d+\n")
        self.assertIn("max_idle = 9s  # -o\n", out)
        self.assertIn("message_size_limit = 10240000  # default\n", out)


if __name__ == "__main__":
    unittest.main()
