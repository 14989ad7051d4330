"""test_faultinject.py - the fault-injection harness checks itself:

- the oracles (faultinject/fi_oracle.py) on hand-made outcomes: a clean run
  passes; a lost recipient, a phantom, an incomplete copy, a duplicate with
  no fault behind it, a duplicate in a documented window, a .part file and a
  tmp/ file are each classified as they must be;
- the syscall shim (faultinject/shim.c) on a python child: the n-th call
  fails with the chosen errno, only in the chosen program, only once across
  processes, a short write, and a failed fsync that loses a fresh file;
- its power-loss mode (faultinject/shim_power.h): at the SIGKILL a file's
  unsynced append is cut off and its overwritten bytes put back, an
  unsynced rename, unlink and create are undone, synced state stays;
- the regression scenarios (explore.REGRESSIONS) against the fault build
  (make faultinject-build), when it is there.
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, "faultinject"))
import fi_ledger  # noqa: E402
import fi_oracle  # noqa: E402

SHIM = os.path.join(TOP, "build", "faultinject", "sluice-shim.so")
FI_BIN = os.path.join(TOP, "build", "plain-fi", "bin")


class OracleTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="fi-oracle-")
        self.addCleanup(subprocess.run, ["rm", "-rf", self.dir])
        for q in ("incoming", "active", "deferred", "corrupt", "maildrop"):
            os.makedirs(os.path.join(self.dir, "queue", q))
        self.ledger = fi_ledger.Ledger(os.path.join(self.dir, "ledger"))
        self.sink = []
        self.n = 0
        self.submit("m1", ["alice@test.example", "r1@remote.example"])

    def submit(self, lid, rcpts, attempts=1):
        for a in range(1, attempts + 1):
            last = a == attempts
            self.ledger.record(id=lid, via="smtp", sender="s@test.example",
                               rcpts=rcpts, attempt=a,
                               result="ok" if last else "error",
                               acked=rcpts if last else [], detail="")

    def deliver(self, lid, user, rcpts, content=None):
        content = content or fi_ledger.build(lid, "s@test.example", rcpts)
        d = os.path.join(self.dir, "mail", user, "Maildir")
        for sub in ("new", "tmp", "cur"):
            os.makedirs(os.path.join(d, sub), exist_ok=True)
        self.n += 1
        with open(os.path.join(d, "new", f"{self.n}.x"), "wb") as f:
            f.write(content)

    def remote(self, lid, rcpt, rcpts):
        led, intact = fi_ledger.parse_message(
            fi_ledger.build(lid, "s@test.example", rcpts))
        self.sink.append({"rcpts": [rcpt], "ledger": led, "intact": intact})

    def check(self, progs=()):
        return fi_oracle.check(self.dir, self.ledger, self.sink, list(progs),
                               [], 0)

    def test_clean_run_passes(self):
        self.deliver("m1", "alice", ["alice@test.example", "r1@remote.example"])
        self.remote("m1", "r1@remote.example", ["alice@test.example",
                                                "r1@remote.example"])
        v = self.check()
        self.assertEqual((v.outcome, v.failures), ("passed", []))

    def test_lost_recipient(self):
        self.deliver("m1", "alice", ["alice@test.example", "r1@remote.example"])
        v = self.check()
        self.assertEqual(v.outcome, "FAILED")
        self.assertIn("(a) lost: m1 to r1@remote.example", v.failures[0])

    def test_phantom_and_incomplete(self):
        self.remote("m1", "r1@remote.example", [])
        self.deliver("m1", "alice", [], b"X-Ledger: m1\n\ncut short\n")
        self.deliver("zz", "alice", ["alice@test.example"])
        v = self.check()
        text = "\n".join(v.failures)
        self.assertIn("(b) incomplete copy of m1", text)
        self.assertIn("(b) phantom: ", text)
        self.assertIn("never submitted (zz)", text)

    def test_duplicate_outside_and_inside_windows(self):
        for _ in range(2):
            self.deliver("m1", "alice", ["alice@test.example", "r1@remote.example"])
        self.remote("m1", "r1@remote.example", [])
        v = self.check()
        self.assertIn("(c) 2 copies of m1", v.failures[0])
        v = self.check(["local"])
        self.assertEqual(v.outcome, "duplicate-in-window")
        self.assertEqual(list(v.windows), [fi_oracle.WINDOWS["local"]])
        v = self.check(["smtpd"])       # one attempt: no RFC 1047 retry
        self.assertEqual(v.outcome, "FAILED")

    def test_dsn_twice_duplicated_only_after_qmgr(self):
        self.deliver("m1", "alice", ["alice@test.example", "r1@remote.example"])
        self.remote("m1", "r1@remote.example", [])
        dsn = (b"Content-Type: multipart/report\n\nX-Ledger: m1\n"
               b"Final-Recipient: rfc822; r1@remote.example\nAction: failed\n")
        self.assertEqual(fi_ledger.parse_dsn(dsn), ("m1", ["r1@remote.example"]))
        for _ in range(3):
            self.deliver("m1", "alice", [], dsn)
        self.assertEqual(self.check(["qmgr"]).outcome, "duplicate-in-window")
        v = self.check(["local"])
        self.assertEqual(v.outcome, "FAILED")
        self.assertIn("3 copies of m1 for DSN r1@remote.example", v.failures[0])

    def test_submission_window_needs_a_retry(self):
        self.submit("m2", ["bob@test.example"], attempts=2)
        self.deliver("m1", "alice", ["alice@test.example", "r1@remote.example"])
        self.remote("m1", "r1@remote.example", [])
        for _ in range(2):
            self.deliver("m2", "bob", ["bob@test.example"])
        v = self.check(["smtpd"])
        self.assertEqual(v.outcome, "duplicate-in-window", v.failures)

    def test_leftovers(self):
        self.deliver("m1", "alice", ["alice@test.example", "r1@remote.example"])
        self.remote("m1", "r1@remote.example", [])
        open(os.path.join(self.dir, "queue", "incoming", "ABC.part"), "w").close()
        open(os.path.join(self.dir, "mail", "alice", "Maildir", "tmp", "t"),
             "w").close()
        v = self.check()
        self.assertEqual(len(v.failures), 2, v.failures)
        v = self.check(["local"])       # tmp/ garbage after a crash in local
        self.assertEqual(len(v.failures), 1, v.failures)
        self.assertIn("part incoming/ABC.part", v.failures[0])


@unittest.skipUnless(os.path.exists("/usr/bin/python3"), "python3")
class ShimTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        subprocess.run(["make", "--no-print-directory", "-C", TOP,
                        "faultinject-shim"], check=True, capture_output=True)

    def child(self, code, stash=False, **env):
        d = tempfile.mkdtemp(prefix="fi-shim-")
        self.addCleanup(subprocess.run, ["rm", "-rf", d])
        full = dict(os.environ, LD_PRELOAD=SHIM, SLUICE_SHIM_PATH=d,
                    SLUICE_SHIM_LOG=os.path.join(d, "log"), **env)
        if stash:
            os.mkdir(os.path.join(d, "stash"))
            full["SLUICE_SHIM_PL_STASH"] = os.path.join(d, "stash")
        proc = subprocess.run(["/usr/bin/python3", "-c", code], cwd=d,
                              env=full, capture_output=True, text=True,
                              timeout=60)
        self.returncode = proc.returncode
        log = open(os.path.join(d, "log")).read() if os.path.exists(
            os.path.join(d, "log")) else ""
        return proc.stdout, log, d

    WRITE3 = ("import os\nfor i in range(3):\n"
              "    f=os.open('f%d'%i,os.O_WRONLY|os.O_CREAT,0o644)\n"
              "    try: print(os.write(f,b'abcdef'))\n"
              "    except OSError as e: print(e.strerror)\n")

    def test_nth_write_fails_with_errno(self):
        out, log, _ = self.child(self.WRITE3, SLUICE_SHIM_CALL="write",
                                 SLUICE_SHIM_NTH="2", SLUICE_SHIM_ERRNO="ENOSPC")
        self.assertEqual(out.split("\n")[:3],
                         ["6", "No space left on device", "6"])
        self.assertRegex(log, r"^fault python3\S* write 2 ")

    def test_other_program_untouched_and_once(self):
        out, log, d = self.child(self.WRITE3, SLUICE_SHIM_CALL="write",
                                 SLUICE_SHIM_PROG="cleanup")
        self.assertEqual(out.split(), ["6", "6", "6"])
        once = os.path.join(d, "once")
        open(once, "w").close()
        out, _, _ = self.child(self.WRITE3, SLUICE_SHIM_CALL="write",
                               SLUICE_SHIM_ONCE=once)
        self.assertEqual(out.split(), ["6", "6", "6"])

    def test_short_write_and_lost_fsync(self):
        out, _, _ = self.child(self.WRITE3, SLUICE_SHIM_CALL="write",
                               SLUICE_SHIM_ERRNO="SHORT")
        self.assertEqual(out.split(), ["3", "6", "6"])
        code = ("import os\nf=os.open('g',os.O_WRONLY|os.O_CREAT,0o644)\n"
                "os.write(f,b'data')\ntry: os.fsync(f)\n"
                "except OSError as e: print(e.strerror)\n"
                "print(os.fstat(f).st_size)\n")
        out, log, _ = self.child(code, SLUICE_SHIM_CALL="fsync",
                                 SLUICE_SHIM_LOSE="1")
        self.assertEqual(out.split("\n")[:2], ["Input/output error", "0"])
        self.assertIn("lost", log)

    # Power loss: each step below is durable or not by the model of
    # faultinject/shim_power.h; the process then dies as FI_POINT does.
    POWER = ("import os, signal\nos.mkdir('q')\n"
             "os.fsync(os.open('.',os.O_RDONLY))\n"
             "d=os.open('q',os.O_RDONLY)\n"
             "def new(name, data):\n"
             "    f=os.open(name,os.O_WRONLY|os.O_CREAT|os.O_EXCL,0o600)\n"
             "    os.write(f,data); os.fsync(f); return f\n"
             "a=new('q/a',b'hello'); os.close(new('q/b',b'bee'))\n"
             "os.close(new('q/g',b'gee')); os.fsync(d)\n"
             "os.write(a,b' world'); os.pwrite(a,b'J',0)\n"
             "os.rename('q/b','q/c'); os.unlink('q/g'); os.mkdir('q/sub')\n"
             "os.close(new('q/e',b'eee'))\n"
             "print(sorted(os.listdir('q')), flush=True)\n"
             "os.kill(os.getpid(), signal.SIGKILL)\n")

    def power_state(self, d):
        q = os.path.join(d, "q")
        return {n: "dir" if os.path.isdir(os.path.join(q, n))
                else open(os.path.join(q, n), "rb").read()
                for n in sorted(os.listdir(q))}

    def test_power_loss_undoes_unsynced_state(self):
        out, log, d = self.child(self.POWER, stash=True,
                                 SLUICE_SHIM_POWERLOSS="1")
        self.assertEqual(self.returncode, -9)
        self.assertEqual(out.strip(), "['a', 'c', 'e', 'sub']")
        # a: the unsynced append cut off, the overwrite put back; b: the
        # rename undone; g: the unlink undone; e: synced data, its name not;
        # sub: a directory whose parent was not fsynced after the mkdir
        self.assertEqual(self.power_state(d),
                         {"a": b"hello", "b": b"bee", "g": b"gee"})
        self.assertEqual(os.listdir(os.path.join(d, "stash")), [])
        for what in ("truncate:11->5", "restore@0+1", "rename-back",
                     "relink", "unlink-created", "remove-dir"):
            self.assertIn(what, log)

    def test_power_loss_off_changes_nothing(self):
        out, log, d = self.child(self.POWER, stash=True)
        self.assertEqual(self.returncode, -9)
        self.assertEqual(self.power_state(d),
                         {"a": b"Jello world", "c": b"bee", "e": b"eee",
                          "sub": "dir"})
        self.assertNotIn("pl-", log)


@unittest.skipUnless(os.path.exists(os.path.join(FI_BIN, "qmgr")),
                     "fault build missing (make faultinject-build)")
class RegressionTest(unittest.TestCase):
    def test_regression_scenarios(self):
        import explore
        subprocess.run(["make", "--no-print-directory", "-C", TOP,
                        "faultinject-shim"], check=True, capture_output=True)
        work = tempfile.mkdtemp(prefix="fi-regress-")
        self.addCleanup(subprocess.run, ["rm", "-rf", work])
        for sc in explore.REGRESSIONS:
            with self.subTest(sc["name"]):
                code = ("import json,sys\nsys.path.insert(0,%r)\n"
                        "import fi_run\nprint(json.dumps(fi_run.run_scenario("
                        "json.loads(sys.argv[1]), %r, %r, keep='never'), "
                        "default=str))" % (os.path.join(TOP, "faultinject"),
                                          work, FI_BIN))
                proc = subprocess.run(["/usr/bin/python3", "-c", code,
                                       json.dumps(sc)], capture_output=True,
                                      text=True, timeout=300)
                self.assertEqual(proc.returncode, 0, proc.stderr)
                r = json.loads(proc.stdout.strip().splitlines()[-1])
                self.assertNotEqual(r["outcome"], "FAILED",
                                    json.dumps(r, indent=1))
