"""perf_fold.py - fold `perf script -F comm,ip,sym` output by program and
by the system call a sample sits under (the outermost __x64_sys_* frame,
or the libc wrapper), so that "cleanup 21 %: openat 9 %, fsync 4 %" can be
read off a whole-machine profile. Used by profile.py; also a filter:

    perf script -F comm,ip,sym | python3 bench/perf_fold.py
"""
import collections
import sys


def syscall_of(chain):
    """The outermost system-call frame of a call chain (leaf first)."""
    calls = [f for f in chain if f.startswith("__x64_sys_")]
    if calls:
        return calls[-1][len("__x64_sys_"):]
    wrappers = [f for f in chain if f.startswith("__GI___")]
    if wrappers:  # kernel frames lost, the libc wrapper is left
        return wrappers[-1][len("__GI___"):].replace("libc_", "")
    return "other:" + chain[0] if chain else "?"


def fold(lines):
    """{program: Counter(syscall -> samples)} from perf script lines."""
    per = collections.defaultdict(collections.Counter)
    comm, chain = None, []

    def flush():
        if comm is not None and chain:
            per[comm][syscall_of(chain)] += 1
    for line in lines:
        if line and not line[0].isspace():
            flush()
            words = line.split()
            comm, chain = (words[0] if words else None), []
        else:
            words = line.split()
            if len(words) >= 2:
                chain.append(words[1])
    flush()
    return per


def table(per, programs=12, calls=6):
    """Share of all samples per program, with its top system calls."""
    total = sum(sum(c.values()) for c in per.values()) or 1
    rows = sorted(per.items(), key=lambda kv: -sum(kv[1].values()))
    out = []
    for comm, c in rows[:programs]:
        top = ", ".join(f"{k} {100.0 * v / total:.1f}"
                        for k, v in c.most_common(calls))
        out.append(f"{comm:16s} {100.0 * sum(c.values()) / total:5.1f} %  {top}")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(table(fold(sys.stdin.read().splitlines())), end="")
