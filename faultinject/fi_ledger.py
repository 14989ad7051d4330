"""fi_ledger.py - the messages of the fault-injection workload and the
client-side ledger of what the system acknowledged.

A workload message carries its identity twice (Message-ID and X-Ledger)
and ends with a line "fi-end <ledger-id> <sha256 of the body before it>",
so that any copy found at a sink tells which submission it is and whether
it arrived whole. A DSN is recognised by its report part: the X-Ledger of
the original it quotes and its Final-Recipient lines with Action: failed.

The ledger is a JSON-lines file: one row per submission attempt,
{"id", "via", "sender", "rcpts", "attempt", "result", "acked", "detail"};
result "ok" (250 after DATA / sendmail exit 0) acknowledges the recipients
listed in "acked".
"""
import hashlib
import json
import re

_END = re.compile(rb"^fi-end (\S+) ([0-9a-f]{64})$")
_HDR = re.compile(rb"^x-ledger:[ \t]*(\S+)", re.I | re.M)
_FINAL = re.compile(rb"^final-recipient:[ \t]*rfc822;[ \t]*(\S+)", re.I)
_ACTION = re.compile(rb"^action:[ \t]*(\S+)", re.I)


def build(ledger_id, sender, rcpts, lines=24):
    """The message text (LF line ends) for one workload submission."""
    body = b"".join(b"%s line %02d: the quick brown fox jumps over the lazy "
                    b"dog\n" % (ledger_id.encode(), i) for i in range(lines))
    digest = hashlib.sha256(body).hexdigest().encode()
    head = (f"From: <{sender}>\nTo: " + ", ".join(f"<{r}>" for r in rcpts)
            + f"\nSubject: fault injection {ledger_id}\n"
            f"Message-ID: <{ledger_id}@fi.test>\nX-Ledger: {ledger_id}\n\n")
    return head.encode() + body + b"fi-end " + ledger_id.encode() + b" " \
        + digest + b"\n"


def _split(content):
    content = content.replace(b"\r\n", b"\n")
    head, sep, body = content.partition(b"\n\n")
    return head, body if sep else b""


def parse_message(content):
    """(ledger_id or None, intact) of one delivered copy."""
    head, body = _split(content)
    m = _HDR.search(head)
    if not m:
        return None, False
    ledger_id = m.group(1).decode(errors="replace")
    lines = body.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    if not lines:
        return ledger_id, False
    end = _END.match(lines[-1])
    pre = b"".join(line + b"\n" for line in lines[:-1])
    intact = bool(end and end.group(1).decode() == ledger_id
                  and hashlib.sha256(pre).hexdigest() == end.group(2).decode())
    return ledger_id, intact


def parse_dsn(content):
    """(original ledger id or None, [failed recipients]) of a DSN, or None
    when content is not a delivery status notification."""
    content = content.replace(b"\r\n", b"\n")
    head, body = _split(content)
    if b"multipart/report" not in head.lower():
        return None
    m = _HDR.search(body)
    orig = m.group(1).decode(errors="replace") if m else None
    failed, rcpt = [], None
    for line in body.split(b"\n"):
        f = _FINAL.match(line)
        if f:
            rcpt = f.group(1).decode(errors="replace").lower()
            continue
        a = _ACTION.match(line)
        if a and rcpt is not None:
            if a.group(1).lower() == b"failed":
                failed.append(rcpt)
            rcpt = None
    return orig, failed


class Ledger:
    """Append-only record of submission attempts."""

    def __init__(self, path):
        self.path = path
        open(path, "a").close()

    def record(self, **row):
        with open(self.path, "a") as f:
            f.write(json.dumps(row) + "\n")

    def rows(self):
        with open(self.path) as f:
            return [json.loads(line) for line in f if line.strip()]

    def submitted(self):
        """{id: {"sender", "rcpts", "acked": set, "attempts", "via"}}"""
        out = {}
        for r in self.rows():
            m = out.setdefault(r["id"], {"sender": r["sender"],
                                         "rcpts": [x.lower() for x in r["rcpts"]],
                                         "acked": set(), "attempts": 0,
                                         "via": r["via"], "lines": []})
            m["attempts"] += 1
            m["lines"].append(r)
            if r["result"] == "ok":
                m["acked"].update(x.lower() for x in r["acked"])
        return out
