#!/usr/bin/env python3
"""fake_agent.py - stand-ins for the delivery agent and bounce daemon that
qmgr talks to, and a writer of committed queue files, for test_qmgr.py.

The agent is a real process serving a unix socket (qmgr cannot tell it from
bin/local): it speaks the attribute protocol of mail_proto.h and decides by
the recipient's local part:

    ok-*      delivered (2.0.0)        fail-*   failed (5.1.1)
    defer-*   deferred (4.2.0)         die-*    closes without a reply
    slow-*    sleeps --slow seconds, then delivered
    anything else: delivered

It reads every request of a connection (qmgr sends several to one local
destination, then EOF) and answers each in order.

Every decision is appended to the ledger file as "ID RCPT ACTION" (and
"ID RCPT started" before a slow one sleeps), so tests count deliveries.

With --bounce it is the bounce service instead: it reads bounce/<id> (kind
failed) or defer/<id> (kind delayed), appends "ID bounce KIND RCPT..." to the
ledger and answers status 0 (or 4 with --refuse).

    python3 fake_agent.py SOCKET LEDGER [--slow N] [--bounce QUEUE [--refuse]]
"""
import fcntl
import os
import socket
import struct
import sys
import threading
import time
import zlib

VERSION = b"sluice-queue-1"


# ---- the attribute codec (src/util/attr.h) ----------------------------------

def attr_encode(pairs):
    out = bytearray()
    for name, value in pairs:
        if isinstance(value, int):
            value = str(value)
        if isinstance(value, str):
            value = value.encode()
        enc = bytearray()
        for b in value:
            if b < 0x20 or b == 0x7F or b == 0x25:
                enc += b"%%%02X" % b
            else:
                enc.append(b)
        out += name.encode() + b"=" + enc + b"\n"
    return bytes(out + b"\n")


def attr_decode_value(raw):
    out = bytearray()
    i = 0
    while i < len(raw):
        if raw[i] == 0x25:
            out.append(int(raw[i + 1:i + 3], 16))
            i += 3
        else:
            out.append(raw[i])
            i += 1
    return out.decode(errors="replace")


def attr_read(f):
    """One record from a binary file object: list of (name, value), or None
    at EOF."""
    pairs = []
    while True:
        line = f.readline()
        if not line:
            return None if not pairs else pairs
        if line == b"\n":
            return pairs
        name, _, value = line.rstrip(b"\n").partition(b"=")
        pairs.append((name.decode(), attr_decode_value(value)))


def attr_records(path):
    """Every complete record of a per-message log."""
    out = []
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return out
    for chunk in data.split(b"\n\n")[:-1]:
        rec = {}
        for line in chunk.split(b"\n"):
            name, _, value = line.partition(b"=")
            rec[name.decode()] = attr_decode_value(value)
        out.append(rec)
    return out


# ---- queue files (src/mail/record.h) ----------------------------------------

_counter = [0]


def new_queue_id(when=None):
    when = time.time() if when is None else when
    _counter[0] += 1
    sec = int(when)
    usec = int((when - sec) * 1e6)
    return "%08X%05X%06X%04X" % (sec, usec, os.getpid() & 0xFFFFFF,
                                 _counter[0] & 0xFFFF)


def record(rtype, payload=b""):
    if isinstance(payload, str):
        payload = payload.encode()
    return rtype.encode() + struct.pack(">I", len(payload)) + payload


def queue_file_bytes(sender, rcpts, body, arrival=None, attrs=(), done=()):
    arrival = time.time() if arrival is None else arrival
    out = record("V", VERSION) + record("T", "%.6f" % arrival)
    for a in attrs:
        out += record("A", a)
    out += record("S", sender)
    for r in rcpts:
        out += record("D" if r in done else "R", r.encode() + b"\0\0")
    out += record("M")
    for i in range(0, len(body), 4096):
        out += record("C", body[i:i + 4096])
    return out + record("X") + record("E")


def sealed(data, qid):
    """data (ending in an empty 'E' record) with the commit seal of
    src/mail/queue_seal.h: "<qid> <crc>" in the 'E' record, the CRC-32 of
    every byte before it (no 'P' records here; 'D' counts as 'R')."""
    body = data[:-len(record("E"))]
    crc = zlib.crc32(counted_as_written(body)) & 0xFFFFFFFF
    return body + record("E", "%s %08x" % (qid, crc))


def counted_as_written(data):
    """The bytes the seal's CRC covers: a record type 'D' read as 'R'."""
    out, off = bytearray(data), 0
    while off + 5 <= len(out):
        if out[off:off + 1] == b"D":
            out[off:off + 1] = b"R"
        off += 5 + struct.unpack(">I", bytes(out[off + 1:off + 5]))[0]
    return bytes(out)


def write_queue_file(queue_dir, sender, rcpts, body=b"Subject: t\n\nhi\n",
                     queue="incoming", arrival=None, qid=None, done=()):
    """Commits a queue file the way cleanup does (.part, fsync, rename)."""
    qid = qid or new_queue_id(arrival)
    data = queue_file_bytes(sender, rcpts, body, arrival, done=done)
    return commit_bytes(queue_dir, queue, qid, data)


def commit_bytes(queue_dir, queue, qid, data):
    """Writes data as <queue>/<qid>.part under an exclusive flock (so that
    a sweeper leaves it alone), fsyncs, renames to <qid> while still holding
    the lock. A sweeper can win the race between create and flock: then the
    name is gone, and the write starts again, as queue_file_create does."""
    d = os.path.join(queue_dir, queue)
    os.makedirs(d, exist_ok=True)
    part = os.path.join(d, qid + ".part")
    while True:
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            if os.stat(part).st_ino == os.fstat(fd).st_ino:
                break
        except FileNotFoundError:
            pass
        os.close(fd)
    try:
        os.write(fd, data)
        os.fsync(fd)
        os.rename(part, os.path.join(d, qid))
    finally:
        os.close(fd)
    return qid


# ---- the servers ------------------------------------------------------------

class Ledger:
    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()

    def add(self, line):
        with self.lock, open(self.path, "a") as f:
            f.write(line + "\n")
            f.flush()


def agent_request(conn, req, ledger, slow):
    """One request: the reply record's pairs, or None when a die-* recipient
    ends the conversation without a reply."""
    qid = dict(req).get("queue_id", "?")
    rcpts, cur = [], None
    for name, value in req:
        if name == "rcpt":
            cur = {"rcpt": value}
            rcpts.append(cur)
        elif cur is not None:
            cur[name] = value
    reply = []
    for r in rcpts:
        local = r["rcpt"].split("@")[0]
        if local.startswith("die-"):
            ledger.add(f"{qid} {r['rcpt']} died")
            return None
        if local.startswith("slow-"):
            ledger.add(f"{qid} {r['rcpt']} started")
            time.sleep(slow)
        if local.startswith("defer-"):
            st, act, why = "4.2.0", "deferred", "4.2.0 mailbox busy"
        elif local.startswith("fail-"):
            st, act, why = "5.1.1", "failed", "5.1.1 no such user"
        else:
            st, act, why = "2.0.0", "delivered", "delivered to maildir"
        ledger.add(f"{qid} {r['rcpt']} {act}")
        reply += [("rcpt_offset", r["rcpt_offset"]), ("dsn_status", st),
                  ("dsn_action", act), ("reason", why)]
    return reply


def agent_conversation(conn, ledger, slow):
    """Every request of the connection (qmgr ends them with EOF), each
    answered in order; a connection of several is noted as "batch N IDS"."""
    f = conn.makefile("rb")
    reqs = []
    while (req := attr_read(f)) is not None:
        reqs.append(req)
    if len(reqs) > 1:
        ledger.add(f"batch {len(reqs)} "
                   + " ".join(dict(r).get("queue_id", "?") for r in reqs))
    for req in reqs:
        reply = agent_request(conn, req, ledger, slow)
        if reply is None:
            conn.close()
            return
        conn.sendall(attr_encode(reply))


def bounce_conversation(conn, ledger, queue_dir, refuse):
    f = conn.makefile("rb")
    req = attr_read(f)
    if req is None:
        return
    req = dict(req)
    qid, kind = req.get("queue_id", "?"), req.get("kind", "?")
    log = "bounce" if kind == "failed" else "defer"
    recs = attr_records(os.path.join(queue_dir, log, qid))
    rcpts = " ".join(f"{r.get('rcpt')}:{r.get('dsn_status')}" for r in recs)
    ledger.add(f"{qid} bounce {kind} {rcpts}")
    if refuse or not recs:
        conn.sendall(attr_encode([("status", 4), ("reason", "4.3.0 refused"),
                                  ("queue_id", "")]))
    else:
        conn.sendall(attr_encode([("status", 0), ("reason", ""),
                                  ("queue_id", "DSN" + qid[:8])]))


def serve(path, handler):
    try:
        os.unlink(path)
    except OSError:
        pass
    s = socket.socket(socket.AF_UNIX)
    s.bind(path)
    s.listen(64)
    while True:
        conn, _ = s.accept()

        def run(c=conn):
            try:
                handler(c)
            except OSError:
                pass
            finally:
                try:
                    c.close()
                except OSError:
                    pass
        threading.Thread(target=run, daemon=True).start()


def main(argv):
    path, ledger = argv[0], Ledger(argv[1])
    slow, bounce, refuse = 3.0, None, False
    i = 2
    while i < len(argv):
        if argv[i] == "--slow":
            slow = float(argv[i + 1])
            i += 1
        elif argv[i] == "--bounce":
            bounce = argv[i + 1]
            i += 1
        elif argv[i] == "--refuse":
            refuse = True
        i += 1
    if bounce:
        serve(path, lambda c: bounce_conversation(c, ledger, bounce, refuse))
    else:
        serve(path, lambda c: agent_conversation(c, ledger, slow))


if __name__ == "__main__":
    main(sys.argv[1:])
