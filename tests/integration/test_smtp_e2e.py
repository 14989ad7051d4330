"""test_smtp_e2e.py - SMTP in and out of a full instance with the real
daemons only (issue 5): smtpd -> cleanup -> qmgr -> local / smtp / lmtp /
bounce under one master (fullinst.py), driven by real clients (swaks,
Python smtplib, openssl s_client -starttls smtp, a raw BDAT session) and
talking to real servers on loopback (python3-aiosmtpd: an SMTP server on a
TCP port and an LMTP server on a unix socket, routed by transport_maps).

Covered: swaks plain, --tls and --pipeline, BDAT, smtplib with STARTTLS
and s_client, each delivered to Maildir with the body intact; relay to a
remote that answers 2xx (envelope and content checked), 4xx then 2xx
(deferred, delivered after a flush), 5xx (a DSN in the sender's Maildir
quoting the remote reply), and that drops the connection in DATA (retried,
delivered once); a large body relayed byte for byte, with BODY=8BITMIME
exactly when it has 8-bit bytes; SMTP in and SMTP out for a trusted
client; LMTP over a unix socket; no open relay from an untrusted address
whatever the address trick; a bounded load (200 messages over 10 sessions) all delivered, with
Postfix's smtp-source when it is there and with smtplib always.
"""
import asyncio
import os
import shutil
import smtplib
import socket
import ssl
import subprocess
import sys
import threading
import time
import unittest

from fullinst import FullInstance, Ledger, QID, dsn_fields, parse, listdir
from instance import TOP, free_port, wait_until

try:
    from aiosmtpd.controller import Controller, UnixSocketController
    from aiosmtpd.lmtp import LMTP
except ImportError:  # a python other than Debian's next to the package
    sys.path.append("/usr/lib/python3/dist-packages")
    from aiosmtpd.controller import Controller, UnixSocketController
    from aiosmtpd.lmtp import LMTP

CERT = {}


def setUpModule():
    """One self-signed certificate for every smtpd of this file."""
    d = os.path.join(TOP, "build")
    os.makedirs(d, exist_ok=True)
    key = os.path.join(d, f"e2e-key-{os.getpid()}.pem")
    pem = os.path.join(d, f"e2e-cert-{os.getpid()}.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                    "-days", "1", "-subj", "/CN=test.example", "-keyout", key,
                    "-out", pem], check=True, capture_output=True, timeout=60)
    CERT.update(pem=pem, key=key)


def tearDownModule():
    for path in CERT.values():
        if os.path.exists(path):
            os.unlink(path)


def crlf(text):
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode()


class Sink:
    """An aiosmtpd handler: records every message it accepts; `script` is
    a list of what to do with the next transactions at DATA ("ok", a reply
    line, or "drop"), then "ok" for ever; rcpt_reply refuses RCPT."""

    def __init__(self, script=(), rcpt_reply=None, lmtp_refuse=()):
        self.lmtp_refuse = lmtp_refuse   # LMTP: refused after DATA
        self.script = list(script)
        self.rcpt_reply = rcpt_reply
        self.messages = []
        self.attempts = 0
        self.lock = threading.Lock()
        self.in_data = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, options):
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 ok"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.attempts += 1
            what = self.script.pop(0) if self.script else "ok"
        if what == "drop":
            server.transport.abort()
            return "421 not reached"
        if what == "slow":              # the client is killed meanwhile
            self.in_data.set()
            await asyncio.sleep(3)
            if server.transport.is_closing():
                return "421 not reached"
            what = "ok"
        if what != "ok":
            return what
        with self.lock:
            self.messages.append(envelope)
        if isinstance(server, LMTP):     # one reply per recipient
            return "\r\n".join(
                f"550 5.2.1 <{r}>: mailbox disabled at the sink"
                if r in self.lmtp_refuse else f"250 2.0.0 <{r}> accepted"
                for r in envelope.rcpt_tos)
        return "250 2.0.0 accepted by the sink"


class LmtpSocketController(UnixSocketController):
    def factory(self):
        return LMTP(self.handler, **self.SMTP_kwargs)


class SmtpE2ETest(unittest.TestCase):
    def full(self, sink=None, tls=False, lmtp=None, **main):
        inst = FullInstance(self, main=main)
        routes = ""
        if sink is not None:
            port = free_port()
            ctl = Controller(sink, hostname="127.0.0.1", port=port)
            ctl.start()
            self.addCleanup(ctl.stop)
            routes += f"remote.example smtp:[127.0.0.1]:{port}\n"
        if lmtp is not None:
            path = os.path.join(inst.dir, "lmtp.sock")
            ctl = LmtpSocketController(lmtp, unix_socket=path)
            ctl.start()
            self.addCleanup(ctl.stop)
            routes += f"lmtp.example lmtp:unix:{path}\n"
        if routes:
            inst.transport(routes)
        if tls:
            inst.main.update(smtpd_tls_cert_file=CERT["pem"],
                             smtpd_tls_key_file=CERT["key"])
            inst.write_config()
        inst.start()
        self.port = inst.ports["smtpd_listen"]
        return inst

    def wait_sink(self, inst, sink, count, timeout=15):
        try:
            wait_until(lambda: len(sink.messages) >= count, timeout,
                       what=f"{count} message(s) at the sink")
        except AssertionError as e:
            raise AssertionError(f"{e}\n{inst.log_tail()}") from None
        return sink.messages

    # ---- mail in by SMTP -------------------------------------------------------

    @unittest.skipUnless(shutil.which("swaks"), "swaks not installed")
    def test_swaks_plain_tls_pipeline(self):
        inst = self.full(tls=True)
        for i, extra in enumerate(([], ["--tls"], ["--pipeline"])):
            p = subprocess.run(["swaks", "-s", "127.0.0.1", "-p",
                                str(self.port), "-f", "bob@test.example",
                                "-t", "alice@test.example", "--timeout", "10",
                                "--header", f"Subject: swaks {i}",
                                "--body", f"body {i}\n.\n..dots\n", *extra],
                               capture_output=True, timeout=30)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            self.assertIn(b"250 2.0.0", p.stdout)
            if extra == ["--tls"]:
                self.assertIn(b"TLS started", p.stdout)
        got = inst.wait_mail("alice", 3)
        subjects = sorted(parse(m)["Subject"] for m in got)
        self.assertEqual(subjects, ["swaks 0", "swaks 1", "swaks 2"])
        for raw in got:
            msg = parse(raw)
            self.assertEqual(msg["Return-Path"], "<bob@test.example>")
            self.assertRegex(msg["Received"], r"from .*\[127\.0\.0\.1\]")
            # dot-stuffing undone, CRLF stored as LF
            self.assertRegex(raw.decode(), r"\n\nbody \d\n\.\n\.\.dots\n")
        tls = [parse(m) for m in got if parse(m)["Subject"] == "swaks 1"][0]
        self.assertRegex(tls["Received"], r"ESMTPS")
        inst.wait_queue_empty()

    def test_bdat(self):
        inst = self.full()
        body = b"Subject: chunked\r\n\r\nline\r\n.\r\nlast\r\n"
        s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        with s:
            f = s.makefile("rb")

            def reply():
                lines = []
                while True:
                    line = f.readline()
                    lines.append(line)
                    if line[3:4] != b"-":
                        return b"".join(lines)
            self.assertTrue(reply().startswith(b"220"))
            s.sendall(b"EHLO client.test\r\n")
            self.assertIn(b"CHUNKING", reply())
            s.sendall(b"MAIL FROM:<bob@test.example>\r\n")
            self.assertTrue(reply().startswith(b"250"))
            s.sendall(b"RCPT TO:<alice@test.example>\r\n")
            self.assertTrue(reply().startswith(b"250"))
            half = len(body) // 2
            s.sendall(b"BDAT %d\r\n" % half + body[:half])
            self.assertTrue(reply().startswith(b"250"))
            s.sendall(b"BDAT %d LAST\r\n" % (len(body) - half) + body[half:])
            self.assertTrue(reply().startswith(b"250 2.0.0"))
            s.sendall(b"QUIT\r\n")
            reply()
        (raw,) = inst.wait_mail("alice", 1)
        self.assertTrue(raw.endswith(b"\n\nline\n.\nlast\n"), raw)
        self.assertEqual(parse(raw)["Subject"], "chunked")

    def test_smtplib_starttls_and_openssl(self):
        inst = self.full(tls=True)
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        with smtplib.SMTP("127.0.0.1", self.port, timeout=10) as c:
            c.starttls(context=ctx)
            c.ehlo("client.test")
            refused = c.sendmail("bob@test.example",
                                 ["alice@test.example", "carol@localhost"],
                                 crlf("Subject: tls\n\nover tls\n"))
            self.assertEqual(refused, {})
        p = subprocess.run(["openssl", "s_client", "-starttls", "smtp",
                            "-connect", f"127.0.0.1:{self.port}", "-quiet",
                            "-crlf"],
                           input=b"EHLO s-client.test\nMAIL FROM:<dave@test."
                                 b"example>\nRCPT TO:<alice@test.example>\n"
                                 b"DATA\nSubject: s_client\n\nvia openssl\n.\n"
                                 b"QUIT\n",
                           capture_output=True, timeout=30)
        self.assertIn(b"250 2.0.0", p.stdout, p.stdout + p.stderr)
        self.assertIn(b"221", p.stdout)
        got = inst.wait_mail("alice", 2)
        (carol,) = inst.wait_mail("carol", 1)
        by_subject = {parse(m)["Subject"]: m for m in got}
        self.assertEqual(set(by_subject), {"tls", "s_client"})
        self.assertTrue(by_subject["tls"].endswith(b"\n\nover tls\n"))
        self.assertTrue(by_subject["s_client"].endswith(b"\n\nvia openssl\n"))
        self.assertEqual(parse(by_subject["s_client"])["Return-Path"],
                         "<dave@test.example>")
        self.assertTrue(carol.endswith(b"\n\nover tls\n"))

    # ---- mail out by SMTP ----------------------------------------------------

    def test_relay_2xx(self):
        sink = Sink()
        inst = self.full(sink=sink)
        inst.sendmail(["-i", "-f", "bob", "x@remote.example", "y@remote.example",
                       "alice"],
                      "Subject: out\nMessage-ID: <out@test.example>\n\n"
                      ".\n..\nbody\n")
        (env,) = self.wait_sink(inst, sink, 1)
        self.assertEqual(env.mail_from, "bob@test.example")
        self.assertEqual(sorted(env.rcpt_tos),
                         ["x@remote.example", "y@remote.example"])
        content = env.original_content
        self.assertTrue(content.endswith(b"\r\n\r\n.\r\n..\r\nbody\r\n"),
                        content)
        self.assertIn(b"Message-ID: <out@test.example>\r\n", content)
        inst.wait_mail("alice", 1)
        inst.wait_for_log(r"to=<x@remote\.example>, relay=127\.0\.0\.1"
                          r"\[127\.0\.0\.1\]:\d+, .*status=sent")
        inst.wait_queue_empty()
        self.assertEqual(len(sink.messages), 1)

    def test_relay_4xx_then_2xx(self):
        sink = Sink(script=["451 4.3.0 try again later"])
        inst = self.full(sink=sink, minimal_backoff_time="60s",
                         maximal_backoff_time="60s")
        inst.sendmail(["-f", "bob", "x@remote.example"], "Subject: 4xx\n\nb\n")
        qid = inst.qid_of(r": to=<x@remote\.example>.*status=deferred "
                          r".*451 4\.3\.0 try again later")
        inst.wait_where(qid, "deferred")
        self.assertEqual(sink.messages, [])
        inst.sluice("flush")
        (env,) = self.wait_sink(inst, sink, 1)
        self.assertEqual(env.rcpt_tos, ["x@remote.example"])
        inst.wait_for_log(qid + r": removed")
        self.assertEqual(sink.attempts, 2)
        self.assertEqual(inst.mail("bob"), [])       # no DSN

    def test_relay_5xx_dsn(self):
        sink = Sink(rcpt_reply="550 5.1.1 <x@remote.example>: no such user "
                               "at the sink")
        inst = self.full(sink=sink)
        inst.sendmail(["-f", "bob", "x@remote.example"],
                      "Subject: refused\nMessage-ID: <r5@test.example>\n\nb\n")
        (dsn,) = inst.wait_mail("bob", 1)
        msg, rcpts = dsn_fields(dsn)
        self.assertEqual(msg["Return-Path"], "<>")
        (r,) = rcpts
        self.assertEqual(r["final-recipient"], "rfc822; x@remote.example")
        self.assertEqual(r["action"], "failed")
        self.assertEqual(r["status"], "5.1.1")
        self.assertIn("no such user at the sink", r.get("diagnostic-code", ""))
        self.assertIn(b"no such user at the sink", dsn)
        self.assertIn(b"r5@test.example", dsn)
        inst.wait_queue_empty()
        self.assertEqual(sink.messages, [])

    def test_relay_dropped_in_data(self):
        sink = Sink(script=["drop"])
        inst = self.full(sink=sink)
        inst.sendmail(["-f", "bob", "x@remote.example", "y@remote.example"],
                      "Subject: drop\n\nagain\n")
        qid = inst.qid_of(r": to=<x@remote\.example>.*status=deferred")
        (env,) = self.wait_sink(inst, sink, 1)   # after back-off, no flush
        self.assertEqual(sorted(env.rcpt_tos),
                         ["x@remote.example", "y@remote.example"])
        self.assertTrue(env.original_content.endswith(b"\r\n\r\nagain\r\n"))
        inst.wait_for_log(qid + r": removed")
        self.assertEqual(sink.attempts, 2)
        self.assertEqual(len(sink.messages), 1)
        self.assertEqual(inst.mail("bob"), [])

    def test_smtp_agent_killed(self):
        """The smtp agent killed while idle, then while it waits for the
        remote's reply to DATA: the message is tried again by a fresh
        agent and arrives once, without a DSN."""
        sink = Sink(script=["ok", "slow"])
        inst = self.full(sink=sink)
        inst.sendmail(["-f", "bob", "x@remote.example"], "Subject: 1\n\nb\n")
        self.wait_sink(inst, sink, 1)
        idle = inst.kill_service("smtp")
        self.assertTrue(idle)
        inst.sendmail(["-f", "bob", "y@remote.example"], "Subject: 2\n\nb\n")
        self.assertTrue(sink.in_data.wait(15), inst.log_tail())
        busy = inst.kill_service("smtp")
        self.assertTrue(busy)
        self.assertFalse(set(idle) & set(busy))
        envs = self.wait_sink(inst, sink, 2, timeout=20)
        self.assertEqual(envs[1].rcpt_tos, ["y@remote.example"])
        inst.wait_queue_empty()
        self.assertEqual(sink.attempts, 3)
        self.assertEqual(len(sink.messages), 2)
        self.assertEqual(inst.mail("bob"), [])

    def test_smtpd_killed_in_data(self):
        """smtpd killed in the middle of DATA: the client loses the
        connection without a 250, nothing is queued or delivered, and the
        next session (a fresh smtpd) works."""
        inst = self.full()
        s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        with s:
            f = s.makefile("rb")
            f.readline()
            s.sendall(b"HELO c\r\nMAIL FROM:<bob@test.example>\r\n"
                      b"RCPT TO:<alice@test.example>\r\nDATA\r\n")
            for _ in range(4):
                line = f.readline()
            self.assertTrue(line.startswith(b"354"), line)
            s.sendall(b"Subject: half\r\n\r\nhalf a message\r\n")
            self.assertTrue(inst.kill_service("smtpd"))
            try:
                rest = f.read()
            except ConnectionResetError:
                rest = b""
            self.assertEqual(rest, b"")     # no 250: EOF or a reset
        time.sleep(1)
        self.assertEqual(inst.mail("alice"), [])
        self.assertEqual(inst.in_flight(), 0)
        with smtplib.SMTP("127.0.0.1", self.port, timeout=10) as c:
            c.sendmail("bob@test.example", ["alice@test.example"],
                       crlf("Subject: whole\n\nwhole\n"))
        (raw,) = inst.wait_mail("alice", 1)
        self.assertEqual(parse(raw)["Subject"], "whole")
        self.assertEqual(inst.queued("corrupt"), [])

    def test_smtp_in_smtp_out(self):
        sink = Sink()
        inst = self.full(sink=sink)
        with smtplib.SMTP("127.0.0.1", self.port, timeout=10) as c:
            refused = c.sendmail("sender@elsewhere.example",
                                 ["x@remote.example", "alice@test.example"],
                                 crlf("Subject: through\n\nin and out\n"))
            self.assertEqual(refused, {})
        (env,) = self.wait_sink(inst, sink, 1)
        self.assertEqual(env.mail_from, "sender@elsewhere.example")
        self.assertEqual(env.rcpt_tos, ["x@remote.example"])
        content = env.original_content
        self.assertTrue(content.endswith(b"\r\n\r\nin and out\r\n"))
        head = parse(content.replace(b"\r\n", b"\n"))
        self.assertRegex(head["Received"], r"(?s)^from .*\[127\.0\.0\.1\]"
                                           r".*by test\.example \(Sluice\)")
        (raw,) = inst.wait_mail("alice", 1)
        self.assertTrue(raw.endswith(b"\n\nin and out\n"))
        inst.wait_queue_empty()

    def test_relay_bytes_exact(self):
        """A large body through smtpd's DATA scanner, cleanup, the queue
        file and the smtp client's dot-stuffing, byte for byte: runs of
        plain bytes longer than any buffer, dots at line starts on both
        sides of every buffer boundary, 8-bit bytes only near the end (the
        client must still say BODY=8BITMIME), and a 7-bit twin without."""
        sink = Sink(script=["ok", "ok"])
        inst = self.full(sink=sink)
        lines = []
        for i in range(3000):
            n = (i * 37) % 900
            lines.append(("." if i % 7 == 0 else "") + chr(97 + i % 26) * n)
        seven = "Subject: big\n\n" + "\n".join(lines) + "\n.\n..\nend\n"
        eight = seven.encode() + b"tail \xc3\xa9\n"
        with smtplib.SMTP("127.0.0.1", self.port, timeout=30) as c:
            c.sendmail("sender@elsewhere.example", ["x@remote.example"],
                       crlf(seven))
            c.sendmail("sender@elsewhere.example", ["x@remote.example"],
                       eight.replace(b"\n", b"\r\n"),
                       mail_options=["BODY=8BITMIME"])
        envs = self.wait_sink(inst, sink, 2, timeout=30)
        by_body = {e.original_content.endswith(b"\xc3\xa9\r\n"): e
                   for e in envs}
        for is8, want in ((False, crlf(seven)),
                          (True, eight.replace(b"\n", b"\r\n"))):
            env = by_body[is8]
            body = env.original_content
            self.assertTrue(body.endswith(want[want.index(b"\r\n\r\n"):]),
                            (is8, len(body), len(want)))
            self.assertEqual("BODY=8BITMIME" in env.mail_options, is8,
                             env.mail_options)
        inst.wait_queue_empty()

    def test_lmtp_unix_socket(self):
        server = Sink(lmtp_refuse=["u3@lmtp.example"])
        inst = self.full(lmtp=server)
        inst.sendmail(["-f", "bob", "u1@lmtp.example", "u2@lmtp.example",
                       "u3@lmtp.example"], "Subject: lmtp\n\nby lmtp\n")
        (env,) = self.wait_sink(inst, server, 1)
        self.assertEqual(sorted(env.rcpt_tos), ["u1@lmtp.example",
                                                "u2@lmtp.example",
                                                "u3@lmtp.example"])
        self.assertTrue(env.original_content.endswith(b"\r\n\r\nby lmtp\r\n"))
        for u in ("u1", "u2"):
            inst.wait_for_log(f"to=<{u}@lmtp\\.example>, relay=.*status=sent")
        # the per-recipient refusal after DATA: a DSN for u3 only
        (dsn,) = inst.wait_mail("bob", 1)
        _, rcpts = dsn_fields(dsn)
        self.assertEqual([(r["final-recipient"], r["status"]) for r in rcpts],
                         [("rfc822; u3@lmtp.example", "5.2.1")])
        self.assertIn(b"mailbox disabled at the sink", dsn)
        inst.wait_queue_empty()
        self.assertEqual(len(server.messages), 1)

    # ---- no open relay ---------------------------------------------------------

    def test_no_open_relay(self):
        sink = Sink()
        inst = self.full(sink=sink)
        tricks = ["x@remote.example", "x@REMOTE.example",
                  "x%remote.example@test.example",
                  "remote.example!x@test.example",
                  "@test.example:x@remote.example",
                  "\"x@remote.example\"@test.example",
                  "x@remote.example@test.example",
                  "x@remote.example.", "<x@remote.example>",
                  "x@[127.0.0.1]"]
        accepted, codes = [], {}
        for rcpt in tricks:
            s = smtplib.SMTP(timeout=10, source_address=("127.0.0.2", 0))
            try:
                s.connect("127.0.0.1", self.port)
                s.ehlo("untrusted.test")
                s.mail("spammer@elsewhere.example")
                code, _ = s.docmd(f"RCPT TO:<{rcpt}>" if not
                                  rcpt.startswith("<") else f"RCPT TO:{rcpt}")
                codes[rcpt] = code
                if code // 100 == 2:
                    accepted.append(rcpt)
                    code, _ = s.data(crlf(f"Subject: {rcpt}\n\nspam\n"))
                s.quit()
            except smtplib.SMTPException:
                pass
            finally:
                s.close()
        # only local parts of our own domain may be accepted at all
        for rcpt in accepted:
            self.assertTrue(rcpt.endswith("@test.example"), accepted)
        self.assertNotIn("x@remote.example", accepted)
        self.assertEqual(len(codes), len(tricks), codes)
        for rcpt, code in codes.items():
            self.assertTrue(code // 100 == 5 or rcpt in accepted, codes)
        self.assertEqual(codes["x@remote.example"], 554, codes)
        # a local recipient from the same client is fine
        with smtplib.SMTP(timeout=10, source_address=("127.0.0.2", 0)) as s:
            s.connect("127.0.0.1", self.port)
            self.assertEqual(s.sendmail("a@elsewhere.example",
                                        ["alice@test.example"],
                                        crlf("Subject: ok\n\nlocal\n")), {})
        inst.wait_mail("alice", 1)
        wait_until(lambda: inst.in_flight() == 0, 15, what="queue empty")
        log = inst.log()
        self.assertNotRegex(log, r"relay=127\.0\.0\.1\[")
        self.assertNotRegex(log, r"to=<[^>]*@remote\.example>")
        self.assertEqual(sink.messages, [])
        self.assertEqual(sink.attempts, 0)

    # ---- load -------------------------------------------------------------

    def load_check(self, inst, ledger, count):
        ledger.wait_complete(timeout=60)
        inst.wait_queue_empty(timeout=20)
        self.assertEqual(len(ledger.sent), count)
        arrived = ledger.arrived()
        self.assertEqual(sum(arrived.values()), count)
        self.assertEqual(ledger.duplicates(), {})
        self.assertEqual(ledger.phantoms(), [])

    def test_load_smtplib(self):
        """200 messages over 10 concurrent sessions, all in Maildirs."""
        inst = self.full()
        ledger = Ledger(inst)
        users = [f"load{i}" for i in range(5)]
        errors = []

        def session(n):
            try:
                with smtplib.SMTP("127.0.0.1", self.port, timeout=30) as c:
                    for i in range(20):
                        token = f"s{n}m{i}"
                        user = users[(n + i) % len(users)]
                        ledger.record(token, [user])
                        c.sendmail("load@test.example", [f"{user}@test.example"],
                                   crlf(ledger.message(token)))
            except Exception as e:
                errors.append(repr(e))
        threads = [threading.Thread(target=session, args=(n,))
                   for n in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertEqual(errors, [])
        self.load_check(inst, ledger, 200)

    def test_load_smtp_source(self):
        script = os.path.join(TOP, "tools", "postfix-local.sh")
        tool = subprocess.run(["sh", script, "bin", "smtp-source"],
                              capture_output=True, text=True).stdout.strip()
        env = dict(os.environ)
        if tool and os.access(tool, os.X_OK):
            # RUNPATH /usr/lib/postfix is not there: the unpacked libraries
            root = os.path.dirname(os.path.dirname(os.path.dirname(tool)))
            env["LD_LIBRARY_PATH"] = os.path.join(root, "usr/lib/postfix")
        else:
            tool = shutil.which("smtp-source")
        if not tool:
            self.skipTest("Postfix's smtp-source not available (not unpacked "
                          "by tools/postfix-local.sh, none in PATH)")
        inst = self.full()
        p = subprocess.run([tool, "-s", "10", "-m", "200", "-f",
                            "load@test.example", "-t", "sink@test.example",
                            f"127.0.0.1:{self.port}"],
                           capture_output=True, timeout=120, env=env)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        wait_until(lambda: len(inst.mail("sink")) >= 200, 60,
                   what="200 messages for sink")
        inst.wait_queue_empty(timeout=20)
        self.assertEqual(len(inst.mail("sink")), 200)


if __name__ == "__main__":
    unittest.main()
