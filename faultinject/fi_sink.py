"""fi_sink.py - the remote side of the fault-injection workload: a loopback
SMTP sink (python3-aiosmtpd) that plays "the rest of the Internet" for the
smtp delivery agent.

Every accepted message is appended to a JSON-lines file as
{"rcpts": [...], "sender": ..., "ledger": <X-Ledger value or null>,
 "intact": <the body's end line matches its checksum>}, before the 250 goes
out, so the file is exactly what the remote side accepted. Recipients whose
local part starts with "reject" get 550 5.1.1 (the workload's bounce);
those whose local part starts with "later" get 451 4.3.0 the first time
the sink sees them and 250 afterwards (a deferral without a fault: qmgr
parks the message in deferred/ and delivers it on the retry).
The sink lives in the explorer's process: faults never touch it.
"""
import json
import sys
import threading

try:
    from aiosmtpd.controller import Controller
except ImportError:  # a python3 beside Debian's package
    sys.path.append("/usr/lib/python3/dist-packages")
    from aiosmtpd.controller import Controller

import fi_ledger


class _Handler:
    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.seen = set()       # "later" recipients already answered 451

    async def handle_RCPT(self, server, session, envelope, address, options):
        if address.split("@")[0].lower().startswith("reject"):
            return "550 5.1.1 no such user here"
        if address.split("@")[0].lower().startswith("later"):
            with self.lock:
                first = address.lower() not in self.seen
                self.seen.add(address.lower())
            if first:
                return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 ok"

    async def handle_DATA(self, server, session, envelope):
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode()
        ledger, intact = fi_ledger.parse_message(content)
        row = {"rcpts": list(envelope.rcpt_tos),
               "sender": envelope.mail_from, "ledger": ledger,
               "intact": intact}
        with self.lock, open(self.path, "a") as f:
            f.write(json.dumps(row) + "\n")
        return "250 2.0.0 accepted"


class Sink:
    """A running sink on 127.0.0.1:port that records into path."""

    def __init__(self, port, path):
        self.path = path
        open(path, "a").close()
        self.ctl = Controller(_Handler(path), hostname="127.0.0.1", port=port)
        self.ctl.start()

    def stop(self):
        self.ctl.stop()

    def messages(self):
        with open(self.path) as f:
            return [json.loads(line) for line in f if line.strip()]
