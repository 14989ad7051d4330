"""exp10.py - the tenth session's experiment (PAPER.md section 6, item 25):
local delivery to several mailboxes at once. Root only, loopback only,
every phase bounded.

    exp10.py users RUNS K N SYSTEM...
        N messages to K local users (N/K each, users sluicebench1..K made
        on need, with homes of this invocation, each Maildir moved aside
        before a run), injected by K smtp-source
        processes at once over 20 sessions in all while the systems
        deliver, as `make bench` times local delivery; the rate is N over
        the time until every Maildir holds its share. The systems
        alternate RUNS times; a SYSTEM is a directory of Sluice's programs
        or "postfix". Both keep their defaults: Postfix's local agent
        delivers to one recipient per request and
        local_destination_concurrency_limit (2) bounds the deliveries to
        one recipient; Sluice did the same only from the tenth session on
        (before, 2 local deliveries in all and up to 50 recipients a
        request).
"""
import collections
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import bench  # noqa: E402
import exp  # noqa: E402
import exp9  # noqa: E402
import measure  # noqa: E402

SESSIONS = 20


def user_homes(k):
    """K users with homes of this invocation: [(name, home)]. The homes stay
    for the whole experiment: Postfix's local agent keeps the passwd entries
    it looked up, so a home changed between runs still gets its mail."""
    base = os.path.join(bench.HOMES, "users-%d" % time.monotonic_ns())
    out = []
    for i in range(1, k + 1):
        name, home = f"{bench.BENCH_USER}{i}", os.path.join(base, str(i))
        os.makedirs(home)
        if subprocess.run(["getent", "passwd", name],
                          capture_output=True).returncode != 0:
            subprocess.run(["useradd", "--system", "--no-create-home",
                            "--shell", "/usr/sbin/nologin", name], check=True)
        subprocess.run(["usermod", "--home", home, name], check=True)
        subprocess.run(["chown", f"{name}:", home], check=True)
        out.append((name, home))
    return out


def one_run(m, tools, users, n, timeout=300):
    """N messages to the users through instance m: msg/s."""
    k = len(users)
    per, errors = n // k, []
    for _, home in users:
        bench.clear_maildir(home)

    def inject(name):
        try:
            measure.inject(tools, m.port, per, max(1, SESSIONS // k), 1024,
                           f"{name}@localhost", timeout)
        except Exception as e:  # reported after the join
            errors.append(e)

    t0 = time.monotonic()
    threads = [threading.Thread(target=inject, args=(u,)) for u, _ in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    t_end = t0
    for _, home in users:
        t = measure.wait_maildir(home, per, max(1, timeout - (time.monotonic() - t0)))
        if t is None:
            raise RuntimeError(f"{m.name}: {home}: Maildir got "
                               f"{measure.maildir_count(home)} of {per}")
        t_end = max(t_end, t)
    return per * k / (t_end - t0)


def exp_users(runs, k, n, systems):
    tools, work = bench.Tools(), exp.workdir("users")
    insts, sinks, res = {}, {}, collections.defaultdict(list)
    users = user_homes(k)
    try:
        names = exp9.start_instances(systems, tools, work, insts, sinks)
        for name in exp.alternate(runs, names):
            try:
                res[name].append(one_run(insts[name], tools, users, n))
            except RuntimeError:
                bench.keep_log(insts[name], work)
                plog = os.path.join(getattr(insts[name], "dir", ""),
                                    "log", "postfix.log")
                if os.path.exists(plog):
                    shutil.copy(plog, os.path.join(work, "postfix-failed.log"))
                print(f"{name} failed; its log is kept in {work}")
                raise
            print(name, "%d users: %.0f msg/s" % (k, res[name][-1]), flush=True)
    finally:
        exp9.stop_instances(insts, sinks)
        bench.remove_homes()
    for name in res:
        v = res[name]
        if v:
            print(f"median of runs {name} {k} users: {statistics.median(v):.0f} "
                  f"msg/s [{min(v):.0f}-{max(v):.0f}]")


def main(argv):
    if os.geteuid() != 0:
        sys.exit(__doc__)
    if len(argv) >= 6 and argv[1] == "users":
        exp_users(int(argv[2]), int(argv[3]), int(argv[4]), argv[5:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
