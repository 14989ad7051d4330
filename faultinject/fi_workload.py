"""fi_workload.py - the fixed workload of a fault-injection scenario, and
the clients that submit it while keeping the ledger (fi_ledger.py).

Messages go in three ways, whichever the programs under test allow:
  smtp      smtplib to smtpd (several recipients per message); a 4xx, a
            dropped connection or a timeout is retried like a real client
            would (the RFC 1047 duplicate window is exactly this retry);
  sendmail  the sendmail(1) command (gate -> maildrop -> pickup -> cleanup);
            a non-zero exit is retried;
  direct    a committed queue file written into incoming/ the way cleanup
            does (fake_agent.write_queue_file) and a trigger to qmgr: the
            stand-in while smtpd/cleanup are not built.
Local recipients live in test.example (virtual Maildirs under mail/), remote
ones in remote.example (relayhost: the loopback sink); reject@remote.example
is refused with 550 by the sink, so its message bounces to its sender;
later@remote.example gets 451 once (the message is deferred, then delivered
on the retry). mbx@test.example is an alias of a /file target (fi_run.py
writes the aliases file): local appends it to an mbox under mail/_mbox/.
"""
import os
import smtplib
import socket
import subprocess
import sys
import time

import fi_ledger

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "integration"))
import fake_agent  # noqa: E402  (the queue-file writer of the integration tests)

RETRIES = 4

# (via, sender, recipients): the fixed workload; ids are assigned per run.
WORKLOAD = [
    ("sendmail", "snd1@test.example", ["alice@test.example", "r1@remote.example"]),
    ("sendmail", "snd1@test.example", ["bob@test.example", "carol@test.example",
                                       "mbx@test.example"]),
    ("smtp", "snd2@test.example", ["alice@test.example", "bob@test.example",
                                   "r2@remote.example"]),
    ("smtp", "snd2@test.example", ["carol@test.example", "r3@remote.example",
                                   "r4@remote.example", "later@remote.example",
                                   "mbx@test.example"]),
    ("smtp", "snd3@test.example", ["dave@test.example", "reject@remote.example"]),
]
FINAL = [
    ("smtp", "snd4@test.example", ["erin@test.example", "r9@remote.example"]),
    ("sendmail", "snd4@test.example", ["frank@test.example"]),
]


def modes(bin_dir):
    """Which submission paths the programs in bin_dir support."""
    have = lambda p: os.path.exists(os.path.join(bin_dir, p))  # noqa: E731
    out = {"direct"}
    if have("cleanup") and have("smtpd"):
        out.add("smtp")
    if have("cleanup") and have("sendmail") and have("pickup"):
        out.add("sendmail")
    return out


class Client:
    """Submits messages to one instance and records every attempt."""

    def __init__(self, inst, ledger, env, available, tag):
        self.inst = inst
        self.ledger = ledger
        self.env = env
        self.available = available
        self.tag = tag
        self.count = 0

    def run(self, items, final=False):
        for via, sender, rcpts in items:
            if via not in self.available:
                via = "direct"
                if "smtp" not in self.available:    # no cleanup for a DSN
                    rcpts = [r for r in rcpts if not r.startswith("reject")]
            self.count += 1
            lid = "%s-%s%02d" % (self.tag, "F" if final else "M", self.count)
            getattr(self, "_" + via)(lid, sender, rcpts)

    def _record(self, lid, via, sender, rcpts, attempt, result, acked, detail):
        self.ledger.record(id=lid, via=via, sender=sender, rcpts=rcpts,
                           attempt=attempt, result=result, acked=acked,
                           detail=detail)

    def _smtp(self, lid, sender, rcpts):
        text = fi_ledger.build(lid, sender, rcpts)
        pending = list(rcpts)
        for attempt in range(1, RETRIES + 1):
            try:
                with smtplib.SMTP("127.0.0.1", self.inst.ports["smtpd_listen"],
                                  timeout=15) as s:
                    refused = s.sendmail(sender, pending, text.decode())
                acked = [r for r in pending if r not in refused]
                self._record(lid, "smtp", sender, rcpts, attempt, "ok", acked,
                             str(refused) if refused else "")
                pending = [r for r in pending if r in refused
                           and 400 <= refused[r][0] < 500]
                if not pending:
                    return
            except smtplib.SMTPRecipientsRefused as e:
                perm = all(500 <= c for c, _ in e.recipients.values())
                self._record(lid, "smtp", sender, rcpts, attempt,
                             "reject" if perm else "tempfail", [], str(e))
                if perm:
                    return
            except smtplib.SMTPResponseException as e:
                perm = e.smtp_code >= 500
                self._record(lid, "smtp", sender, rcpts, attempt,
                             "reject" if perm else "tempfail", [],
                             f"{e.smtp_code} {e.smtp_error!r}")
                if perm:
                    return
            except (smtplib.SMTPException, OSError, socket.timeout) as e:
                self._record(lid, "smtp", sender, rcpts, attempt, "error", [],
                             repr(e))
            time.sleep(0.5)

    def _sendmail(self, lid, sender, rcpts):
        text = fi_ledger.build(lid, sender, rcpts)
        for attempt in range(1, RETRIES + 1):
            try:
                proc = subprocess.run(
                    [os.path.join(self.inst.bin, "sendmail"), "-i", "-f", sender,
                     "--", *rcpts], input=text, capture_output=True,
                    env=self.env, timeout=30)
                ok = proc.returncode == 0
                self._record(lid, "sendmail", sender, rcpts, attempt,
                             "ok" if ok else "tempfail", rcpts if ok else [],
                             f"exit {proc.returncode} "
                             + proc.stderr.decode(errors="replace")[-200:])
                if ok or proc.returncode not in (75, 74, 71, 70, -9, 137):
                    return
            except subprocess.TimeoutExpired as e:
                self._record(lid, "sendmail", sender, rcpts, attempt, "error",
                             [], repr(e))
            time.sleep(0.5)

    def _direct(self, lid, sender, rcpts):
        text = fi_ledger.build(lid, sender, rcpts)
        fake_agent.write_queue_file(self.inst.queue, sender, rcpts, body=text)
        self._record(lid, "direct", sender, rcpts, 1, "ok", rcpts, "")
        try:
            s = socket.socket(socket.AF_UNIX)
            s.connect(self.inst.socket_path("qmgr", public=False))
            s.sendall(b"A")
            s.close()
        except OSError:
            pass                    # qmgr's own wakeup finds it
