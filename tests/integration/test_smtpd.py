"""test_smtpd.py - smtpd under master with cleanup behind it, driven by
real clients: Python smtplib (plain, STARTTLS, pipelined commands), swaks,
openssl s_client -starttls smtp; relay control from an untrusted address
(the client binds 127.0.0.2, mynetworks = 127.0.0.1/32) including the
address tricks; STARTTLS command injection; a cleanup that dies during
DATA gives 451 4.3.0 and nothing is queued.

Skipped until bin/smtpd and bin/cleanup both exist (smtpd_main.c waits for
cleanup_client.c from the submit helper).
"""
import os
import shutil
import smtplib
import signal
import socket
import ssl
import subprocess
import unittest

from instance import Instance, wait_until

BIN = os.path.abspath(os.environ.get("SLUICE_BIN", os.path.join(
    os.path.dirname(__file__), "..", "..", "bin")))
HAVE = all(os.path.exists(os.path.join(BIN, p)) for p in ("smtpd", "cleanup"))

SERVICES = ["$smtpd_listen inet n - n - - smtpd",
            "cleanup unix - - n - - cleanup"]


def queued(inst):
    d = os.path.join(inst.queue, "incoming")
    return [f for f in os.listdir(d) if not f.endswith(".part")] \
        if os.path.isdir(d) else []


def make_cert(directory):
    key, pem = os.path.join(directory, "k.pem"), os.path.join(directory, "c.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                    "-days", "1", "-subj", "/CN=test.example", "-keyout", key,
                    "-out", pem], check=True, capture_output=True)
    return pem, key


def raw(port, lines, source="127.0.0.1", timeout=10):
    """Sends lines (all at once) and returns everything read until EOF."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout,
                                 source_address=(source, 0))
    with s:
        s.recv(1000)
        s.sendall("".join(l + "\r\n" for l in lines).encode())
        data = b""
        while True:
            try:
                chunk = s.recv(4096)
            except socket.timeout:
                break
            if not chunk:
                break
            data += chunk
    return data.decode(errors="replace")


@unittest.skipUnless(HAVE, "bin/smtpd or bin/cleanup not built yet")
class SmtpdTest(unittest.TestCase):
    def instance(self, tls=False, **main):
        main.setdefault("mynetworks", "127.0.0.1/32")
        main.setdefault("mydestination", "test.example, localhost")
        inst = Instance(main=main, services=SERVICES)
        self.addCleanup(inst.close)
        if tls:
            pem, key = make_cert(inst.etc)
            inst.main.update(smtpd_tls_cert_file=pem, smtpd_tls_key_file=key)
            inst.write_config()
        inst.start()
        self.port = inst.ports["smtpd_listen"]
        return inst

    def test_plain_smtplib(self):
        inst = self.instance()
        with smtplib.SMTP("127.0.0.1", self.port, timeout=10) as c:
            c.ehlo("client.test")
            self.assertIn("pipelining", c.esmtp_features)
            refused = c.sendmail("a@test.example", ["u@test.example"],
                                 b"Subject: hi\r\n\r\nbody\r\n")
            self.assertEqual(refused, {})
        wait_until(lambda: queued(inst), 5, what="queue file")
        inst.wait_for_log(r"[0-9A-F]+: client=unknown\[127\.0\.0\.1\]")

    def test_starttls_smtplib_and_openssl(self):
        inst = self.instance(tls=True)
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        with smtplib.SMTP("127.0.0.1", self.port, timeout=10) as c:
            c.starttls(context=ctx)
            c.ehlo("client.test")
            self.assertNotIn("starttls", c.esmtp_features)
            c.sendmail("a@test.example", ["u@test.example"], b"\r\nx\r\n")
        p = subprocess.run(["openssl", "s_client", "-starttls", "smtp",
                            "-connect", f"127.0.0.1:{self.port}", "-quiet"],
                           input=b"EHLO x\r\nQUIT\r\n", capture_output=True,
                           timeout=20)
        self.assertIn(b"221", p.stdout)
        self.assertEqual(len(queued(inst)), 1)

    @unittest.skipUnless(shutil.which("swaks"), "swaks not installed")
    def test_swaks_plain_tls_pipelining(self):
        inst = self.instance(tls=True)
        for extra in ([], ["--tls"], ["--pipeline"]):
            p = subprocess.run(["swaks", "-s", "127.0.0.1", "-p",
                                str(self.port), "-f", "a@test.example",
                                "-t", "u@test.example", "--timeout", "10",
                                *extra], capture_output=True, timeout=30)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        wait_until(lambda: len(queued(inst)) == 3, 5, what="three files")

    def test_pipelined_raw(self):
        inst = self.instance()
        out = raw(self.port, ["EHLO c", "MAIL FROM:<a@test.example>",
                              "RCPT TO:<u@test.example>", "DATA",
                              "Subject: p", "", "x", ".", "QUIT"])
        self.assertIn("250 2.0.0 Ok: queued as", out)
        self.assertEqual(len(queued(inst)), 1)

    def test_no_open_relay(self):
        inst = self.instance()
        tricks = ["u@elsewhere.example", "u%elsewhere.example@test.example",
                  "@test.example:u@elsewhere.example",
                  "elsewhere.example!u@test.example",
                  '"u@elsewhere.example"@test.example']
        for rcpt in tricks:
            out = raw(self.port, ["EHLO c", "MAIL FROM:<a@b.example>",
                                  f"RCPT TO:<{rcpt}>", "QUIT"],
                      source="127.0.0.2")
            self.assertIn("554 5.7.1", out, rcpt)
        # the trusted address may relay
        out = raw(self.port, ["EHLO c", "MAIL FROM:<a@b.example>",
                              "RCPT TO:<u@elsewhere.example>", "QUIT"])
        self.assertIn("250 2.1.5", out)
        self.assertEqual(queued(inst), [])

    def test_smuggling_refused(self):
        inst = self.instance()
        out = raw(self.port, ["EHLO c", "MAIL FROM:<a@test.example>",
                              "RCPT TO:<u@test.example>", "DATA",
                              "x\n.\nMAIL FROM:<evil@x>", ".", "QUIT"])
        self.assertIn("550 5.5.2", out)
        self.assertEqual(queued(inst), [])

    def test_starttls_injection_discarded(self):
        inst = self.instance(tls=True)
        s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        s.recv(1000)
        s.sendall(b"EHLO c\r\n")
        s.recv(4000)
        s.sendall(b"STARTTLS\r\nRSET\r\n")
        self.assertTrue(s.recv(1000).startswith(b"220"))
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        t = ctx.wrap_socket(s)
        t.sendall(b"NOOP\r\n")
        self.assertTrue(t.recv(1000).startswith(b"250"))  # not RSET's reply
        t.close()
        self.assertEqual(queued(inst), [])

    def test_cleanup_killed_in_data(self):
        inst = self.instance()
        s = socket.create_connection(("127.0.0.1", self.port), timeout=15)
        f = s.makefile("rb")
        f.readline()
        s.sendall(b"HELO c\r\nMAIL FROM:<a@test.example>\r\n"
                  b"RCPT TO:<u@test.example>\r\nDATA\r\n")
        for _ in range(4):
            f.readline()
        # Kill the cleanup that took smtpd's connection (state "busy"), not
        # one that master forked and that has not accepted it yet.
        busy = lambda: [p["pid"] for p in inst.status()["processes"]
                        if p["service"] == "cleanup" and p["state"] != "idle"]
        wait_until(busy, 5, what="a busy cleanup process")
        os.kill(busy()[0], signal.SIGKILL)
        s.sendall(b"Subject: x\r\n\r\nbody\r\n.\r\n")
        reply = f.readline()
        self.assertTrue(reply.startswith(b"451 4.3.0"), reply)
        s.close()
        self.assertEqual(queued(inst), [])


if __name__ == "__main__":
    unittest.main()
