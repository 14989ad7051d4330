"""test_qmgr.py - qmgr under master with a fake delivery agent and a fake
bounce daemon (fake_agent.py, real processes on private/local and
private/bounce): delivery and removal, deferral with back-off and flush,
failure with a DSN before "done", an agent killed mid-request, qmgr killed
with files in active/, queue lifetime expiry, the delay warning, the null
sender, and the queue tools of bin/sluice. Every wait is bounded.
"""
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
from fake_agent import write_queue_file, attr_records

HERE = os.path.dirname(os.path.abspath(__file__))
QMGR = "qmgr unix - - n 60 1 qmgr"


class QueueInstance:
    """An instance running master + qmgr, with fake local and bounce."""

    def __init__(self, test, main=None, bounce_refuse=False, slow=3.0):
        conf = {"queue_run_delay": "1s", "minimal_backoff_time": "2s",
                "maximal_backoff_time": "4s", "delay_warning_time": "0",
                "mydestination": "test.example, localhost"}
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


class QmgrDeliveryTest(unittest.TestCase):
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


if __name__ == "__main__":
    unittest.main()
