"""test_smtp.py - the smtp delivery agent under master, driven like qmgr
drives it: a queue file written here in the record format (record.h) into
queue/active, a hand-made delivery request (mail_proto.h) on
private/smtp, and python3-aiosmtpd as the remote server on a loopback
port. Remotes that accept, refuse a recipient (5xx), answer 4xx, and
drop the connection in DATA.

Skipped until bin/smtp exists (smtp_main.c waits for deliver_request.c
from the local helper).
"""
import os
import socket
import struct
import sys
import time
import unittest

from instance import Instance, free_port

try:
    from aiosmtpd.controller import Controller
except ImportError:  # pyenv's python next to Debian's package
    sys.path.append("/usr/lib/python3/dist-packages")
    from aiosmtpd.controller import Controller

BIN = os.path.abspath(os.environ.get("SLUICE_BIN", os.path.join(
    os.path.dirname(__file__), "..", "..", "bin")))
HAVE = os.path.exists(os.path.join(BIN, "smtp"))


def record(kind, payload=b""):
    return kind.encode() + struct.pack(">I", len(payload)) + payload


def write_queue_file(queue, qid, sender, rcpts, body):
    """Returns ({rcpt: offset}, content_offset)."""
    data = record("V", b"sluice-queue-1") + record("T", b"1700000000.000000")
    data += record("S", sender.encode())
    offsets = {}
    for r in rcpts:
        offsets[r] = len(data)
        data += record("R", r.encode() + b"\0\0")
    content = len(data)
    data += record("M") + record("C", body) + record("X") + record("E")
    os.makedirs(os.path.join(queue, "active"), exist_ok=True)
    with open(os.path.join(queue, "active", qid), "wb") as f:
        f.write(data)
    return offsets, content


def request_text(qid, sender, rcpts, offsets, content, nexthop):
    """One request record, as qmgr writes it."""
    lines = [f"queue_name=active", f"queue_id={qid}", f"queue_file={qid}",
             f"content_offset={content}", f"sender={sender}", "envid=",
             "ret=", f"nexthop={nexthop}", "arrival_time=1700000000"]
    for r in rcpts:
        lines += [f"rcpt={r}", f"rcpt_offset={offsets[r]}", "orcpt=",
                  "notify="]
    return ("\n".join(lines) + "\n\n").encode()


def request_batch(sock_path, texts):
    """Several request records in one connection, then EOF: the raw reply
    records, in order, read until the agent closes."""
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(30)
    s.connect(sock_path)
    with s:
        s.sendall(b"".join(texts))
        s.shutdown(socket.SHUT_WR)
        data = b""
        while chunk := s.recv(4096):
            data += chunk
    return [r for r in data.decode().split("\n\n") if r]


def request(sock_path, qid, sender, rcpts, offsets, content, nexthop):
    """One request in its connection: the outcome of each recipient."""
    text = request_text(qid, sender, rcpts, offsets, content, nexthop)
    data = "\n\n".join(request_batch(sock_path, [text]))
    out, cur = [], {}
    for line in data.splitlines():
        if not line:
            continue
        k, _, v = line.partition("=")
        if k == "rcpt_offset" and cur:
            out.append(cur)
            cur = {}
        cur[k] = v
    if cur:
        out.append(cur)
    return out


class Handler:
    def __init__(self, rcpt_reply=None, data_reply="250 2.0.0 ok",
                 drop=False):
        self.rcpt_reply, self.data_reply, self.drop = rcpt_reply, data_reply, drop
        self.messages = []

    async def handle_RCPT(self, server, session, envelope, address, options):
        if self.rcpt_reply and address.startswith("bad"):
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.drop:
            server.transport.abort()  # drop the connection, no reply
            return "421 gone"
        self.messages.append(envelope)
        return self.data_reply


@unittest.skipUnless(HAVE, "bin/smtp not built yet")
class SmtpAgentTest(unittest.TestCase):
    def start(self, handler):
        """A remote server for handler and an instance with the smtp
        agent: (its port, the instance)."""
        port = free_port()
        ctl = Controller(handler, hostname="127.0.0.1", port=port)
        ctl.start()
        self.addCleanup(ctl.stop)
        inst = Instance(services=["smtp unix - - n - - smtp"])
        self.addCleanup(inst.close)
        inst.start()
        return port, inst

    def deliver(self, handler, rcpts):
        port, inst = self.start(handler)
        qid = "%08X%015X" % (int(time.time()), os.getpid())
        offsets, content = write_queue_file(inst.queue, qid, "s@test.example",
                                            rcpts, b"Subject: t\n\nbody\n")
        return request(inst.socket_path("smtp", public=False), qid,
                       "s@test.example", rcpts, offsets, content,
                       f"[127.0.0.1]:{port}")

    def test_batch_in_one_connection(self):
        """Two requests in one connection (qmgr's batch for a busy
        destination): both delivered, each answered, in order."""
        h = Handler()
        port, inst = self.start(h)
        texts = []
        for i, rcpt in enumerate(["a@x.example", "b@x.example"]):
            qid = "%08X%014X%01X" % (int(time.time()), os.getpid(), i + 1)
            offsets, content = write_queue_file(
                inst.queue, qid, "s@test.example", [rcpt],
                b"Subject: t%d\n\nbody\n" % i)
            texts.append(request_text(qid, "s@test.example", [rcpt], offsets,
                                      content, f"[127.0.0.1]:{port}"))
        replies = request_batch(inst.socket_path("smtp", public=False), texts)
        self.assertEqual(len(replies), 2, replies)
        for r in replies:
            self.assertIn("dsn_action=relayed", r)
        self.assertEqual(len(h.messages), 2)
        self.assertEqual([m.rcpt_tos for m in h.messages],
                         [["a@x.example"], ["b@x.example"]])

    def test_delivered(self):
        h = Handler()
        out = self.deliver(h, ["a@x.example", "b@x.example"])
        self.assertEqual([o["dsn_action"] for o in out], ["relayed"] * 2)
        self.assertEqual(len(h.messages), 1)
        self.assertIn(b"body", h.messages[0].content)

    def test_rcpt_refused(self):
        h = Handler(rcpt_reply="550 5.1.1 no such user")
        out = self.deliver(h, ["a@x.example", "bad@x.example"])
        self.assertEqual(out[0]["dsn_action"], "relayed")
        self.assertEqual(out[1]["dsn_action"], "failed")
        self.assertEqual(out[1]["dsn_status"], "5.1.1")
        self.assertIn("said: 550 5.1.1 no such user (in reply to RCPT TO",
                      out[1]["reason"])

    def test_deferred(self):
        out = self.deliver(Handler(data_reply="451 4.3.0 later"),
                           ["a@x.example"])
        self.assertEqual(out[0]["dsn_action"], "deferred")

    def test_drop_in_data(self):
        out = self.deliver(Handler(drop=True), ["a@x.example", "b@x.example"])
        self.assertEqual([o["dsn_action"] for o in out], ["deferred"] * 2)


if __name__ == "__main__":
    unittest.main()
