/*
 * shim.c - the syscall fault shim of the fault-injection harness
 * (LD_PRELOAD=build/faultinject/sluice-shim.so, built by mk/faultinject.mk).
 *
 * It interposes the calls through which a daemon makes state durable or
 * takes resources, and fails the n-th one of a chosen class in a chosen
 * program, the way a full disk, a failing disk or memory exhaustion would:
 *
 *   SLUICE_SHIM_CALL   write (write, pwrite), fsync, fdatasync,
 *                      rename (rename, renameat, renameat2), link (link,
 *                      linkat), unlink (unlink, unlinkat), open (open,
 *                      open64, openat, openat64), mkdir (mkdir, mkdirat),
 *                      malloc (malloc, calloc, realloc)
 *   SLUICE_SHIM_NTH    which call of that class in the process fails (1..)
 *   SLUICE_SHIM_ERRNO  EIO, ENOSPC, EDQUOT, ENOMEM, or SHORT (a write that
 *                      transfers half of what was asked, no error)
 *   SLUICE_SHIM_PROG   only this program (basename of /proc/self/exe)
 *   SLUICE_SHIM_PATH   ':'-separated substrings; only calls on a path (or,
 *                      for write/fsync, an fd whose /proc/self/fd link)
 *                      contains one of them count; "socket:" matches
 *                      sockets. Unset: every call counts.
 *   SLUICE_SHIM_ONCE   a file: the first process that injects creates it,
 *                      later processes (restarted daemons) do not inject
 *   SLUICE_SHIM_LOG    a file: one line per injected fault, and with
 *   SLUICE_SHIM_TRACE  set to 1, one line per counted call (which is how
 *                      the explorer learns how many calls a workload makes);
 *                      SLUICE_SHIM_CALL=trace counts every class but malloc
 *                      and fails nothing
 *   SLUICE_SHIM_LOSE   set to 1: a failed fsync/fdatasync of a file that
 *                      this process created empty and never synced also
 *                      throws its data away (truncates it to 0), the way a
 *                      failed write-back loses dirty pages; a daemon that
 *                      goes on as if the fsync had worked then loses mail
 *   SLUICE_SHIM_POWERLOSS  set to 1: the power-loss mode (shim_power.h):
 *                      the process's unsynced writes and directory changes
 *                      are undone when it kills itself with SIGKILL;
 *                      SLUICE_SHIM_PL_STASH names a directory on the same
 *                      file system for the hard links that undo unlinks
 *
 * Linux AIO is refused (io_setup fails with ENOSYS, through syscall()): a
 * batch of fsyncs (fsync_many.h) then goes one fsync(2) at a time, which
 * the shim counts, fails and models for power loss like any other.
 *
 * The shim never allocates: it uses fixed buffers and the real functions
 * found with dlsym(RTLD_NEXT) (malloc goes through glibc's __libc_malloc).
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include "shim.h"
#include "shim_power.h"

static const char *const shim_names[SC_COUNT] = {
    "write", "fsync", "fdatasync", "rename", "link", "unlink", "open",
    "mkdir", "malloc" };

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);

static int shim_ready;          /* 0 unknown, 1 active, -1 inactive */
static int shim_class = -1;     /* SC_COUNT: trace every class */
static unsigned long shim_nth;
int shim_errno;                 /* 0 for SHORT */
static int shim_fired;
static int shim_busy;           /* no recursion through our own calls */
static unsigned long shim_counts[SC_COUNT];
static char shim_prog[256];
static unsigned char shim_fresh[SHIM_MAX_FD];   /* created, never synced */

/*
 * The SLUICE_SHIM_* variables as they were before main(): a program that
 * empties its environment (the setgid gate) is still under the shim.
 */
static const char *const shim_vars[] = {
    "SLUICE_SHIM_CALL", "SLUICE_SHIM_NTH", "SLUICE_SHIM_ERRNO",
    "SLUICE_SHIM_PROG", "SLUICE_SHIM_PATH", "SLUICE_SHIM_ONCE",
    "SLUICE_SHIM_LOG", "SLUICE_SHIM_TRACE", "SLUICE_SHIM_LOSE",
    "SLUICE_SHIM_POWERLOSS", "SLUICE_SHIM_PL_STASH", 0 };
static char shim_values[11][1024];
static int shim_have[11];
int shim_snapped;               /* the constructor has run */

static void shim_snapshot(void) __attribute__((constructor));

/* shim_snapshot - copy the environment that drives the shim */
static void shim_snapshot(void)
{
    const char *v;
    int i;

    for (i = 0; shim_vars[i]; i++)
        if ((v = getenv(shim_vars[i])) != 0 && strlen(v) < sizeof(shim_values[i])) {
            strcpy(shim_values[i], v);
            shim_have[i] = 1;
        }
    shim_snapped = 1;
}

/* shim_env - a snapshotted variable, or NULL */
const char *shim_env(const char *name)
{
    int i;

    for (i = 0; shim_vars[i]; i++)
        if (strcmp(shim_vars[i], name) == 0)
            return shim_have[i] ? shim_values[i] : 0;
    return 0;
}

/* shim_real - the next definition of a symbol (the C library's) */
void *shim_real(const char *name)
{
    return dlsym(RTLD_NEXT, name);
}

/* shim_errno_value - the errno named by SLUICE_SHIM_ERRNO */
static int shim_errno_value(const char *name)
{
    static const struct { const char *name; int value; } table[] = {
        {"EIO", EIO}, {"ENOSPC", ENOSPC}, {"EDQUOT", EDQUOT},
        {"ENOMEM", ENOMEM}, {"SHORT", 0}, {0, 0} };
    int i;

    for (i = 0; name && table[i].name; i++)
        if (strcmp(name, table[i].name) == 0)
            return table[i].value;
    return EIO;
}

/* shim_init - read the environment once; decide whether we are active */
static void shim_init(void)
{
    const char *call = shim_env("SLUICE_SHIM_CALL");
    const char *prog = shim_env("SLUICE_SHIM_PROG");
    const char *nth = shim_env("SLUICE_SHIM_NTH");
    int i;

    shim_ready = -1;
    if (call == 0)
        return;
    shim_progname();
    if (prog && *prog && strcmp(prog, shim_prog) != 0)
        return;
    for (i = 0; i < SC_COUNT; i++)
        if (strcmp(call, shim_names[i]) == 0)
            shim_class = i;
    if (strcmp(call, "trace") == 0)
        shim_class = SC_COUNT;
    if (shim_class < 0)
        return;
    shim_nth = nth ? strtoul(nth, 0, 10) : 1;
    shim_errno = shim_errno_value(shim_env("SLUICE_SHIM_ERRNO"));
    shim_ready = 1;
}

/* shim_progname - the basename of /proc/self/exe */
const char *shim_progname(void)
{
    char exe[256];
    ssize_t n;

    if (shim_prog[0] == 0) {
        n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        exe[n > 0 ? n : 0] = 0;
        snprintf(shim_prog, sizeof(shim_prog), "%s",
                 strrchr(exe, '/') ? strrchr(exe, '/') + 1 : exe);
    }
    return shim_prog;
}

/* shim_path_ok - does the path match SLUICE_SHIM_PATH? */
int shim_path_ok(const char *path)
{
    const char *want = shim_env("SLUICE_SHIM_PATH");
    const char *p, *end;
    size_t len;

    if (want == 0 || *want == 0)
        return 1;
    if (path == 0)
        return 0;
    for (p = want; *p; p = *end ? end + 1 : end) {
        end = strchr(p, ':');
        if (end == 0)
            end = p + strlen(p);
        len = (size_t)(end - p);
        if (len > 0 && memmem(path, strlen(path), p, len) != 0)
            return 1;
    }
    return 0;
}

/* shim_fd_path - what an fd refers to, into buf */
static const char *shim_fd_path(int fd, char *buf, size_t size)
{
    char link[64];
    ssize_t n;

    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    n = readlink(link, buf, size - 1);
    if (n < 0)
        return 0;
    buf[n] = 0;
    return buf;
}

/* shim_note - append one line to SLUICE_SHIM_LOG */
static void shim_note(const char *what, int cls, const char *path)
{
    const char *log = shim_env("SLUICE_SHIM_LOG");
    int (*real_open)(const char *, int, ...) = shim_real("open");
    ssize_t (*real_write)(int, const void *, size_t) = shim_real("write");
    char line[512];
    int fd, n;

    if (log == 0 || real_open == 0 || real_write == 0)
        return;
    n = snprintf(line, sizeof(line), "%s %s %s %lu %ld %s\n", what, shim_prog,
                 shim_names[cls], shim_counts[cls],
                 (long)getpid(), path ? path : "-");
    if ((fd = real_open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
                        0644)) < 0)
        return;
    if (n > 0)
        (void)real_write(fd, line, (size_t)n < sizeof(line) ? (size_t)n
                                                            : sizeof(line) - 1);
    close(fd);
}

/* shim_claim_once - only the first injecting process injects */
static int shim_claim_once(void)
{
    const char *once = shim_env("SLUICE_SHIM_ONCE");
    int (*real_open)(const char *, int, ...) = shim_real("open");
    int fd;

    if (once == 0 || real_open == 0)
        return 1;
    if ((fd = real_open(once, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                        0644)) < 0)
        return 0;
    close(fd);
    return 1;
}

/*
 * shim_should_fail - count a call of class cls on path (or fd >= 0);
 * returns 1 when this is the call to fail.
 */
int shim_should_fail(int cls, const char *path, int fd)
{
    char buf[512];
    const char *trace;
    int fire = 0;

    if (shim_busy || !shim_snapped)
        return 0;
    shim_busy = 1;
    if (shim_ready == 0)
        shim_init();
    if (shim_ready != 1 || shim_fired
        || (cls != shim_class && (shim_class != SC_COUNT || cls == SC_MALLOC))) {
        shim_busy = 0;
        return 0;
    }
    if (fd >= 0)
        path = shim_fd_path(fd, buf, sizeof(buf));
    else if (path && *path != '/' && getcwd(buf, sizeof(buf) / 2) != 0) {
        snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "/%s", path);
        path = buf;
    }
    if (cls == SC_MALLOC || shim_path_ok(path)) {
        shim_counts[cls]++;
        trace = shim_env("SLUICE_SHIM_TRACE");
        if (trace && *trace == '1' && cls != SC_MALLOC)
            shim_note("call", cls, path);
        if (shim_class == cls && shim_counts[cls] == shim_nth
            && shim_claim_once()) {
            shim_fired = 1;
            shim_note("fault", cls, path);
            fire = 1;
        }
    }
    shim_busy = 0;
    return fire;
}

/* write - fails, or (SHORT) transfers half */
ssize_t write(int fd, const void *buf, size_t len)
{
    static ssize_t (*real)(int, const void *, size_t);
    ssize_t n;

    if (real == 0)
        real = shim_real("write");
    if (len > 0 && shim_should_fail(SC_WRITE, 0, fd)) {
        if (shim_errno == 0)
            return real(fd, buf, len > 1 ? len / 2 : len);
        SHIM_FAIL(-1);
    }
    pl_write(fd, len, -1);
    n = real(fd, buf, len);
    pl_written(fd);
    return n;
}

typedef ssize_t (*shim_pwrite_fn)(int, const void *, size_t, off_t);

/* shim_pwrite - pwrite and pwrite64, through the real one given */
static ssize_t shim_pwrite(shim_pwrite_fn real, int fd, const void *buf,
                           size_t len, off_t off)
{
    ssize_t n;

    if (len > 0 && shim_should_fail(SC_WRITE, 0, fd)) {
        if (shim_errno == 0)
            return real(fd, buf, len > 1 ? len / 2 : len, off);
        SHIM_FAIL(-1);
    }
    pl_write(fd, len, off);
    n = real(fd, buf, len, off);
    pl_written(fd);
    return n;
}

/* pwrite - as write */
ssize_t pwrite(int fd, const void *buf, size_t len, off_t off)
{
    static shim_pwrite_fn real;

    if (real == 0)
        real = (shim_pwrite_fn)shim_real("pwrite");
    return shim_pwrite(real, fd, buf, len, off);
}

/* pwrite64 - as write (what a program with 64-bit off_t calls) */
ssize_t pwrite64(int fd, const void *buf, size_t len, off64_t off)
{
    static shim_pwrite_fn real;

    if (real == 0)
        real = (shim_pwrite_fn)shim_real("pwrite64");
    return shim_pwrite(real, fd, buf, len, off);
}

/* shim_lose - a failed fsync throws away a fresh file's data (LOSE) */
static void shim_lose(int fd)
{
    const char *lose = shim_env("SLUICE_SHIM_LOSE");

    if (lose && *lose == '1' && fd >= 0 && fd < SHIM_MAX_FD && shim_fresh[fd]) {
        if (ftruncate(fd, 0) == 0)
            shim_note("lost", shim_class, "-");
    }
}

/* shim_created - remember an fd of a file created empty by this process */
void shim_created(int fd, int flags)
{
    struct stat st;

    if (fd >= 0 && fd < SHIM_MAX_FD)
        shim_fresh[fd] = (flags & O_CREAT) && fstat(fd, &st) == 0
                         && S_ISREG(st.st_mode) && st.st_size == 0;
}

/* fsync - fails (and with SLUICE_SHIM_LOSE, loses a fresh file's data) */
int fsync(int fd)
{
    static int (*real)(int);
    int ret;

    if (real == 0)
        real = shim_real("fsync");
    if (shim_should_fail(SC_FSYNC, 0, fd)) {
        shim_lose(fd);
        SHIM_FAIL(-1);
    }
    if ((ret = real(fd)) == 0 && fd >= 0 && fd < SHIM_MAX_FD)
        shim_fresh[fd] = 0;
    if (ret == 0)
        pl_synced(fd);
    return ret;
}

/* fdatasync - as fsync */
int fdatasync(int fd)
{
    static int (*real)(int);
    int ret;

    if (real == 0)
        real = shim_real("fdatasync");
    if (shim_should_fail(SC_FDATASYNC, 0, fd)) {
        shim_lose(fd);
        SHIM_FAIL(-1);
    }
    if ((ret = real(fd)) == 0 && fd >= 0 && fd < SHIM_MAX_FD)
        shim_fresh[fd] = 0;
    if (ret == 0)
        pl_synced(fd);
    return ret;
}

/* close - forgets what the shim knew about the fd */
int close(int fd)
{
    static int (*real)(int);

    if (real == 0)
        real = shim_real("close");
    if (fd >= 0 && fd < SHIM_MAX_FD)
        shim_fresh[fd] = 0;
    pl_closed(fd);
    return real(fd);
}

/* syscall - refuses io_setup (see the top of this file); everything else
 * goes to the C library's with the six arguments a system call can have */
long syscall(long number, ...)
{
    static long (*real)(long, ...);
    long a[6];
    va_list ap;
    int i;

    if (number == SYS_io_setup) {
        errno = ENOSYS;
        return -1;
    }
    if (real == 0)
        real = (long (*)(long, ...))shim_real("syscall");
    va_start(ap, number);
    for (i = 0; i < 6; i++)
        a[i] = va_arg(ap, long);
    va_end(ap);
    return real(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}
