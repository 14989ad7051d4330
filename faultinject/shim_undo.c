/*
 * shim_undo.c - the power cut of the shim's power-loss mode: when the
 * process kills itself with SIGKILL (an FI_POINT crash), first undo what it
 * had not made durable (see shim_power.h for the model), then die.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "shim.h"
#include "shim_power.h"

/* pl_same - does the name (still) hold this file or directory? */
static int pl_same(const char *path, const struct pl_id *id)
{
    struct stat st;

    return lstat(path, &st) == 0 && st.st_dev == id->dev
           && st.st_ino == id->ino;
}

/* pl_reopen - a descriptor for writing f without O_APPEND, or -1 */
static int pl_reopen(const struct pl_file *f)
{
    int (*real_open)(const char *, int, ...) = shim_real("open");
    char link[64];
    struct stat st;
    int fd = -1;

    if (f->fd >= 0 && fstat(f->fd, &st) == 0 && st.st_dev == f->id.dev
        && st.st_ino == f->id.ino) {
        snprintf(link, sizeof(link), "/proc/self/fd/%d", f->fd);
        fd = real_open(link, O_WRONLY | O_CLOEXEC);
    }
    if (fd < 0 && pl_same(f->path, &f->id))
        fd = real_open(f->path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
    return fd;
}

/*
 * pl_hold - the file's flock for the undo, through the descriptor this
 * process last wrote it with (a lock it holds there already, as qmgr
 * holds a message it claimed in place) or through fd; 0 when another
 * process holds it. A power cut stops every process at once, but this
 * undo runs while the others go on: a cleanup that took a spare file
 * this process once wrote holds its lock from the take to the commit,
 * and its commit must not be undone half-way (the race truncated a
 * committed message to nothing in the fourteenth session's full run).
 */
static int pl_hold(const struct pl_file *f, int fd)
{
    struct stat st;

    if (f->fd >= 0 && fstat(f->fd, &st) == 0 && st.st_dev == f->id.dev
        && st.st_ino == f->id.ino && flock(f->fd, LOCK_EX | LOCK_NB) == 0)
        return 1;
    return flock(fd, LOCK_EX | LOCK_NB) == 0;
}

/* pl_undo_file - overwritten bytes back, then the synced size */
static int pl_undo_file(struct pl_file *f)
{
    ssize_t (*real_pwrite)(int, const void *, size_t, off_t) =
        shim_real("pwrite");
    int (*real_ftruncate)(int, off_t) = shim_real("ftruncate");
    char what[64];
    struct stat st;
    int i, fd, n = 0;

    if ((fd = pl_reopen(f)) < 0) {
        pl_note("pl-unreachable", f->path, 0);
        return 0;
    }
    if (!pl_hold(f, fd)) {
        pl_note("pl-undo-skipped", "locked-by-another-process", f->path);
        close(fd);
        return 0;
    }
    if (fstat(fd, &st) == 0 && pl_changed_since(f, &st)) {
        pl_note("pl-undo-skipped", "data-written-since-by-another-process",
                f->path);
        close(fd);
        return 0;
    }
    for (i = pl.nsaves - 1; i >= 0; i--)
        if (pl.saves[i].file == (int)(f - pl.files)) {
            if (real_pwrite(fd, pl.pool + pl.saves[i].pool, pl.saves[i].len,
                            pl.saves[i].off) == (ssize_t)pl.saves[i].len) {
                snprintf(what, sizeof(what), "restore@%lld+%zu",
                         (long long)pl.saves[i].off, pl.saves[i].len);
                pl_note("pl-undo", what, f->path);
                n++;
            }
        }
    if (fstat(fd, &st) == 0 && st.st_size > f->synced
        && real_ftruncate(fd, f->synced) == 0) {
        snprintf(what, sizeof(what), "truncate:%lld->%lld",
                 (long long)st.st_size, (long long)f->synced);
        pl_note("pl-undo", what, f->path);
        n++;
    }
    close(fd);
    return n;
}

/* pl_orphan - a directory whose own name was not durable: to the stash */
static int pl_orphan(const char *path)
{
    int (*real_rename)(const char *, const char *) = shim_real("rename");
    const char *dir = shim_env("SLUICE_SHIM_PL_STASH");
    char to[PL_PATH + 64];

    if (rmdir(path) == 0)
        return 0;
    if (dir == 0)
        return -1;
    snprintf(to, sizeof(to), "%s/lost+found.%ld.%lu", dir, (long)getpid(),
             ++pl.stashes);
    return real_rename(path, to);
}

/* pl_undo_op - undo one directory change; 1 if done */
static int pl_undo_op(const struct pl_op *op)
{
    int (*real_unlink)(const char *) = shim_real("unlink");
    int (*real_link)(const char *, const char *) = shim_real("link");
    int (*real_renameat2)(int, const char *, int, const char *, unsigned) =
        shim_real("renameat2");
    static const char *const names[] = {
        "unlink-created", "remove-dir", "unlink-linked", "rename-back",
        "relink" };
    struct stat st;
    int ok = 0;

    /* The name no longer holds what we left there: another process changed
     * it since, and its change is taken as durable. */
    if (op->kind != PL_UNLINK && !pl_same(op->to, &op->obj)) {
        pl_note("pl-undo-skipped", names[op->kind], op->to);
        return 0;
    }
    switch (op->kind) {
    case PL_CREATE:
    case PL_LINK:
        ok = pl_same(op->to, &op->obj) && real_unlink(op->to) == 0;
        break;
    case PL_MKDIR:
        ok = pl_same(op->to, &op->obj) && pl_orphan(op->to) == 0;
        break;
    case PL_RENAME:
        ok = pl_same(op->to, &op->obj)
             && real_renameat2(AT_FDCWD, op->to, AT_FDCWD, op->from,
                               RENAME_NOREPLACE) == 0;
        if (ok && op->stash[0])
            (void)real_link(op->stash, op->to);
        break;
    case PL_UNLINK:
        ok = op->stash[0] && lstat(op->to, &st) < 0 && errno == ENOENT
             && real_link(op->stash, op->to) == 0;
        break;
    }
    pl_note(ok ? "pl-undo" : "pl-undo-failed", names[op->kind], op->to);
    return ok;
}

/* pl_crash - the power cut: undo, newest change first */
void pl_crash(void)
{
    int (*real_unlink)(const char *) = shim_real("unlink");
    unsigned long below = (unsigned long)-1;
    uid_t r, e, saved;
    char count[32];
    int i, best, n = 0;

    if (!pl_active())
        return;
    pl.undoing = 1;
    /* The power cut does not care whose files they are: a process that
     * dropped privileges (local, writing as a mailbox's owner) regains
     * them to undo changes made while it still had them. */
    if (getresuid(&r, &e, &saved) == 0 && e != 0 && saved == 0)
        (void)seteuid(0);
    for (i = 0; i < PL_FILES; i++)
        if (pl.files[i].used)
            n += pl_undo_file(pl.files + i);
    for (;;) {
        for (best = -1, i = 0; i < PL_OPS; i++)
            if (pl.ops[i].used && pl.ops[i].seq < below
                && (best < 0 || pl.ops[i].seq > pl.ops[best].seq))
                best = i;
        if (best < 0)
            break;
        below = pl.ops[best].seq;
        n += pl_undo_op(pl.ops + best);
    }
    /* A stash link left behind would be a second link to a queue file,
     * which the daemons rightly refuse to open. */
    for (i = 0; i < PL_OPS; i++)
        if (pl.ops[i].used && pl.ops[i].stash[0])
            (void)real_unlink(pl.ops[i].stash);
    snprintf(count, sizeof(count), "%d", n);
    pl_note("pl-crash", count, 0);
}

/* kill - the FI_POINT crash, kill(getpid(), SIGKILL): the power cut first */
int kill(pid_t pid, int sig)
{
    static int (*real)(pid_t, int);

    if (real == 0)
        real = shim_real("kill");
    if (sig == SIGKILL && pid == getpid())
        pl_crash();
    return real(pid, sig);
}
