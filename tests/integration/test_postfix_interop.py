"""test_postfix_interop.py - Sluice against a real Postfix (issue 5): a
private Postfix instance from tools/postfix-local.sh (Debian's package
unpacked into bench/out/postfix, never installed system-wide) on loopback
ports, next to a full Sluice instance (fullinst.py), each test with its own
instances of both.

    Sluice -> Postfix -> Maildir: Sluice relays by transport_maps to
        Postfix's smtpd, whose virtual(8) delivers into a Maildir; the
        message arrives once with its X-Ledger token and body intact, and
        the 5xx Postfix gives an unknown virtual user comes back as a DSN
        in the Sluice sender's Maildir.
    Postfix -> Sluice -> Maildir: Postfix relays by its transport_maps into
        Sluice's smtpd with smtp_tls_security_level = may against Sluice's
        self-signed certificate; the Received line Sluice adds says ESMTPS.
    smtp-source load: 200 messages over 10 sessions into Sluice's smtpd,
        exactly 200 in the Maildir.

Skipped, with the reason, when Postfix cannot be set up (not root, no dpkg,
apt-get download failing offline, the script failing).
"""
import os
import re
import shutil
import signal
import smtplib
import subprocess
import tempfile
import time
import unittest

from fullinst import FullInstance, Ledger, QID, dsn_fields, parse, listdir
from instance import TOP, free_port, wait_until

SCRIPT = os.path.join(TOP, "tools", "postfix-local.sh")
STATE = {}


def crlf(text):
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode()


def postfix_available():
    """(True, prefix) once Postfix is unpacked, else (False, reason)."""
    if "ok" in STATE:
        return STATE["ok"]
    if os.geteuid() != 0:
        STATE["ok"] = (False, "Postfix needs root (its master starts as root)")
    elif not shutil.which("dpkg"):
        STATE["ok"] = (False, "no dpkg: Postfix is unpacked from the Debian "
                              "package")
    else:
        try:
            p = subprocess.run(["sh", SCRIPT, "install"], capture_output=True,
                               text=True, timeout=300)
            if p.returncode == 0:
                STATE["ok"] = (True, p.stdout.strip().splitlines()[-1])
            else:
                STATE["ok"] = (False, f"{SCRIPT} install failed: "
                                      f"{p.stderr.strip()}")
        except subprocess.TimeoutExpired:
            STATE["ok"] = (False, f"{SCRIPT} install timed out")
    return STATE["ok"]


def postfix_env(prefix):
    env = dict(os.environ)
    env["LD_LIBRARY_PATH"] = os.path.join(prefix, "root/usr/lib/postfix")
    return env


def setUpModule():
    ok, what = postfix_available()
    if not ok:
        raise unittest.SkipTest(what)
    d = tempfile.mkdtemp(prefix="pf-interop-cert-")
    STATE["certdir"] = d
    key, pem = os.path.join(d, "key.pem"), os.path.join(d, "cert.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                    "-days", "1", "-subj", "/CN=test.example", "-keyout", key,
                    "-out", pem], check=True, capture_output=True, timeout=60)
    STATE.update(pem=pem, key=key)


def tearDownModule():
    if "certdir" in STATE:
        shutil.rmtree(STATE.pop("certdir"), ignore_errors=True)


class PostfixInstance:
    """One private Postfix: DIR/etc, DIR/queue, DIR/log/postfix.log, and
    DIR/mail for virtual Maildirs. Stopped (SIGKILL as a last resort) and
    removed by test cleanup, registered before it starts."""

    def __init__(self, test):
        self.prefix = STATE["ok"][1]
        self.env = postfix_env(self.prefix)
        self.dir = tempfile.mkdtemp(prefix="pf-interop-")
        os.chmod(self.dir, 0o755)       # the postfix user walks into it
        self.port = free_port()
        self.logfile = os.path.join(self.dir, "log", "postfix.log")
        test.addCleanup(self.close)

    def configure(self, params):
        """Writes etc/main.cf and master.cf with params (name -> value)."""
        args = [f"listen=127.0.0.1:{self.port}"]
        args += [f"{k}={v}" for k, v in params.items()]
        p = subprocess.run(["sh", SCRIPT, "instance", self.dir, *args],
                           capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            raise AssertionError(f"postfix instance: {p.stderr}")

    def path(self, *names):
        return os.path.join(self.dir, *names)

    def write(self, name, text):
        with open(self.path(name), "w") as f:
            f.write(text)
        return self.path(name)

    def start(self):
        p = subprocess.run(["sh", SCRIPT, "start", self.dir],
                           capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            raise AssertionError(f"postfix start: {p.stdout}{p.stderr}\n"
                                 f"{self.log_tail()}")
        wait_until(self.master_pid, 20, what="postfix master pid")
        wait_until(self.listening, 20, what="postfix smtpd port")

    def listening(self):
        try:
            with smtplib.SMTP("127.0.0.1", self.port, timeout=2):
                return True
        except (OSError, smtplib.SMTPException):
            return False

    def master_pid(self):
        try:
            with open(self.path("queue", "pid", "master.pid")) as f:
                pid = int(f.read().split()[0])
            os.kill(pid, 0)
            return pid
        except (OSError, ValueError, IndexError):
            return None

    def log(self):
        try:
            with open(self.logfile, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def log_tail(self, n=30):
        return "--- postfix log tail ---\n" + "\n".join(
            self.log().splitlines()[-n:])

    def wait_for_log(self, pattern, timeout=15):
        rx = re.compile(pattern)
        try:
            return wait_until(lambda: rx.search(self.log()), timeout,
                              what=f"postfix log line /{pattern}/")
        except AssertionError as e:
            raise AssertionError(f"{e}\n{self.log_tail()}") from None

    def maildir_new(self, user):
        new = self.path("mail", user, "Maildir", "new")
        out = []
        for n in listdir(new):
            with open(os.path.join(new, n), "rb") as f:
                out.append(f.read())
        return out

    def queue_count(self):
        n = 0
        for sub in ("maildrop", "incoming", "active", "deferred", "hold"):
            for _, _, files in os.walk(self.path("queue", sub)):
                n += len(files)
        return n

    def close(self):
        pid = self.master_pid()
        try:
            if pid:
                subprocess.run(["sh", SCRIPT, "stop", self.dir],
                               capture_output=True, timeout=30)
                try:
                    wait_until(lambda: not os.path.exists(f"/proc/{pid}"), 15,
                               what="postfix master exit")
                except AssertionError:
                    os.kill(pid, signal.SIGKILL)
        except (subprocess.TimeoutExpired, ProcessLookupError):
            if pid:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        finally:
            if not os.environ.get("SLUICE_KEEP"):
                shutil.rmtree(self.dir, ignore_errors=True)


class PostfixInteropTest(unittest.TestCase):
    def sluice(self, tls=False, routes=None):
        inst = FullInstance(self)
        if routes:
            inst.transport(routes)
        if tls:
            inst.main.update(smtpd_tls_cert_file=STATE["pem"],
                             smtpd_tls_key_file=STATE["key"])
            inst.write_config()
        inst.start()
        return inst

    def logs(self, inst, pf):
        return f"{inst.log_tail()}\n{pf.log_tail()}"

    def test_sluice_to_postfix_maildir(self):
        """Sluice relays to Postfix; Postfix's virtual delivers alice into
        a Maildir and refuses nobody at RCPT (a DSN for bob)."""
        pw = subprocess.run(["id", "-u", "postfix"], capture_output=True,
                            text=True, check=True).stdout.strip()
        gr = subprocess.run(["id", "-g", "postfix"], capture_output=True,
                            text=True, check=True).stdout.strip()
        pf = PostfixInstance(self)
        base = pf.path("mail")
        os.makedirs(base)
        os.chown(base, int(pw), int(gr))
        vmap = pf.write("vmailbox", "alice@pf.example alice/Maildir/\n")
        pf.configure({"virtual_mailbox_domains": "pf.example",
                      "virtual_mailbox_maps": f"texthash:{vmap}",
                      "virtual_mailbox_base": base,
                      "virtual_uid_maps": f"static:{pw}",
                      "virtual_gid_maps": f"static:{gr}",
                      "virtual_minimum_uid": "1"})
        pf.start()
        inst = self.sluice(routes=f"pf.example smtp:[127.0.0.1]:{pf.port}\n")
        ledger = Ledger(inst)
        token = "pf-out-1"
        inst.sendmail(["-i", "-f", "bob", "alice@pf.example",
                       "nobody@pf.example"],
                      "Message-ID: <pfout@test.example>\n" +
                      ledger.message(token) + ".\n..two dots\nend\n")
        try:
            wait_until(lambda: pf.maildir_new("alice"), 20,
                       what="alice's message in Postfix's Maildir")
        except AssertionError as e:
            raise AssertionError(f"{e}\n{self.logs(inst, pf)}") from None
        # the refusal: a DSN for nobody only, in bob's Maildir at Sluice
        (dsn,) = inst.wait_mail("bob", 1, timeout=20)
        msg, rcpts = dsn_fields(dsn)
        self.assertEqual(msg["Return-Path"], "<>")
        self.assertEqual([(r["final-recipient"], r["action"], r["status"])
                          for r in rcpts],
                         [("rfc822; nobody@pf.example", "failed", "5.1.1")])
        self.assertIn("User unknown in virtual mailbox table",
                      rcpts[0].get("diagnostic-code", ""))
        self.assertIn(b"pfout@test.example", dsn)
        inst.wait_queue_empty()
        pf.wait_for_log(r"to=<alice@pf\.example>.*relay=virtual.*status=sent")
        wait_until(lambda: pf.queue_count() == 0, 15,
                   what="postfix queue empty")
        # delivered once, content intact
        got = pf.maildir_new("alice")
        self.assertEqual(len(got), 1, got)
        raw = got[0]
        self.assertEqual(re.findall(rb"^X-Ledger: (\S+)$", raw, re.M),
                         [token.encode()])
        m = parse(raw)
        self.assertEqual(m["Return-Path"], "<bob@test.example>")
        self.assertEqual(m["Delivered-To"], "alice@pf.example")
        self.assertEqual(m["Message-ID"], "<pfout@test.example>")
        self.assertTrue(raw.endswith(b"\n\nbody of pf-out-1\n.\n..two dots\n"
                                     b"end\n"), raw)
        # Postfix's Received names Sluice's HELO; Sluice's own is below
        received = m.get_all("Received")
        self.assertRegex(received[0], r"(?s)^from test\.example .*\[127\.0\.0"
                                      r"\.1\].*by postfix\.bench\.test")
        self.assertEqual(len(received), 2, received)
        self.assertRegex(received[1], r"by test\.example \(Sluice\)")
        self.assertEqual(inst.mail("alice"), [])

    def test_postfix_to_sluice_maildir(self):
        """Postfix relays into Sluice's smtpd over opportunistic TLS."""
        inst = self.sluice(tls=True)
        sport = inst.ports["smtpd_listen"]
        pf = PostfixInstance(self)
        table = pf.write("transport",
                         f"test.example smtp:[127.0.0.1]:{sport}\n")
        pf.configure({"transport_maps": f"texthash:{table}",
                      "smtp_tls_security_level": "may",
                      "smtp_tls_loglevel": "1"})
        pf.start()
        token = "pf-in-1"
        text = (f"X-Ledger: {token}\nSubject: from postfix\n"
                f"Message-ID: <pfin@elsewhere.example>\n\n"
                f"body of {token}\n.\n..two dots\nend\n")
        with smtplib.SMTP("127.0.0.1", pf.port, timeout=10) as c:
            refused = c.sendmail("carol@elsewhere.example",
                                 ["alice@test.example"], crlf(text))
            self.assertEqual(refused, {})
        try:
            (raw,) = inst.wait_mail("alice", 1, timeout=20)
        except AssertionError as e:
            raise AssertionError(f"{e}\n{pf.log_tail()}") from None
        pf.wait_for_log(r"to=<alice@test\.example>, relay=127\.0\.0\.1"
                        r"\[127\.0\.0\.1\]:\d+, .*status=sent")
        pf.wait_for_log(r"TLS connection established to 127\.0\.0\.1")
        wait_until(lambda: pf.queue_count() == 0, 15,
                   what="postfix queue empty")
        inst.wait_queue_empty()
        time.sleep(0.5)                   # nothing else arrives
        self.assertEqual(len(inst.mail("alice")), 1)
        m = parse(raw)
        self.assertEqual(m["Return-Path"], "<carol@elsewhere.example>")
        self.assertEqual(re.findall(rb"^X-Ledger: (\S+)$", raw, re.M),
                         [token.encode()])
        self.assertTrue(raw.endswith(b"\n\nbody of pf-in-1\n.\n..two dots\n"
                                     b"end\n"), raw)
        received = m.get_all("Received")
        # Sluice's line on top: from Postfix's HELO, over TLS
        self.assertRegex(received[0], r"(?s)^from postfix\.bench\.test .*"
                                      r"\[127\.0\.0\.1\].*by test\.example "
                                      r"\(Sluice\).*with ESMTPS")
        # one Received per hop: Sluice's, then Postfix's
        self.assertEqual(len(received), 2, received)
        self.assertRegex(received[1], r"by postfix\.bench\.test \(Postfix\)"
                                      r" with ESMTP")

    def test_smtp_source_load(self):
        """smtp-source -m 200 -s 10 into Sluice's smtpd: exactly 200 in
        the Maildir, none left in the queue."""
        prefix = STATE["ok"][1]
        tool = subprocess.run(["sh", SCRIPT, "bin", "smtp-source"],
                              capture_output=True, text=True,
                              check=True).stdout.strip()
        self.assertTrue(os.access(tool, os.X_OK), tool)
        inst = self.sluice()
        port = inst.ports["smtpd_listen"]
        p = subprocess.run([tool, "-s", "10", "-m", "200", "-f",
                            "load@test.example", "-t", "sink@test.example",
                            f"127.0.0.1:{port}"], capture_output=True,
                           timeout=120, env=postfix_env(prefix))
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        try:
            wait_until(lambda: len(inst.mail("sink")) >= 200, 60,
                       what="200 messages for sink")
        except AssertionError as e:
            raise AssertionError(f"{e}\n{inst.log_tail()}") from None
        inst.wait_queue_empty(timeout=20)
        got = inst.mail("sink")
        self.assertEqual(len(got), 200)
        for raw in got:
            self.assertEqual(parse(raw)["Return-Path"], "<load@test.example>")
        # one local delivery per message, 200 distinct queue ids
        sent = re.findall(r"local\[\d+\]: (" + QID + r"): "
                          r"to=<sink@test\.example>.*status=sent", inst.log())
        self.assertEqual(len(sent), 200)
        self.assertEqual(len(set(sent)), 200)


if __name__ == "__main__":
    unittest.main()
