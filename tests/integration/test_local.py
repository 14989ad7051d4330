"""test_local.py - the local delivery agent and the bounce daemon in a real
instance, driven the way qmgr drives them: a committed queue file written
in the record format (src/mail/record.h) into active/, then an attribute
request on private/local or private/bounce (src/mail/mail_proto.h).

Covered: Maildir bytes exactly, tmp/ left empty; virtual mailboxes; unknown
user (5.1.1); aliases, :include:, a |command target (run as default_privs
when root); a mailbox that cannot be created (deferred, nothing in new/);
mail loop (5.4.6); forwarding to a remote address through cleanup (a fake
cleanup in this file records what it is sent); bounce: a DSN for a log
entry handed to cleanup, reply only after cleanup's OK; the null sender.
With root: a real account (useradd) with an mbox in the spool (From_ line,
>From escaping) and a ~/.forward. With the fault build
(make faultinject-build): local killed before link() leaves no message in
new/, only garbage in tmp/.
"""
import os
import pwd
import shutil
import socket
import struct
import subprocess
import threading
import time
import unittest

from instance import Instance, TOP, wait_until

LOCAL = "local unix - n n - - local"
BOUNCE = "bounce unix - - n - - bounce"
FI_BIN = os.path.join(TOP, "build", "plain-fi", "bin")
_counter = [0]


# ---- the queue-file record format and the attribute codec -----------------

def rec(t, payload=b""):
    return t.encode() + struct.pack(">I", len(payload)) + payload


def new_id():
    _counter[0] += 1
    now = time.time()
    return "%08X%05X%06X%04X" % (int(now), int((now % 1) * 1e6),
                                 os.getpid() & 0xFFFFFF, _counter[0])


def write_queue_file(queue, sender, rcpts, content, attrs=()):
    """A committed file in active/; returns (id, content_offset, offsets)."""
    data = rec("V", b"sluice-queue-1") + rec("T", b"1700000000.000000")
    for a in attrs:
        data += rec("A", a.encode())
    data += rec("S", sender.encode())
    offsets = []
    for r in rcpts:
        offsets.append(len(data))
        data += rec("R", r.encode() + b"\0\0")
    data += rec("M")
    content_offset = len(data)
    for i in range(0, len(content), 1000):
        data += rec("C", content[i:i + 1000])
    data += rec("X") + rec("E")
    qid = new_id()
    os.makedirs(os.path.join(queue, "active"), exist_ok=True)
    path = os.path.join(queue, "active", qid)
    with open(path + ".tmp", "wb") as f:
        f.write(data)
    os.chmod(path + ".tmp", 0o600)
    os.rename(path + ".tmp", path)
    return qid, content_offset, offsets


def attr_encode(pairs):
    out = b""
    for name, value in pairs:
        v = value.encode() if isinstance(value, str) else value
        esc = b"".join(b"%%%02X" % c if c == 0x25 or c < 0x20 or c == 0x7F
                       else bytes([c]) for c in v)
        out += name.encode() + b"=" + esc + b"\n"
    return out + b"\n"


def attr_read(sock):
    """One record as a list of (name, value); None on EOF."""
    return attr_read_file(sock.makefile("rb"))


def attr_read_file(f):
    """The next record of a binary file object; None on EOF."""
    pairs = []
    while True:
        line = f.readline()
        if not line:
            return None
        if line == b"\n":
            return pairs
        name, _, value = line[:-1].partition(b"=")
        out, i = b"", 0
        while i < len(value):
            if value[i:i + 1] == b"%":
                out += bytes([int(value[i + 1:i + 3], 16)])
                i += 3
            else:
                out += value[i:i + 1]
                i += 1
        pairs.append((name.decode(), out.decode()))


def ask(inst, service, pairs, timeout=30):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(timeout)
    s.connect(inst.socket_path(service, public=False))
    s.sendall(attr_encode(pairs))
    s.shutdown(socket.SHUT_WR)  # as qmgr: the end of its requests
    try:
        return attr_read(s)
    finally:
        s.close()


def ask_many(inst, service, requests, timeout=30):
    """Several request records in one connection, then EOF: the reply
    records (lists of (name, value)), in order, read until the agent
    closes."""
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(timeout)
    s.connect(inst.socket_path(service, public=False))
    s.sendall(b"".join(attr_encode(p) for p in requests))
    s.shutdown(socket.SHUT_WR)
    f = s.makefile("rb")
    try:
        return [rec for rec in iter(lambda: attr_read_file(f), None)]
    finally:
        f.close()
        s.close()


def request_pairs(inst, sender, rcpts, content, attrs=()):
    """A queue file in active/ and the request record that names it:
    (id, pairs, the recipients' offsets)."""
    qid, coff, offs = write_queue_file(inst.queue, sender, rcpts, content,
                                       attrs)
    pairs = [("queue_name", "active"), ("queue_id", qid), ("queue_file", qid),
             ("content_offset", str(coff)), ("sender", sender),
             ("envid", ""), ("ret", ""), ("nexthop", "test.example"),
             ("arrival_time", "1700000000")]
    for r, off in zip(rcpts, offs):
        pairs += [("rcpt", r), ("rcpt_offset", str(off)), ("orcpt", ""),
                  ("notify", "")]
    return qid, pairs, offs


def deliver(inst, sender, rcpts, content, attrs=()):
    """Queue file + request to local; returns ({rcpt: outcome}, id)."""
    qid, pairs, offs = request_pairs(inst, sender, rcpts, content, attrs)
    reply = ask(inst, "local", pairs)
    if reply is None:
        return None, qid
    by_off = {off: r for r, off in zip(rcpts, offs)}
    out = {}
    for i in range(0, len(reply), 4):
        chunk = dict(reply[i:i + 4])
        out[by_off[int(chunk["rcpt_offset"])]] = chunk
    return out, qid


def files(d):
    try:
        return sorted(os.listdir(d))
    except FileNotFoundError:
        return []


def read(path):
    with open(path, "rb") as f:
        return f.read()


# ---- a fake cleanup: records what it is sent, answers OK ------------------

class FakeCleanup(threading.Thread):
    def __init__(self, inst):
        super().__init__(daemon=True)
        self.path = inst.socket_path("cleanup", public=False)
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.bind(self.path)
        os.chmod(self.path, 0o666)
        self.sock.listen(5)
        self.messages = []
        self.start()

    def run(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                f = conn.makefile("rb")
                recs = []
                while True:
                    hdr = f.read(5)
                    if len(hdr) < 5:
                        break
                    n = struct.unpack(">I", hdr[1:])[0]
                    recs.append((chr(hdr[0]), f.read(n)))
                    if hdr[:1] == b"E":
                        break
                self.messages.append(recs)
                conn.sendall(attr_encode([("status", "0"), ("reason", ""),
                                          ("queue_id", "0000000100000000000FA4E")]))

    def close(self):
        self.sock.close()
        if os.path.exists(self.path):
            os.unlink(self.path)


CONTENT = b"Subject: test\nFrom: s@example.org\n\nline one\nFrom the past\n"


class LocalTest(unittest.TestCase):
    def instance(self, bin_dir=None, **main):
        conf = {"local_delivery_virtual_only": "yes",
                "max_idle": "5s", "ipc_timeout": "20s"}
        conf.update(main)
        inst = Instance(main=conf, services=[LOCAL, BOUNCE])
        inst.main["virtual_mailbox_base"] = os.path.join(inst.dir, "mail")
        inst.main.update(main)
        if bin_dir:
            inst.main["daemon_directory"] = bin_dir
        inst.write_config()
        self.addCleanup(inst.close)
        return inst.start()

    def maildir(self, inst, user):
        return os.path.join(inst.dir, "mail", user, "Maildir")

    def test_virtual_maildir_exact_bytes(self):
        inst = self.instance()
        out, qid = deliver(inst, "s@example.org", ["Alice@test.example"],
                           CONTENT)
        r = out["Alice@test.example"]
        self.assertEqual((r["dsn_status"], r["dsn_action"]),
                         ("2.0.0", "delivered"), r)
        md = self.maildir(inst, "alice")
        new = files(os.path.join(md, "new"))
        self.assertEqual(len(new), 1)
        self.assertEqual(files(os.path.join(md, "tmp")), [])
        self.assertEqual(read(os.path.join(md, "new", new[0])),
                         b"Return-Path: <s@example.org>\n"
                         b"Delivered-To: Alice@test.example\n" + CONTENT)
        inst.wait_for_log(qid + r": to=<Alice@test.example>, relay=local, "
                          r"status=sent \(delivered to maildir ")

    def test_unknown_user_and_unwritable(self):
        inst = self.instance(local_delivery_virtual_only="no",
                             virtual_mailbox_base="")
        out, _ = deliver(inst, "s@x", ["nosuchuser-xyz@test.example"], CONTENT)
        r = out["nosuchuser-xyz@test.example"]
        self.assertEqual((r["dsn_status"], r["dsn_action"]), ("5.1.1", "failed"))

        inst2 = self.instance()
        os.makedirs(os.path.join(inst2.dir, "mail", "dave"))
        with open(self.maildir(inst2, "dave"), "w") as f:
            f.write("a file where the Maildir should be")
        out, _ = deliver(inst2, "s@x", ["dave@test.example", "erin@test.example"],
                         CONTENT)
        self.assertEqual(out["dave@test.example"]["dsn_action"], "deferred")
        self.assertTrue(out["dave@test.example"]["dsn_status"].startswith("4."))
        self.assertEqual(out["erin@test.example"]["dsn_action"], "delivered")

    def test_mail_loop(self):
        inst = self.instance()
        out, _ = deliver(inst, "s@x", ["bob@test.example"],
                         b"Delivered-To: bob@test.example\nSubject: x\n\nb\n")
        r = out["bob@test.example"]
        self.assertEqual((r["dsn_status"], r["dsn_action"]), ("5.4.6", "failed"))
        self.assertEqual(files(os.path.join(self.maildir(inst, "bob"), "new")),
                         [])

    def test_aliases_include_and_command(self):
        inst = self.instance()
        outdir = os.path.join(inst.dir, "out")
        os.makedirs(outdir)
        os.chmod(outdir, 0o777)
        os.chmod(inst.dir, 0o755)
        incl = os.path.join(inst.etc, "team.list")
        with open(incl, "w") as f:
            f.write("carol\n# a comment\ndan\n")
        with open(os.path.join(inst.etc, "aliases"), "w") as f:
            f.write(f"staff: alice, bob\n"
                    f"team: :include:{incl}\n"
                    f"pipe: \"|cat > {outdir}/piped; id -u > {outdir}/uid\"\n"
                    f"fail: \"|echo no such thing; exit 67\"\n"
                    f"later: \"|exit 75\"\n")
        out, _ = deliver(inst, "s@x", ["staff@test.example", "team@test.example",
                                       "pipe@test.example", "fail@test.example",
                                       "later@test.example"], CONTENT)
        self.assertEqual(out["staff@test.example"]["dsn_action"], "expanded")
        self.assertEqual(out["team@test.example"]["dsn_action"], "expanded")
        for user in ("alice", "bob", "carol", "dan"):
            self.assertEqual(len(files(os.path.join(self.maildir(inst, user),
                                                    "new"))), 1, user)
        self.assertEqual(out["pipe@test.example"]["dsn_status"], "2.0.0")
        self.assertEqual(read(os.path.join(outdir, "piped")),
                         b"Return-Path: <s@x>\nDelivered-To: pipe@test.example\n"
                         + CONTENT)
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody").pw_uid
            self.assertEqual(read(os.path.join(outdir, "uid")).strip(),
                             str(nobody).encode())
        r = out["fail@test.example"]
        self.assertEqual((r["dsn_status"], r["dsn_action"]), ("5.3.0", "failed"))
        self.assertIn("no such thing", r["reason"])
        r = out["later@test.example"]
        self.assertEqual((r["dsn_status"], r["dsn_action"]),
                         ("4.3.0", "deferred"))

    def test_file_target_link_and_symlink_deferred(self):
        # /file targets are opened with safe_open: a hard link or a symlink
        # where the file should be is refused and the recipient deferred,
        # and the file it points at is left alone.
        inst = self.instance()
        outdir = os.path.join(inst.dir, "out")
        os.makedirs(outdir)
        os.chmod(outdir, 0o777)
        os.chmod(inst.dir, 0o755)
        victim = os.path.join(outdir, "victim")
        with open(victim, "w"):
            pass
        os.link(victim, os.path.join(outdir, "linked"))
        os.symlink(victim, os.path.join(outdir, "symlinked"))
        with open(os.path.join(outdir, "plain"), "w"):
            pass
        os.chmod(os.path.join(outdir, "plain"), 0o666)  # default_privs
        with open(os.path.join(inst.etc, "aliases"), "w") as f:
            for name in ("linked", "symlinked", "plain"):
                f.write(f"{name}: {outdir}/{name}\n")
        rcpts = [n + "@test.example" for n in ("linked", "symlinked", "plain")]
        out, _ = deliver(inst, "s@x", rcpts, CONTENT)
        for r in rcpts[:2]:
            self.assertEqual(out[r]["dsn_action"], "deferred", out[r])
            self.assertTrue(out[r]["dsn_status"].startswith("4."), out[r])
        self.assertEqual(read(victim), b"")
        self.assertEqual(out[rcpts[2]]["dsn_status"], "2.0.0", out)
        self.assertTrue(read(os.path.join(outdir, "plain"))
                        .startswith(b"From s@x "))

    def test_forward_remote_through_cleanup(self):
        inst = self.instance()
        with open(os.path.join(inst.etc, "aliases"), "w") as f:
            f.write("away: someone@elsewhere.example\n")
        fake = FakeCleanup(inst)
        self.addCleanup(fake.close)
        out, _ = deliver(inst, "s@example.org", ["away@test.example"], CONTENT)
        r = out["away@test.example"]
        self.assertEqual((r["dsn_status"], r["dsn_action"]), ("2.0.0", "relayed"))
        self.assertEqual(len(fake.messages), 1)
        recs = fake.messages[0]
        self.assertIn(("S", b"s@example.org"), recs)
        self.assertIn(("R", b"someone@elsewhere.example\0\0"
                            b"rfc822;away@test.example"), recs)
        body = b"".join(p for t, p in recs if t == "C")
        self.assertEqual(body, b"Delivered-To: away@test.example\n" + CONTENT)

    def test_bounce_dsn_through_cleanup(self):
        inst = self.instance()
        fake = FakeCleanup(inst)
        self.addCleanup(fake.close)
        qid, _, offs = write_queue_file(inst.queue, "s@example.org",
                                        ["gone@remote.example"], CONTENT,
                                        attrs=["envid=ENV7"])
        os.makedirs(os.path.join(inst.queue, "bounce"), exist_ok=True)
        with open(os.path.join(inst.queue, "bounce", qid), "wb") as f:
            f.write(attr_encode([("rcpt", "gone@remote.example"),
                                 ("orcpt", ""), ("notify", ""),
                                 ("rcpt_offset", str(offs[0])),
                                 ("dsn_status", "5.1.1"),
                                 ("dsn_action", "failed"),
                                 ("reason", "550 5.1.1 no such user here"),
                                 ("time", "1700000100")]))
            f.write(b"rcpt=cut-short@remote.example\nrcpt_off")
        reply = dict(ask(inst, "bounce", [("queue_id", qid),
                                          ("queue_name", "active"),
                                          ("kind", "failed")]))
        self.assertEqual(reply["status"], "0", reply)
        self.assertEqual(reply["queue_id"], "0000000100000000000FA4E")
        recs = fake.messages[0]
        self.assertIn(("S", b""), recs)
        self.assertIn(("R", b"s@example.org\0\0"), recs)
        self.assertIn(("A", b"cleanup_flags=2"), recs)
        dsn = b"".join(p for t, p in recs if t == "C")
        self.assertIn(b"Final-Recipient: rfc822; gone@remote.example", dsn)
        self.assertIn(b"no such user here", dsn)
        self.assertIn(b"ENV7", dsn)
        self.assertNotIn(b"cut-short", dsn)

        # No cleanup: status 4, never 0.
        fake.close()
        reply = dict(ask(inst, "bounce", [("queue_id", qid),
                                          ("queue_name", "active"),
                                          ("kind", "failed")]))
        self.assertEqual(reply["status"], "4", reply)

    def test_batch_of_requests(self):
        """Several requests in one connection (as qmgr sends the messages
        waiting for one mailbox): every Maildir file is committed with the
        others, and each request gets its own reply, in order."""
        inst = self.instance()
        reqs = [request_pairs(inst, "s@example.org", [r], CONTENT)
                for r in ("ann@test.example", "bob@test.example",
                          "ann@test.example")]
        replies = ask_many(inst, "local", [p for _, p, _ in reqs])
        self.assertEqual(len(replies), 3)
        for (qid, pairs, _), reply in zip(reqs, replies):
            out = dict(reply)
            self.assertEqual(out["rcpt_offset"], dict(pairs)["rcpt_offset"])
            self.assertEqual(out["dsn_status"], "2.0.0", out)
            self.assertIn("delivered to maildir", out["reason"])
            path = out["reason"].split("maildir ", 1)[1]
            self.assertTrue(read(path).endswith(CONTENT))
            inst.wait_for_log(qid + r": to=<.*>, relay=local, status=sent")
        self.assertEqual(len(files(os.path.join(self.maildir(inst, "ann"),
                                                "new"))), 2)
        self.assertEqual(files(os.path.join(self.maildir(inst, "ann"),
                                            "tmp")), [])
        self.assertEqual(len(files(os.path.join(self.maildir(inst, "bob"),
                                                "new"))), 1)

    def test_killed_before_link(self):
        if not os.path.exists(os.path.join(FI_BIN, "local")):
            self.skipTest("no fault build (make faultinject-build)")
        once = os.path.join(TOP, "build", f"fi-once-{os.getpid()}")
        os.environ.update(SLUICE_FI_POINT="local.maildir_before_link",
                          SLUICE_FI_ONCE=once)
        try:
            if os.path.exists(once):
                os.unlink(once)
            inst = self.instance(bin_dir=FI_BIN)
            out, _ = deliver(inst, "s@x", ["kim@test.example"], CONTENT)
            self.assertIsNone(out)  # died: no reply, qmgr defers
            md = self.maildir(inst, "kim")
            self.assertEqual(files(os.path.join(md, "new")), [])
            self.assertEqual(len(files(os.path.join(md, "tmp"))), 1)
            # The next try (a fresh local) delivers once.
            out, _ = deliver(inst, "s@x", ["kim@test.example"], CONTENT)
            self.assertEqual(out["kim@test.example"]["dsn_status"], "2.0.0")
            self.assertEqual(len(files(os.path.join(md, "new"))), 1)
        finally:
            for k in ("SLUICE_FI_POINT", "SLUICE_FI_ONCE"):
                os.environ.pop(k, None)
            if os.path.exists(once):
                os.unlink(once)


@unittest.skipUnless(os.geteuid() == 0 and shutil.which("useradd"),
                     "needs root and useradd for a real account")
class AccountTest(unittest.TestCase):
    USER = "sluicet%d" % (os.getpid() % 10000)

    def setUp(self):
        self.inst = Instance(main={"home_mailbox": "", "max_idle": "5s"},
                             services=[LOCAL])
        self.addCleanup(self.inst.close)
        os.chmod(self.inst.dir, 0o755)
        self.home = os.path.join(self.inst.dir, "home")
        self.spool = os.path.join(self.inst.dir, "spool")
        os.makedirs(self.spool)
        subprocess.run(["useradd", "-M", "-d", self.home, self.USER],
                       check=True, capture_output=True)
        self.addCleanup(subprocess.run, ["userdel", self.USER],
                        capture_output=True)
        pw = pwd.getpwnam(self.USER)
        os.makedirs(self.home)
        os.chown(self.home, pw.pw_uid, pw.pw_gid)
        self.pw = pw
        self.inst.main["mail_spool_directory"] = self.spool
        self.inst.write_config()
        self.inst.start()

    def test_spool_mbox(self):
        rcpt = self.USER + "@test.example"
        out, _ = deliver(self.inst, "s@x", [rcpt], CONTENT)
        self.assertEqual(out[rcpt]["dsn_status"], "2.0.0", out)
        path = os.path.join(self.spool, self.USER)
        self.assertEqual(os.stat(path).st_uid, self.pw.pw_uid)
        data = read(path)
        first, rest = data.split(b"\n", 1)
        self.assertTrue(first.startswith(b"From s@x "), first)
        self.assertEqual(rest, b"Return-Path: <s@x>\nDelivered-To: " +
                         rcpt.encode() + b"\nSubject: test\nFrom: "
                         b"s@example.org\n\nline one\n>From the past\n\n")
        self.assertFalse(os.path.exists(path + ".lock"))

    def test_forward_file(self):
        out_file = os.path.join(self.home, "forwarded")
        fwd = os.path.join(self.home, ".forward")
        with open(fwd, "w") as f:
            f.write(f"\\{self.USER}, \"|cat > {out_file}\"\n")
        os.chown(fwd, self.pw.pw_uid, self.pw.pw_gid)
        rcpt = self.USER + "@test.example"
        out, _ = deliver(self.inst, "s@x", [rcpt], CONTENT)
        self.assertEqual(out[rcpt]["dsn_status"], "2.0.0", out)
        self.assertEqual(out[rcpt]["dsn_action"], "expanded")
        self.assertEqual(os.stat(out_file).st_uid, self.pw.pw_uid)
        self.assertTrue(read(out_file).endswith(CONTENT))
        self.assertTrue(read(os.path.join(self.spool, self.USER))
                        .startswith(b"From s@x "))

        # A .forward that others may write is not trusted for commands.
        os.chmod(fwd, 0o666)
        os.unlink(out_file)
        out, _ = deliver(self.inst, "s@x", [rcpt], CONTENT)
        self.assertEqual(out[rcpt]["dsn_status"], "5.7.1", out)
        self.assertFalse(os.path.exists(out_file))


    def test_owner_ids_do_not_outlive_the_mailbox(self):
        """Local keeps a mailbox owner's ids after a Maildir delivery, for
        the next one to the same mailbox (local_privs.c); a command after
        it in the same connection still runs as default_privs, not as the
        owner, and the owner's next delivery is the owner's again."""
        outdir = os.path.join(self.inst.dir, "out")
        os.makedirs(outdir)
        os.chmod(outdir, 0o777)
        with open(os.path.join(self.inst.etc, "aliases"), "w") as f:
            f.write(f"mix: {self.USER}, "
                    f"\"|id -u > {outdir}/uid; id -G > {outdir}/gids\"\n")
        self.inst.main["home_mailbox"] = "Maildir/"
        self.inst.write_config()
        self.inst.reload()
        me = self.USER + "@test.example"
        reqs = [request_pairs(self.inst, "s@x", [r], CONTENT)
                for r in (me, "mix@test.example", me)]
        replies = ask_many(self.inst, "local", [p for _, p, _ in reqs])
        self.assertEqual([dict(r)["dsn_status"] for r in replies],
                         ["2.0.0"] * 3, replies)
        nobody = pwd.getpwnam("nobody")
        self.assertEqual(read(os.path.join(outdir, "uid")).strip(),
                         str(nobody.pw_uid).encode())
        self.assertNotIn(str(self.pw.pw_gid).encode(),
                         read(os.path.join(outdir, "gids")).split())
        new = os.path.join(self.home, "Maildir", "new")
        self.assertEqual(len(files(new)), 3)
        for name in files(new):
            st = os.stat(os.path.join(new, name))
            self.assertEqual((st.st_uid, st.st_gid),
                             (self.pw.pw_uid, self.pw.pw_gid))
        self.assertFalse(os.path.exists(os.path.join(self.spool, self.USER)))


if __name__ == "__main__":
    unittest.main()
