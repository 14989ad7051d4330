"""test_qmgr.py - qmgr under master with a fake delivery agent and a fake
bounce daemon (fake_agent.py, real processes on private/local and
private/bounce): delivery and removal, arrivals past the active limit
(names from inotify, then a scan), deferral with back-off and flush,
failure with a DSN before "done", an agent killed mid-request, qmgr killed
with files in active/, queue lifetime expiry, the delay warning, the null
sender, and the queue tools of bin/sluice. Every wait is bounded.
"""
import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import time
import unittest

from instance import Instance, wait_until
import fake_agent
from fake_agent import (write_queue_file, attr_records, queue_file_bytes,
                        new_queue_id, sealed)

HERE = os.path.dirname(os.path.abspath(__file__))
QMGR = "qmgr unix - - n 60 1 qmgr"


class QueueInstance:
    """An instance running master + qmgr, with fake local and bounce."""

    def __init__(self, test, main=None, bounce_refuse=False, slow=3.0):
        conf = {"queue_run_delay": "1s", "minimal_backoff_time": "2s",
                "maximal_backoff_time": "4s", "delay_warning_time": "0",
                "mydestination": "test.example, localhost",
                "queue_spare_reserve": "8"}
        conf.update(main or {})
        self.inst = Instance(main=conf, services=[QMGR])
        test.addCleanup(self.close)
        self.queue = self.inst.queue
        self.ledger = os.path.join(self.inst.dir, "ledger")
        open(self.ledger, "w").close()
        self.agents = {}
        os.makedirs(os.path.join(self.queue, "private"), exist_ok=True)
        self.start_agent("local", slow=slow)
        self.start_agent("bounce", bounce=True, refuse=bounce_refuse)

    def start_agent(self, name, bounce=False, refuse=False, slow=3.0):
        path = os.path.join(self.queue, "private", name)
        args = [sys.executable, os.path.join(HERE, "fake_agent.py"), path,
                self.ledger, "--slow", str(slow)]
        if bounce:
            args += ["--bounce", self.queue]
        if refuse:
            args += ["--refuse"]
        if os.path.exists(path):
            os.unlink(path)
        proc = subprocess.Popen(args)
        self.agents[name] = proc
        wait_until(lambda: os.path.exists(path), 5, what=f"{name} socket")
        return proc

    def kill_agent(self, name):
        proc = self.agents.pop(name)
        proc.kill()
        proc.wait()

    def start(self):
        self.inst.start()
        return self

    def close(self):
        for proc in self.agents.values():
            proc.kill()
            proc.wait()
        self.agents = {}
        self.inst.close()

    def submit(self, rcpts, sender="sender@test.example", trigger=True, **kw):
        qid = write_queue_file(self.queue, sender, rcpts, **kw)
        if trigger:
            self.trigger(b"A")
        return qid

    def trigger(self, byte):
        s = socket.socket(socket.AF_UNIX)
        s.connect(os.path.join(self.queue, "private", "qmgr"))
        s.sendall(byte)
        s.close()

    def ledger_lines(self):
        with open(self.ledger) as f:
            return [line.split() for line in f.read().splitlines()]

    def actions(self, qid, action):
        return [w[1] for w in self.ledger_lines()
                if w[0] == qid and len(w) == 3 and w[2] == action]

    def bounces(self, qid):
        return [w for w in self.ledger_lines()
                if w[0] == qid and len(w) > 1 and w[1] == "bounce"]

    def where(self, qid):
        for q in ("incoming", "active", "deferred", "hold", "corrupt"):
            if os.path.exists(os.path.join(self.queue, q, qid)):
                return q
        return None

    def wait_where(self, qid, queue, timeout=10):
        wait_until(lambda: self.where(qid) == queue, timeout,
                   what=f"{qid} in {queue}")

    def wait_log(self, pattern, timeout=10, **kw):
        return self.inst.wait_for_log(pattern, timeout=timeout, **kw)


def spares(spare):
    """The spare files' names (not the .synced stamp)."""
    return [n for n in os.listdir(spare) if not n.startswith(".")]


class QmgrDeliveryTest(unittest.TestCase):
    def test_spare_reserve_at_start(self):
        """qmgr fills spare/ with files of one zeroed block at start, up to
        the reserve but never past queue_spare_limit; a finished message's
        file is kept there too."""
        q = QueueInstance(self, main={"queue_spare_reserve": "40",
                                      "queue_spare_limit": "25"}).start()
        q.wait_log(r"spare: 25 queue files made ready")
        spare = os.path.join(q.queue, "spare")
        names = spares(spare)
        self.assertEqual(len(names), 25)
        for n in names:
            with open(os.path.join(spare, n), "rb") as f:
                self.assertEqual(f.read(), bytes(4096))
        # the time of the fsync that made them durable (queue_spare.h)
        self.assertTrue(os.path.exists(os.path.join(spare, ".synced")))
        q.inst.stop()
        q.inst.start()
        qid = q.submit(["ok-a@test.example"])
        q.wait_log(qid + r": removed")
        self.assertEqual(len(spares(spare)), 25)  # full: unlinked
        self.assertEqual(q.inst.log().count("queue files made ready"), 1)

    def test_spare_hand_off_locked_then_retried(self):
        """A message committed in place whose spare file another process
        holds locked when qmgr is told its name (a cleanup sampling spare/
        for a file to reuse) is tried again on a timer once the lock is
        gone, not left for the next queue run (an hour here)."""
        q = QueueInstance(self, main={"queue_run_delay": "3600s"}).start()
        q.wait_log(r"spare: \d+ queue files made ready")
        name = "0000000100001000001000F"
        qid = new_queue_id()
        data = sealed(queue_file_bytes("s@test.example", ["ok-a@test.example"],
                                       b"Subject: t\n\nhi\n"), qid)
        path = os.path.join(q.queue, "spare", name)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.write(fd, data)
            os.fsync(fd)
            q.trigger(b"S" + name.encode())
            q.wait_log(r"spare/%s: locked by another process \(tried again "
                       r"shortly\)" % name)
            time.sleep(0.5)                # retries meanwhile, all locked
            self.assertEqual(q.actions(qid, "delivered"), [])
            self.assertTrue(os.path.exists(path))
        finally:
            os.close(fd)                   # the taker lets go
        q.wait_log(qid + r": to=<ok-a@test\.example>.*status=sent", timeout=10)
        self.assertEqual(q.actions(qid, "delivered"), ["ok-a@test.example"])
        self.assertRegex(q.inst.log(), r"spare: 1 message\(s\) claimed on a "
                         r"retry")
        self.assertNotIn("next queue run", q.inst.log())

    def test_delivered_then_removed(self):
        q = QueueInstance(self).start()
        qid = q.submit(["ok-a@test.example", "ok-b@localhost"])
        q.wait_log(qid + r": removed")
        self.assertEqual(sorted(q.actions(qid, "delivered")),
                         ["ok-a@test.example", "ok-b@localhost"])
        self.assertIsNone(q.where(qid))
        log = q.inst.log()
        self.assertRegex(log, qid + r": to=<ok-a@test.example>, relay=local, "
                         r"delay=\d+\.\d\d, status=sent \(delivered to maildir\)")
        for d in ("defer", "bounce"):
            self.assertFalse(os.path.exists(os.path.join(q.queue, d, qid)))

    def test_arrivals_past_the_active_limit(self):
        """Arrivals come by the names inotify reports; when active/ is full
        the names that do not fit are dropped and incoming/ is read once
        there is room. With no periodic run to fall back on (one hour),
        every message of a burst four times the limit is delivered."""
        q = QueueInstance(self, main={"qmgr_message_active_limit": "3",
                                      "queue_run_delay": "3600s"},
                          slow=0.2).start()
        q.wait_log(r"spare: \d+ queue files made ready")
        qids = [q.submit(["slow-%d@test.example" % i]) for i in range(12)]
        for qid in qids:
            q.wait_log(qid + r": removed", timeout=20)
        self.assertEqual(os.listdir(os.path.join(q.queue, "incoming")), [])
        self.assertEqual(os.listdir(os.path.join(q.queue, "active")), [])

    def test_batches_to_one_mailbox(self):
        """Messages waiting for one local recipient go to the agent
        together, at most local_delivery_batch_limit in one connection,
        each answered in order and delivered once; at limit 1 every
        connection carries one."""
        for limit, want_batches in (("4", True), ("1", False)):
            q = QueueInstance(self, main={
                "local_delivery_batch_limit": limit}, slow=0.3).start()
            qids = [q.submit(["slow-same@test.example"]) for _ in range(10)]
            for qid in qids:
                q.wait_log(qid + r": removed", timeout=30)
            for qid in qids:
                self.assertEqual(q.actions(qid, "delivered"),
                                 ["slow-same@test.example"])
            sizes = [int(w[1]) for w in q.ledger_lines() if w[0] == "batch"]
            self.assertTrue(all(2 <= n <= 4 for n in sizes), sizes)
            self.assertEqual(bool(sizes), want_batches, sizes)
            q.close()

    def test_deferred_backoff_then_flush(self):
        q = QueueInstance(self, main={"minimal_backoff_time": "60s",
                                      "maximal_backoff_time": "120s"}).start()
        qid = q.submit(["defer-a@test.example", "ok-b@test.example"])
        q.wait_where(qid, "deferred")
        self.assertEqual(q.actions(qid, "delivered"), ["ok-b@test.example"])
        st = os.stat(os.path.join(q.queue, "deferred", qid))
        self.assertGreater(st.st_mtime, time.time() + 50)   # next try time
        recs = attr_records(os.path.join(q.queue, "defer", qid))
        self.assertEqual([r["rcpt"] for r in recs], ["defer-a@test.example"])
        self.assertEqual(recs[0]["dsn_action"], "deferred")
        q.wait_log(qid + r": to=<defer-a@test.example>.*status=deferred "
                   r"\(4.2.0 mailbox busy\)")
        mark = q.inst.log_offset()
        time.sleep(2)                     # wakeups do not touch it early
        self.assertEqual(q.where(qid), "deferred")
        q.inst.sluice("flush")
        q.wait_log(qid + r": to=<defer-a@test.example>.*status=deferred",
                   after=mark)
        q.wait_where(qid, "deferred")
        self.assertEqual(q.actions(qid, "deferred"),
                         ["defer-a@test.example"] * 2)
        self.assertEqual(q.actions(qid, "delivered"), ["ok-b@test.example"])

    def test_backoff_retry_by_wakeup(self):
        q = QueueInstance(self).start()     # back-off 2s..4s, run every 1s
        qid = q.submit(["defer-a@test.example"])
        q.wait_where(qid, "deferred")
        wait_until(lambda: len(q.actions(qid, "deferred")) >= 2, 10,
                   what="second try")

    def test_failed_bounce_before_done(self):
        q = QueueInstance(self).start()
        qid = q.submit(["fail-a@test.example", "ok-b@test.example"])
        q.wait_log(qid + r": removed")
        b = q.bounces(qid)
        self.assertEqual(len(b), 1)
        self.assertEqual(b[0][2:], ["failed", "fail-a@test.example:5.1.1"])
        log = q.inst.log()
        self.assertIn(qid + ": sender non-delivery notification: DSN", log)
        self.assertRegex(log, qid + r": to=<fail-a@test.example>.*"
                         r"status=bounced \(5.1.1 no such user\)")
        self.assertFalse(os.path.exists(os.path.join(q.queue, "bounce", qid)))

    def test_bounce_refused_keeps_recipient(self):
        q = QueueInstance(self, bounce_refuse=True).start()
        qid = q.submit(["fail-a@test.example"])
        q.wait_where(qid, "deferred")
        self.assertEqual(len(q.bounces(qid)), 1)
        out = q.inst.sluice("show", qid).stdout
        self.assertIn("recipient: fail-a@test.example\n", out)  # not done

    def test_null_sender_gets_no_dsn(self):
        q = QueueInstance(self).start()
        qid = q.submit(["fail-a@test.example"], sender="")
        q.wait_log(qid + r": removed")
        self.assertEqual(q.bounces(qid), [])
        self.assertIn(qid + ": null sender: no notification", q.inst.log())

    def test_unroutable_recipient_fails_without_agent(self):
        q = QueueInstance(self).start()
        qid = q.submit(["ok-a@test.example", "bad@@x"])
        q.wait_log(qid + r": removed")
        self.assertEqual(q.actions(qid, "delivered"), ["ok-a@test.example"])
        self.assertEqual(q.bounces(qid)[0][3:], ["bad@@x:5.1.3"])

    def test_agent_killed_mid_request(self):
        q = QueueInstance(self, slow=30).start()
        qid = q.submit(["slow-a@test.example"])
        wait_until(lambda: q.actions(qid, "started"), 10, what="request")
        q.kill_agent("local")
        q.wait_where(qid, "deferred")
        q.wait_log(qid + r": to=<slow-a@test.example>.*status=deferred "
                   r"\(4.3.0 lost connection")
        q.start_agent("local", slow=0.1)
        q.inst.sluice("flush")
        q.wait_log(qid + r": removed")
        self.assertEqual(q.actions(qid, "delivered"), ["slow-a@test.example"])

    def test_agent_deadline(self):
        q = QueueInstance(self, main={"qmgr_request_timeout": "2s"},
                          slow=30).start()
        qid = q.submit(["slow-a@test.example"])
        q.wait_where(qid, "deferred", timeout=15)
        q.wait_log(qid + r": to=<slow-a@test.example>.*status=deferred "
                   r"\(4.4.2 delivery agent timed out\)")

    def test_agent_dies_without_reply(self):
        q = QueueInstance(self).start()
        qid = q.submit(["die-a@test.example"])
        q.wait_where(qid, "deferred")
        self.assertIn("lost connection", q.inst.log())

    def test_agent_missing(self):
        q = QueueInstance(self).start()
        q.kill_agent("local")
        os.unlink(os.path.join(q.queue, "private", "local"))
        qid = q.submit(["ok-a@test.example"])
        q.wait_where(qid, "deferred")
        q.wait_log(qid + r": to=<ok-a@test.example>.*status=deferred "
                   r"\(4.3.0 connect to private/local")

    def test_qmgr_killed_with_files_in_active(self):
        q = QueueInstance(self, slow=2).start()
        ids = [q.submit(["slow-%d@test.example" % i, "ok-%d@test.example" % i])
               for i in range(3)]
        wait_until(lambda: any(q.where(i) == "active" for i in ids)
                   and q.ledger_lines(), 10, what="active work")
        killed = q.inst.kill_service("qmgr")
        self.assertTrue(killed)
        wait_until(lambda: killed[0] not in q.inst.pids("qmgr"), 10,
                   what="qmgr gone")
        time.sleep(0.5)
        q.trigger(b"A")                    # master starts a new qmgr
        for i in ids:
            q.wait_log(i + r": removed", timeout=30)
        q.wait_log(r"recover: \d+ file\(s\) moved from active to incoming")
        for i in ids:
            self.assertIsNone(q.where(i))
            # a recipient marked done before the kill is never tried again
            okd = q.actions(i, "delivered").count(
                "ok-%d@test.example" % ids.index(i))
            self.assertIn(okd, (1, 2))
        # qmgr's own state: nothing left anywhere
        self.assertEqual(os.listdir(os.path.join(q.queue, "active")), [])

    def test_done_recipient_never_redelivered(self):
        q = QueueInstance(self).start()
        qid = q.submit(["ok-a@test.example", "ok-b@test.example"],
                       done=("ok-a@test.example",))
        q.wait_log(qid + r": removed")
        self.assertEqual(q.actions(qid, "delivered"), ["ok-b@test.example"])

    def test_lifetime_expiry_bounces(self):
        q = QueueInstance(self, main={"maximal_queue_lifetime": "1h"}).start()
        qid = q.submit(["defer-a@test.example"], arrival=time.time() - 7200)
        q.wait_log(qid + r": removed")
        b = q.bounces(qid)
        self.assertEqual(b[0][2:], ["failed", "defer-a@test.example:4.4.7"])
        self.assertRegex(q.inst.log(), qid + r": to=<defer-a@test.example>, "
                         r"status=expired \(4.4.7 message expired")

    def test_delay_warning_once(self):
        q = QueueInstance(self, main={"delay_warning_time": "1h"}).start()
        qid = q.submit(["defer-a@test.example"], arrival=time.time() - 7200)
        q.wait_where(qid, "deferred")
        q.wait_log(qid + r": sender delay notification")
        self.assertEqual([w[2] for w in q.bounces(qid)], ["delayed"])
        mark = q.inst.log_offset()
        q.inst.sluice("flush")
        q.wait_log(qid + r": to=<defer-a@test.example>.*status=deferred",
                   after=mark)
        q.wait_where(qid, "deferred")
        self.assertEqual([w[2] for w in q.bounces(qid)], ["delayed"])

    def test_corrupt_file_never_delivered(self):
        q = QueueInstance(self).start()
        qid = fake_agent.new_queue_id()
        data = fake_agent.queue_file_bytes("s@test.example",
                                           ["ok-a@test.example"], b"x\n")
        fake_agent.commit_bytes(q.queue, "incoming", qid, data[:-5])  # no E
        q.trigger(b"A")
        q.wait_where(qid, "corrupt")
        self.assertEqual(q.ledger_lines(), [])


class QueueToolsTest(unittest.TestCase):
    def test_list_show_hold_release_delete_requeue(self):
        q = QueueInstance(self).start()
        a = q.submit(["defer-a@test.example"], sender="alice@test.example")
        q.wait_where(a, "deferred")
        out = q.inst.sluice("list").stdout
        self.assertRegex(out, a + r" +deferred +\d+ .* alice@test.example")
        self.assertIn("defer-a@test.example", out)
        self.assertIn("-- 1 message", out)
        js = json.loads(q.inst.sluice("list", "--json").stdout)
        self.assertEqual(js[0]["id"], a)
        self.assertEqual(js[0]["queue"], "deferred")
        self.assertEqual(js[0]["recipients"],
                         [{"address": "defer-a@test.example", "done": False}])
        show = q.inst.sluice("show", a).stdout
        self.assertIn("sender: alice@test.example", show)
        self.assertIn("Subject: t\n\nhi\n", show)
        q.inst.sluice("hold", a)
        self.assertEqual(q.where(a), "hold")
        q.inst.sluice("flush")
        time.sleep(1.5)
        self.assertEqual(q.where(a), "hold")          # qmgr skips hold/
        q.inst.sluice("release", a)
        wait_until(lambda: q.where(a) == "deferred"
                   and len(q.actions(a, "deferred")) == 2, 10,
                   what="released and tried")
        q.inst.sluice("requeue", "ALL")
        wait_until(lambda: len(q.actions(a, "deferred")) == 3, 10,
                   what="requeued and tried")
        q.wait_where(a, "deferred")
        q.inst.sluice("delete", a)
        self.assertIsNone(q.where(a))
        self.assertFalse(os.path.exists(os.path.join(q.queue, "defer", a)))
        self.assertIn("-- 0 messages", q.inst.sluice("list").stdout)
        r = q.inst.sluice("show", a, check=False)
        self.assertEqual(r.returncode, 1)
        self.assertEqual(q.inst.sluice("delete", "NOTANID",
                                       check=False).returncode, 1)

    def test_check_and_repair(self):
        q = QueueInstance(self)            # not started: nothing moves
        for d in ("incoming", "active", "deferred", "hold", "corrupt",
                  "defer", "bounce"):
            os.makedirs(os.path.join(q.queue, d), exist_ok=True)
        good = write_queue_file(q.queue, "s@test.example", ["a@test.example"],
                                queue="active")
        part = os.path.join(q.queue, "incoming", fake_agent.new_queue_id()
                            + ".part")
        open(part, "wb").write(b"V")
        orphan = os.path.join(q.queue, "defer", fake_agent.new_queue_id())
        open(orphan, "w").write("rcpt=x\n\n")
        stray = os.path.join(q.queue, "deferred", "README")
        open(stray, "w").write("x")
        bad = fake_agent.new_queue_id()
        open(os.path.join(q.queue, "deferred", bad), "wb").write(b"junk")
        r = q.inst.sluice("check", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("in active/ while sluice is not running", r.stdout)
        self.assertIn("1 incomplete .part file(s) in incoming/", r.stdout)
        self.assertIn("has no queue file", r.stdout)
        self.assertIn("deferred/README: not a queue file name", r.stdout)
        self.assertIn(bad + " unreadable, moved to corrupt/", r.stdout)
        r = q.inst.sluice("check", "--repair")
        self.assertIn("repaired: " + good + " moved from active/ to incoming/",
                      r.stdout)
        self.assertIn("repaired: 1 incomplete file(s) removed", r.stdout)
        self.assertFalse(os.path.exists(part))
        self.assertFalse(os.path.exists(orphan))
        self.assertEqual(q.where(good), "incoming")
        r = q.inst.sluice("check", check=False)
        self.assertIn("check: 1 problem", r.stdout)    # README stays


if __name__ == "__main__":
    unittest.main()
