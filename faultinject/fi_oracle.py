"""fi_oracle.py - the four guarantees of DESIGN.md section 3, checked from
the client ledger (fi_ledger.py), the Maildirs, the remote sink and the
queue directory after a scenario has quiesced.

  (a) no loss       every acknowledged (message, recipient) was delivered
                    or bounced to its sender with a DSN;
  (b) no phantom    every copy found belongs to a submitted message and one
                    of its recipients, and arrived whole (fi-end checksum);
  (c) duplicates    a second copy is allowed only in a documented window,
                    chosen by which program the fault hit (WINDOWS), and
                    at most one extra copy per fault;
  (d) recovery      no .part file and no message left in the queue, nothing
                    in corrupt/, no Maildir tmp/ file (except the garbage
                    the local row of section 3 allows after a crash inside
                    local's Maildir transaction), no mbox dot-lock, the
                    final messages went through.
Mailboxes: the virtual Maildirs under mail/<user>/Maildir and the mbox
files under mail/_mbox/ (the /file alias targets; the file's name is the
alias, each message is counted by its X-Ledger like a Maildir file).
"""
import os
import re

import fi_ledger

# The duplicate windows of DESIGN.md section 3, keyed by the program hit.
WINDOWS = {
    "smtpd": "smtpd->cleanup: committed, 250 not sent; client retried (RFC 1047)",
    "cleanup": "smtpd->cleanup / pickup->cleanup: committed, OK not delivered; "
               "the client or pickup retried (RFC 1047)",
    "pickup": "gate/pickup->cleanup: pickup died after cleanup's OK, before "
              "removing the maildrop file",
    "sendmail": "gate/pickup->cleanup: maildrop file committed, exit status "
                "lost; the client retried",
    "gate": "gate/pickup->cleanup: maildrop file committed, exit status "
            "lost; the client retried",
    "qmgr": "qmgr->agent: delivered, qmgr died before recording done",
    "local": "local delivery: linked into new/ (or appended to the mbox and "
             "fsynced), died before the report",
    "smtp": "qmgr->agent: remote accepted, smtp died before the report",
    "bounce": "bounce: DSN committed, died before the original was marked done",
}
# Which copies a window can duplicate: submission windows duplicate the
# whole message, delivery windows single copies, the bounce window DSNs.
SUBMIT_PROGS = {"smtpd", "cleanup", "pickup", "sendmail", "gate"}
MBOX_DIR = os.path.join("mail", "_mbox")


def _read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return b""


def maildir_copies(mail_root):
    """[(mailbox address, path, content)] of every file in new/ and cur/."""
    out = []
    if not os.path.isdir(mail_root):
        return out
    for user in sorted(os.listdir(mail_root)):
        for sub in ("new", "cur"):
            d = os.path.join(mail_root, user, "Maildir", sub)
            if os.path.isdir(d):
                for name in sorted(os.listdir(d)):
                    p = os.path.join(d, name)
                    out.append((user.lower() + "@test.example", p, _read(p)))
    return out


def mbox_copies(box_dir):
    """[(mailbox address, where, content)] of every message in every mbox
    under box_dir: split at "From " lines after the blank line that ends
    the previous message; text before the first From_ line, or a last
    message without its blank line, is kept as is (the checksum fails)."""
    out = []
    if not os.path.isdir(box_dir):
        return out
    for name in sorted(os.listdir(box_dir)):
        if name.endswith(".lock"):
            continue
        path = os.path.join(box_dir, name)
        data = _read(path)
        if not data:
            continue
        chunks = re.split(rb"\n\n(?=From )", data)
        for i, chunk in enumerate(chunks):
            last = i == len(chunks) - 1
            if last and chunk.endswith(b"\n\n"):
                chunk = chunk[:-1]
            elif not last:
                chunk += b"\n"
            if chunk.startswith(b"From "):
                chunk = chunk.partition(b"\n")[2]
            else:
                chunk = b"X-Not-An-Mbox-Message: " + chunk
            out.append((name.lower() + "@test.example",
                        f"{path} message {i + 1}", chunk))
    return out


SEAL = re.compile(rb"E\0\0\0 ([0-9A-F]{23}) [0-9a-f]{8}")


def committed_in_spare(queue):
    """[(spare name, queue id)] of the messages committed in place in
    spare/: claimed there by qmgr while it delivers them, or not yet
    claimed. A file's last 37 bytes are a seal record naming an id other
    than its name (src/mail/queue_seal.h; the CRC is not checked here)."""
    out = []
    d = os.path.join(queue, "spare")
    for name in (sorted(os.listdir(d)) if os.path.isdir(d) else []):
        try:
            with open(os.path.join(d, name), "rb") as f:
                f.seek(0, os.SEEK_END)
                if f.tell() < 37:
                    continue
                f.seek(-37, os.SEEK_END)
                m = SEAL.fullmatch(f.read(37))
        except OSError:
            continue
        if m and m.group(1).decode() != name:
            out.append((name, m.group(1).decode()))
    return out


def leftovers(inst_dir, run_start):
    """[(kind, path)] of what a clean recovery must not leave behind."""
    out = []
    queue = os.path.join(inst_dir, "queue")
    for name, _ in committed_in_spare(queue):
        out.append(("spare-committed", os.path.join("spare", name)))
    for q in ("maildrop", "incoming", "active", "deferred", "hold", "corrupt"):
        d = os.path.join(queue, q)
        for name in (sorted(os.listdir(d)) if os.path.isdir(d) else []):
            kind = "part" if name.endswith(".part") else q
            out.append((kind, os.path.join(q, name)))
    mail = os.path.join(inst_dir, "mail")
    for user in (sorted(os.listdir(mail)) if os.path.isdir(mail) else []):
        d = os.path.join(mail, user, "Maildir", "tmp")
        for name in (sorted(os.listdir(d)) if os.path.isdir(d) else []):
            out.append(("maildir-tmp", os.path.join(user, "Maildir/tmp", name)))
    box = os.path.join(inst_dir, MBOX_DIR)
    for name in (sorted(os.listdir(box)) if os.path.isdir(box) else []):
        if name.endswith(".lock"):
            out.append(("mbox-lock", os.path.join(MBOX_DIR, name)))
    return out


class Verdict:
    def __init__(self):
        self.failures = []      # strings: guarantee + ledger evidence
        self.windows = set()    # documented windows that explained duplicates
        self.notes = []

    def fail(self, what):
        self.failures.append(what)

    @property
    def outcome(self):
        if self.failures:
            return "FAILED"
        if self.windows:
            return "duplicate-in-window"
        return "passed"


def _evidence(sub, lid):
    m = sub.get(lid)
    if not m:
        return f"{lid}: not in the ledger"
    return "; ".join(f"{lid} attempt {r['attempt']} via {r['via']}: "
                     f"{r['result']} acked={r['acked']} {r['detail'][:80]}"
                     for r in m["lines"])


def check(inst_dir, ledger, sink_rows, fault_progs, final_ids, run_start):
    """Checks the four guarantees; returns a Verdict. fault_progs: the
    programs a fault hit in this scenario (empty when none fired)."""
    v = Verdict()
    sub = ledger.submitted()
    copies, dsns = {}, {}
    for mailbox, path, content in (
            maildir_copies(os.path.join(inst_dir, "mail"))
            + mbox_copies(os.path.join(inst_dir, MBOX_DIR))):
        dsn = fi_ledger.parse_dsn(content)
        if dsn is not None:
            orig, failed = dsn
            if orig is None or orig not in sub:
                v.fail(f"(b) phantom DSN in {path} for {orig}")
                continue
            for r in failed:
                dsns[(orig, r)] = dsns.get((orig, r), 0) + 1
            continue
        lid, intact = fi_ledger.parse_message(content)
        _count(v, sub, copies, lid, intact, mailbox, path)
    for row in sink_rows:
        for r in row["rcpts"]:
            _count(v, sub, copies, row["ledger"], row["intact"], r.lower(),
                   "remote sink")
    _check_loss(v, sub, copies, dsns)
    _check_duplicates(v, sub, copies, dsns, fault_progs)
    _check_recovery(v, inst_dir, run_start, sub, copies, final_ids,
                    "local" in fault_progs)
    return v


def _count(v, sub, copies, lid, intact, rcpt, where):
    if lid is None or lid not in sub:
        v.fail(f"(b) phantom: {where} holds a message never submitted ({lid})")
        return
    if not intact:
        v.fail(f"(b) incomplete copy of {lid} for {rcpt} in {where}")
    if rcpt not in sub[lid]["rcpts"]:
        v.fail(f"(b) phantom: {lid} delivered to {rcpt}, not a recipient")
        return
    copies[(lid, rcpt)] = copies.get((lid, rcpt), 0) + 1


def _check_loss(v, sub, copies, dsns):
    for lid, m in sorted(sub.items()):
        for r in sorted(m["acked"]):
            if copies.get((lid, r)) or dsns.get((lid, r)):
                if r.startswith("reject") and not dsns.get((lid, r)):
                    v.fail(f"(a) {lid} to {r}: refused remotely, no DSN; "
                           + _evidence(sub, lid))
                continue
            v.fail(f"(a) lost: {lid} to {r} acknowledged, neither delivered "
                   f"nor bounced; " + _evidence(sub, lid))


def _check_duplicates(v, sub, copies, dsns, fault_progs):
    for key, n in sorted(list(copies.items()) + [((k[0], "DSN " + k[1]), n)
                                                 for k, n in dsns.items()]):
        if n < 2:
            continue
        lid, what = key
        retried = sub[lid]["attempts"] >= 2
        allowed = [p for p in fault_progs if p in SUBMIT_PROGS
                   and (retried or p in ("pickup", "cleanup"))]
        # A DSN is delivered like any message (section 3, bounce row):
        # local's window after the link covers its copy too.
        deliv = ("bounce", "cleanup", "qmgr", "local") \
            if what.startswith("DSN ") else ("qmgr", "local", "smtp")
        allowed += [p for p in fault_progs if p in deliv and p not in allowed]
        # One qmgr fault can open two windows on a DSN: the original's
        # "done" was lost after the DSN's commit (bounce row: a second DSN)
        # and the first DSN's own "done" was lost after its delivery
        # (qmgr->agent row: it is delivered again). A power cut makes
        # both likely: neither done mark need be fsynced yet.
        extra = 1 if what.startswith("DSN ") and "qmgr" in fault_progs else 0
        if not allowed or n > 1 + len(fault_progs) + extra:
            v.fail(f"(c) {n} copies of {lid} for {what} outside any "
                   f"documented window (faults in {sorted(fault_progs)}); "
                   + _evidence(sub, lid))
            continue
        v.windows.add(WINDOWS[allowed[0]])


def _check_recovery(v, inst_dir, run_start, sub, copies, final_ids,
                    local_maildir_crash):
    for kind, path in leftovers(inst_dir, run_start):
        if kind == "maildir-tmp" and local_maildir_crash:
            v.notes.append(f"tmp garbage allowed by section 3: {path}")
            continue
        v.fail(f"(d) left behind after recovery: {kind} {path}")
    for lid in final_ids:
        m = sub.get(lid)
        if not m or not m["acked"]:
            v.fail(f"(d) final message {lid} not accepted; "
                   + _evidence(sub, lid))
            continue
        for r in m["rcpts"]:
            if not copies.get((lid, r)):
                v.fail(f"(d) final message {lid} not delivered to {r}")
