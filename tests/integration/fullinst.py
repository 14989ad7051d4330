"""fullinst.py - a whole Sluice instance for end-to-end tests: every daemon
of conf/master.cf (smtpd, cleanup, qmgr, pickup, resolve, local, virtual,
smtp, lmtp, bounce) under a real master, with short timers so that retries
and expiry happen within seconds, plus the readers the tests check with:
Maildir and mbox contents, the queue directories, DSN parsing, and a
ledger of what was submitted against what arrived.

    inst = FullInstance(test, main={"maximal_queue_lifetime": "3s"})
    inst.start()
    inst.sendmail(["-f", "bob", "alice"], "Subject: x\n\nbody\n")
    (msg,) = inst.wait_mail("alice", 1)

Local names are virtual Maildirs under DIR/mail/<name>/Maildir
(local_delivery_virtual_only = yes), unless the test asks for real
accounts (virtual_only=False). The instance is closed by test cleanup.
"""
import email
import email.policy
import os
import re
import subprocess

from instance import Instance, wait_until

SERVICES = [
    "$smtpd_listen inet n - n - - smtpd",
    "cleanup unix - - n - - cleanup",
    "qmgr fifo - - n 300 1 qmgr",         # as conf/master.cf
    "pickup fifo n - n 2 1 pickup",      # wakeup: a maildrop file left
                                          # by a killed cleanup is retried
    "resolve unix - - n - - resolve",
    "local unix - n n - - local",
    "virtual unix - n n - - local",
    "smtp unix - - n - - smtp",
    "lmtp unix - - n - - smtp lmtp",
    "bounce unix - - n - - bounce",
]

QUEUES = ("maildrop", "incoming", "active", "deferred", "hold", "corrupt")
QID = r"[0-9A-F]{23}"


def listdir(path):
    try:
        return sorted(os.listdir(path))
    except (FileNotFoundError, NotADirectoryError):
        return []


def read(path):
    with open(path, "rb") as f:
        return f.read()


class FullInstance(Instance):
    def __init__(self, test, main=None, services=None, virtual_only=True):
        conf = {
            "mydestination": "test.example, localhost",
            "mynetworks": "127.0.0.1/32",
            "queue_run_delay": "1s",
            "minimal_backoff_time": "1s",
            "maximal_backoff_time": "2s",
            "delay_warning_time": "0",
            "max_idle": "30s",
            "ipc_timeout": "20s",
            "service_throttle_time": "1s",
            "smtp_connect_timeout": "5s",
            "smtp_timeout": "10s",
            "smtp_connection_reuse_time": "1s",
            # a few, not the default 1000: every test starts an instance
            "queue_spare_reserve": "16",
        }
        if virtual_only:
            conf["local_delivery_virtual_only"] = "yes"
        conf.update(main or {})
        super().__init__(main=conf, services=services or SERVICES,
                         name="sluice-e2e")
        if virtual_only and "virtual_mailbox_base" not in conf:
            self.main["virtual_mailbox_base"] = os.path.join(self.dir, "mail")
        self.write_config()
        self.test = test
        # Sanitizer reports of daemons (master's stderr is /dev/null) go to
        # log/san.<pid>; any such report fails the test (close()).
        self.san_prefix = os.path.join(self.dir, "log", "san")
        self.env = dict(os.environ)
        for var in ("ASAN_OPTIONS", "UBSAN_OPTIONS"):
            opts = [o for o in self.env.get(var, "").split(":")
                    if o and not o.startswith("log_path=")]
            self.env[var] = ":".join(opts + [f"log_path={self.san_prefix}"])
        test.addCleanup(self.close)

    def sluice(self, *args, check=True, timeout=30):
        """bin/sluice with the sanitizer log path in its environment (master
        and every daemon inherit it)."""
        proc = subprocess.run([os.path.join(self.bin, "sluice"), "-c",
                               self.etc, *args], capture_output=True,
                              text=True, timeout=timeout, env=self.env)
        if check and proc.returncode != 0:
            raise AssertionError(f"sluice {' '.join(args)}: {proc.returncode}"
                                 f"\n{proc.stdout}{proc.stderr}\n"
                                 f"{self.log_tail()}")
        return proc

    def sanitizer_reports(self):
        d = os.path.dirname(self.san_prefix)
        return [os.path.join(d, f) for f in listdir(d) if f.startswith("san.")]

    def close(self):
        """Stops the instance; fails the test on a sanitizer report."""
        reports = []
        try:
            if os.path.isdir(self.dir):
                pid = self.master_pid()
                if pid and self.running():
                    try:
                        self.sluice("stop", check=False, timeout=20)
                    except subprocess.TimeoutExpired:
                        pass
                reports = [(f, read(f).decode(errors="replace")[:3000])
                           for f in self.sanitizer_reports()]
        finally:
            super().close()
        if reports:
            raise AssertionError("sanitizer report(s):\n" + "\n".join(
                f"{f}:\n{text}" for f, text in reports))

    def pids(self, service):
        """Processes of service; "smtpd" names the $smtpd_listen service."""
        if service == "smtpd":
            service = self.main["smtpd_listen"]
        return super().pids(service)

    # ---- configuration files ----------------------------------------------

    def write_etc(self, name, text):
        """Writes etc/NAME (aliases, transport, ...); returns its path."""
        path = os.path.join(self.etc, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def transport(self, text):
        """A transport table; sets transport_maps (before start)."""
        self.main["transport_maps"] = self.write_etc("transport", text)
        self.write_config()

    # ---- submission --------------------------------------------------------

    def sendmail(self, args, text, check=True, timeout=30):
        env = dict(self.env, SLUICE_CONFIG_DIR=self.etc)
        if isinstance(text, str):
            text = text.encode()
        proc = subprocess.run([os.path.join(self.bin, "sendmail"), *args],
                              input=text, capture_output=True, env=env,
                              timeout=timeout)
        if check and proc.returncode != 0:
            raise AssertionError(f"sendmail {args}: {proc.returncode} "
                                 f"{proc.stderr.decode()}\n{self.log_tail()}")
        return proc

    # ---- mailboxes -----------------------------------------------------------

    def maildir(self, user):
        return os.path.join(self.dir, "mail", user, "Maildir")

    def mail(self, user):
        """The messages in user's Maildir new/, oldest first (bytes)."""
        new = os.path.join(self.maildir(user), "new")
        names = listdir(new)
        names.sort(key=lambda n: (os.stat(os.path.join(new, n)).st_mtime_ns
                                  if os.path.exists(os.path.join(new, n))
                                  else 0, n))
        return [read(os.path.join(new, n)) for n in names]

    def wait_mail(self, user, count, timeout=15):
        """Waits until user has at least count messages; returns them."""
        try:
            wait_until(lambda: len(self.mail(user)) >= count, timeout,
                       what=f"{count} message(s) for {user}")
        except AssertionError as e:
            raise AssertionError(f"{e}\n{self.log_tail()}") from None
        return self.mail(user)

    # ---- the queue -------------------------------------------------------------

    def queued(self, queue):
        """Committed queue files in queue (no .part, no temporaries)."""
        return [f for f in listdir(os.path.join(self.queue, queue))
                if re.fullmatch(QID, f)]

    def in_place(self):
        """{id: spare name} of the messages that lie committed in spare/
        (claimed in place by qmgr, or not yet claimed): the file ends in
        a seal record ('E', length 32, "<id> <crc>") naming another id
        (src/mail/queue_seal.h; the CRC is not checked here)."""
        out = {}
        for name in self.queued("spare"):
            try:
                with open(os.path.join(self.queue, "spare", name), "rb") as f:
                    f.seek(0, os.SEEK_END)
                    if f.tell() < 37:
                        continue
                    f.seek(-37, os.SEEK_END)
                    tail = f.read(37)
            except OSError:
                continue
            m = re.fullmatch(rb"E\0\0\0 (" + QID.encode() + rb") [0-9a-f]{8}",
                             tail)
            if m and m.group(1).decode() != name:
                out[m.group(1).decode()] = name
        return out

    def where(self, qid):
        for q in QUEUES:
            if os.path.exists(os.path.join(self.queue, q, qid)):
                return q
        return "spare" if qid in self.in_place() else None

    def wait_where(self, qid, queue, timeout=15):
        try:
            wait_until(lambda: self.where(qid) == queue, timeout,
                       what=f"{qid} in {queue}")
        except AssertionError as e:
            raise AssertionError(f"{e}\n{self.log_tail()}") from None

    def in_flight(self):
        """Every message not yet finished: maildrop to deferred and hold,
        and those in spare/."""
        return sum(len(self.queued(q)) for q in
                   ("incoming", "active", "deferred", "hold")) + \
            len(listdir(os.path.join(self.queue, "maildrop"))) + \
            len(self.in_place())

    def wait_queue_empty(self, timeout=15):
        try:
            wait_until(lambda: self.in_flight() == 0, timeout,
                       what="an empty queue")
        except AssertionError as e:
            raise AssertionError(f"{e}\n{self.log_tail()}") from None

    def qid_of(self, pattern, after=0, timeout=15):
        """The queue id in the first log line matching QID + pattern."""
        m = self.wait_for_log(f"({QID}){pattern}", timeout=timeout,
                              after=after)
        return m[0].group(1)


# ---- reading what arrived ------------------------------------------------------

def parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.compat32)


def dsn_fields(raw):
    """(top message, [per-recipient field dicts]) of a DSN; asserts its
    shape: multipart/report; report-type=delivery-status with a
    message/delivery-status part."""
    msg = parse(raw)
    assert msg.get_content_type() == "multipart/report", msg.get_content_type()
    assert msg.get_param("report-type") == "delivery-status", msg.get_params()
    parts = msg.get_payload()
    status = [p for p in parts
              if p.get_content_type() == "message/delivery-status"]
    assert len(status) == 1, [p.get_content_type() for p in parts]
    # The delivery-status body: a per-message block, then one block per
    # recipient, separated by empty lines (RFC 3464 2.1).
    body = status[0].get_payload()
    if isinstance(body, list):     # the email package parsed the blocks
        blocks = [dict((k.lower(), v) for k, v in b.items()) for b in body]
    else:
        blocks = []
        for chunk in re.split(r"\r?\n\r?\n", body.strip()):
            fields = {}
            for line in re.split(r"\r?\n(?![ \t])", chunk):
                k, _, v = line.partition(":")
                fields[k.strip().lower()] = re.sub(r"\s+", " ", v.strip())
            blocks.append(fields)
    return msg, blocks[1:]


def mbox_messages(data):
    """Splits an mbox (bytes) into [(from_line, message bytes)]: every
    message ends with an empty line that is not part of it."""
    out = []
    for chunk in re.split(rb"(?:^|\n)(?=From )", data):
        if not chunk:
            continue
        first, _, rest = chunk.partition(b"\n")
        out.append((first, rest))
    return out


class Ledger:
    """What was submitted (a token per message, the recipients expected to
    get it) against what arrived in Maildirs (the X-Ledger header)."""

    def __init__(self, inst):
        self.inst = inst
        self.sent = {}     # token -> [users]

    def message(self, token, subject="ledger"):
        return (f"X-Ledger: {token}\nSubject: {subject} {token}\n\n"
                f"body of {token}\n")

    def record(self, token, users):
        self.sent[token] = list(users)

    def arrived(self):
        """{(token, user): count} over every user the ledger knows."""
        users = {u for us in self.sent.values() for u in us}
        seen = {}
        for user in users:
            for raw in self.inst.mail(user):
                m = re.search(rb"^X-Ledger: (\S+)$", raw, re.M)
                key = (m.group(1).decode() if m else None, user)
                seen[key] = seen.get(key, 0) + 1
        return seen

    def missing(self):
        seen = self.arrived()
        return [(t, u) for t, us in self.sent.items() for u in us
                if (t, u) not in seen]

    def wait_complete(self, timeout=30):
        try:
            wait_until(lambda: not self.missing(), timeout,
                       what="every ledger message delivered")
        except AssertionError as e:
            raise AssertionError(f"{e}; missing {self.missing()[:10]}\n"
                                 f"{self.inst.log_tail()}") from None
        return self.arrived()

    def phantoms(self):
        return [k for k in self.arrived()
                if k[0] not in self.sent or k[1] not in self.sent[k[0]]]

    def duplicates(self):
        return {k: n for k, n in self.arrived().items() if n > 1}
