"""test_submit.py - local submission end to end: sendmail -> gate ->
maildrop/ -> pickup -> cleanup -> incoming/, and cleanup's own protocol.

Until qmgr exists nothing moves on from incoming/: that is what these tests
assert (a committed, complete queue file with canonical headers), together
with the failure paths: limits refused with their codes and nothing queued,
a cleanup killed before its commit point leaves no queue file and no reply,
a corrupt maildrop file goes to corrupt/.
"""
import os
import socket
import struct
import subprocess
import time
import unittest

from instance import Instance, wait_until

SERVICES = ["cleanup unix - - n - - cleanup",
            "pickup fifo n - n 60 1 pickup"]
VERSION = b"sluice-queue-1"


def rec(rtype, payload=b""):
    if isinstance(payload, str):
        payload = payload.encode()
    return rtype.encode() + struct.pack(">I", len(payload)) + payload


def rcpt(addr):
    return rec("R", addr.encode() + b"\0\0")


def read_records(path):
    """[(type, payload)] of a queue file; raises on any malformation."""
    with open(path, "rb") as f:
        data = f.read()
    out, pos = [], 0
    while pos < len(data):
        if pos + 5 > len(data):
            raise ValueError("truncated header")
        rtype = chr(data[pos])
        (n,) = struct.unpack(">I", data[pos + 1:pos + 5])
        if pos + 5 + n > len(data):
            raise ValueError("truncated payload")
        out.append((rtype, data[pos + 5:pos + 5 + n]))
        pos += 5 + n
    return out


class QueueFile:
    """What a test needs to know about one committed queue file."""

    def __init__(self, path):
        self.records = read_records(path)
        types = [t for t, _ in self.records]
        assert types[0] == "V" and types[-1] == "E", types
        # the padding that keeps a recycled file's size (record.h)
        if types[-2] == "P":
            del types[-2]
        assert types[-2] == "X" and "M" in types, types
        self.sender = [p for t, p in self.records if t == "S"][0].decode()
        self.rcpts = [p.split(b"\0")[0].decode() for t, p in self.records
                      if t == "R"]
        self.attrs = dict(p.decode().split("=", 1) for t, p in self.records
                          if t == "A")
        self.content = b"".join(p for t, p in self.records
                                if t == "C").decode()
        head, _, self.body = self.content.partition("\n\n")
        self.headers = head.split("\n")

    def header(self, name):
        return [h for h in self.headers
                if h.lower().startswith(name.lower() + ":")]


def poke_pickup(inst):
    """One wake-up byte into pickup's fifo (master listens on it)."""
    fd = os.open(inst.socket_path("pickup"), os.O_WRONLY | os.O_NONBLOCK)
    try:
        os.write(fd, b"W")
    finally:
        os.close(fd)


def queue_files(inst, queue):
    try:
        return sorted(os.listdir(os.path.join(inst.queue, queue)))
    except FileNotFoundError:
        return []


class Submit(unittest.TestCase):

    def instance(self, **main):
        inst = Instance(main=main, services=SERVICES)
        self.addCleanup(inst.close)
        return inst

    def start(self, inst):
        """Starts master; the queue directories are made by the daemons
        (cleanup, pickup) when they first start, so wake pickup and wait."""
        inst.start()
        poke_pickup(inst)
        wait_until(lambda: os.path.isdir(os.path.join(inst.queue, "maildrop")),
                   10, what="queue directories")
        return inst

    def sendmail(self, inst, args, text, check=True):
        env = dict(os.environ, SLUICE_CONFIG_DIR=inst.etc)
        proc = subprocess.run([os.path.join(inst.bin, "sendmail"), *args],
                              input=text.encode(), capture_output=True,
                              env=env, timeout=30)
        if check:
            self.assertEqual(proc.returncode, 0,
                             proc.stderr.decode() + inst.log_tail())
        return proc

    def wait_incoming(self, inst, count=1):
        def committed():
            files = [f for f in queue_files(inst, "incoming")
                     if not f.endswith(".part")]
            return len(files) >= count and files
        files = wait_until(committed, timeout=15, what="a file in incoming/")
        wait_until(lambda: queue_files(inst, "maildrop") == [], timeout=10,
                   what="maildrop/ emptied")
        return [QueueFile(os.path.join(inst.queue, "incoming", f))
                for f in files]

    def cleanup_talk(self, inst, data, timeout=10):
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(timeout)
        s.connect(inst.socket_path("cleanup", public=False))
        with s:
            s.sendall(data)
            reply = b""
            while not reply.endswith(b"\n\n"):
                chunk = s.recv(4096)
                if not chunk:
                    break
                reply += chunk
        return dict(line.split("=", 1) for line in reply.decode().split("\n")
                    if "=" in line)

    # ---- sendmail through the whole submission path -------------------

    def test_sendmail_arguments(self):
        inst = self.start(self.instance())
        self.sendmail(inst, ["-f", "alice", "bob@remote.example", "carol"],
                      "Subject: hello\nBcc: hidden@remote.example\n\n"
                      "line one\n.\nnot sent\n")
        (qf,) = self.wait_incoming(inst)
        self.assertEqual(qf.sender, "alice@test.example")
        self.assertEqual(qf.rcpts, ["bob@remote.example",
                                    "carol@test.example"])
        self.assertEqual(len(qf.header("Received")), 1)
        self.assertEqual(len(qf.header("Date")), 1)
        self.assertEqual(qf.header("From"), ["From: alice@test.example"])
        (mid,) = qf.header("Message-ID")
        self.assertRegex(mid, r"^Message-ID: <[0-9A-F]{23}@test\.example>$")
        self.assertEqual(qf.header("Bcc"), [])
        self.assertNotIn("hidden", qf.content)
        self.assertEqual(qf.body, "line one\n")
        self.assertEqual(qf.attrs.get("uid"), str(os.getuid()))
        inst.wait_for_log(r"cleanup\[\d+\]: [0-9A-F]{23}: from=<alice@test"
                          r"\.example>, size=\d+, nrcpt=2 \(queued\)")

    def test_sendmail_extract_recipients(self):
        inst = self.start(self.instance())
        self.sendmail(inst, ["-t", "-i", "-F", "Alice Liddell"],
                      "To: Bob <bob@remote.example>, dave\n"
                      "Cc: carol@remote.example\n"
                      "Bcc: eve@remote.example\nSubject: t\n\n.\nbody\n")
        (qf,) = self.wait_incoming(inst)
        self.assertEqual(sorted(qf.rcpts),
                         ["bob@remote.example", "carol@remote.example",
                          "dave@test.example", "eve@remote.example"])
        self.assertEqual(qf.header("Bcc"), [])
        self.assertNotIn("eve@", qf.content)
        self.assertEqual(qf.header("To"),
                         ["To: bob@remote.example, dave@test.example"])
        self.assertEqual(len(qf.header("From")), 1)
        self.assertIn("Alice Liddell <", qf.header("From")[0])
        self.assertEqual(qf.body, ".\nbody\n")

    def test_maildrop_while_stopped(self):
        inst = self.start(self.instance())   # the daemons create the queue
        self.sendmail(inst, ["-f", "a@b.example", "x@y.example"], "S: 1\n\nb\n")
        self.wait_incoming(inst)
        inst.stop()
        wait_until(lambda: not inst.running(), 10, what="master stopped")
        self.sendmail(inst, ["x@y.example"], "Subject: while down\n\nb\n")
        (left,) = queue_files(inst, "maildrop")
        self.assertEqual(len(queue_files(inst, "incoming")), 1)
        self.start(inst)
        wait_until(lambda: len(queue_files(inst, "incoming")) == 2, 70,
                   what="pickup moved the file")
        wait_until(lambda: queue_files(inst, "maildrop") == [], 10,
                   what="the maildrop file removed")
        inst.wait_for_log(left + r": queued as [0-9A-F]{23}")

    def test_corrupt_maildrop_file(self):
        inst = self.start(self.instance())
        self.sendmail(inst, ["x@y.example"], "S: 1\n\nb\n")
        self.wait_incoming(inst)
        bad = "0000000000000000000000A"
        with open(os.path.join(inst.queue, "maildrop", bad), "wb") as f:
            f.write(rec("V", VERSION) + rec("S", "a@b") + rec("M") +
                    rec("C", "cut short"))
        poke_pickup(inst)
        wait_until(lambda: bad in queue_files(inst, "corrupt"), 15,
                   what="corrupt/")
        self.assertNotIn(bad, queue_files(inst, "maildrop"))
        self.assertEqual(len(queue_files(inst, "incoming")), 1)

    def test_gate_refuses_bad_input(self):
        inst = self.start(self.instance())
        self.sendmail(inst, ["x@y.example"], "S: 1\n\nb\n")
        self.wait_incoming(inst)
        env = dict(os.environ, SLUICE_CONFIG_DIR=inst.etc)
        for data in [b"", rec("V", VERSION) + rec("S", "a") + rec("M"),
                     rec("V", VERSION) + rec("A", "uid=0") + rec("S", "a") +
                     rec("M") + rec("X") + rec("E"),
                     rec("V", VERSION) + rec("S", "a\nb") + rec("M") +
                     rec("X") + rec("E"),
                     rec("V", VERSION) + rec("S", "a") + rec("M") + rec("X") +
                     rec("E") + b"junk"]:
            proc = subprocess.run([os.path.join(inst.bin, "gate")], input=data,
                                  capture_output=True, env=env, timeout=10)
            self.assertEqual(proc.returncode, 65, proc.stderr)  # EX_DATAERR
        self.assertEqual(queue_files(inst, "maildrop"), [])

    # ---- cleanup's protocol: limits, and death before the commit ------

    def test_cleanup_limits(self):
        inst = self.start(self.instance(
            line_length_limit="100", header_count_limit="5",
            message_size_limit="3000", recipient_limit="3"))
        env = rec("V", VERSION) + rec("S", "a@b.example")
        cases = [
            ([rcpt("x@y.example")], "S: " + "x" * 200 + "\n\nb\n", "5.6.0"),
            ([rcpt("x@y.example")], "".join(f"H{i}: v\n" for i in range(9)) +
             "\nb\n", "5.6.0"),
            ([rcpt("x@y.example")], "S: s\n\n" + ("y" * 50 + "\n") * 100,
             "5.3.4"),
            ([rcpt(f"x{i}@y.example") for i in range(5)], "S: s\n\nb\n",
             "5.5.3"),
            ([], "S: s\n\nb\n", "5.5.1"),
        ]
        for rcpts, content, code in cases:
            data = env + b"".join(rcpts) + rec("M")
            data += b"".join(rec("C", content[i:i + 7])
                             for i in range(0, len(content), 7))
            reply = self.cleanup_talk(inst, data + rec("X") + rec("E"))
            self.assertEqual(reply.get("status"), code[0], reply)
            self.assertTrue(reply.get("reason", "").startswith(code), reply)
            inst.wait_for_log(r"reject: from=<a@b\.example>: " +
                              code.replace(".", r"\."))
        self.assertEqual(queue_files(inst, "incoming"), [])
        # the same limits through sendmail: the gate takes the message, the
        # refusal puts it in hold/ with a log line
        self.sendmail(inst, ["x@y.example"], "S: " + "z" * 300 + "\n\nb\n")
        wait_until(lambda: len(queue_files(inst, "hold")) == 1, 15,
                   what="hold/")
        inst.wait_for_log(r"refused by cleanup: 5\.6\.0 .*moved to hold")
        self.assertEqual(queue_files(inst, "incoming"), [])

    def test_cleanup_killed_before_commit(self):
        inst = self.start(self.instance())
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(10)
        s.connect(inst.socket_path("cleanup", public=False))
        s.sendall(rec("V", VERSION) + rec("S", "a@b.example") +
                  rcpt("x@y.example") + rec("M") +
                  rec("C", "Subject: half\n\nsome body\n"))
        part = wait_until(lambda: [f for f in queue_files(inst, "incoming")
                                   if f.endswith(".part")], 10,
                          what="incoming/<id>.part")
        self.assertTrue(inst.kill_service("cleanup"))
        self.assertEqual(s.recv(100), b"")   # no reply: not committed
        s.close()
        # the successor discards the incomplete file; nothing was committed
        reply = self.cleanup_talk(inst, rec("V", VERSION) +
                                  rec("S", "a@b.example") +
                                  rcpt("x@y.example") + rec("M") +
                                  rec("C", "S: 2\n\nb\n") + rec("X") +
                                  rec("E"))
        self.assertEqual(reply.get("status"), "0", reply)
        self.assertEqual(queue_files(inst, "incoming"), [reply["queue_id"]])
        self.assertNotIn(part[0], queue_files(inst, "incoming"))

    def test_client_gone_before_end(self):
        inst = self.start(self.instance())
        s = socket.socket(socket.AF_UNIX)
        s.connect(inst.socket_path("cleanup", public=False))
        s.sendall(rec("V", VERSION) + rec("S", "a@b.example") +
                  rcpt("x@y.example") + rec("M") + rec("C", "S: 1\n\nb\n") +
                  rec("X"))
        s.close()
        inst.wait_for_log(r"lost connection with the client.*discarded")
        self.assertEqual(queue_files(inst, "incoming"), [])


if __name__ == "__main__":
    unittest.main()
