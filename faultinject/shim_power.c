/*
 * shim_power.c - the power-loss mode of the syscall fault shim
 * (SLUICE_SHIM_POWERLOSS=1; see shim_power.h for the model, shim_undo.c
 * for what happens at the crash).
 *
 * Bookkeeping (directory entries: shim_names.c), per process, for the files and directories under
 * SLUICE_SHIM_PATH (the queue and the mailboxes):
 *   - a file with data written since its last fsync/fdatasync: its size at
 *     that fsync (0 for a file this process created), and the bytes it
 *     overwrote below that size (O_TRUNC, pwrite in place, ftruncate);
 *   - every name this process created (open O_CREAT, mkdir), linked,
 *     renamed or unlinked, until the directory that holds it is fsynced.
 * An unlinked name, or the file a rename replaced, is kept alive by a hard
 * link in SLUICE_SHIM_PL_STASH so the crash can put it back.
 * Fixed tables, no allocation; the real calls come from shim_real().
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "shim.h"
#include "shim_power.h"

struct pl_state pl;

/* pl_active - power-loss mode on for this process (tables reset after fork) */
int pl_active(void)
{
    const char *on;

    if (!shim_snapped)
        return 0;
    if (pl.mode == 0) {
        on = shim_env("SLUICE_SHIM_POWERLOSS");
        pl.mode = (on && *on == '1') ? 1 : -1;
    }
    if (pl.mode != 1 || pl.undoing)
        return 0;
    if (pl.pid != getpid()) {
        memset(&pl.files, 0, sizeof(pl.files));
        memset(&pl.ops, 0, sizeof(pl.ops));
        pl.nsaves = 0;
        pl.pool_used = 0;
        pl.pid = getpid();
    }
    return 1;
}

/* pl_note - one line into SLUICE_SHIM_LOG */
void pl_note(const char *what, const char *a, const char *b)
{
    const char *log = shim_env("SLUICE_SHIM_LOG");
    int (*real_open)(const char *, int, ...) = shim_real("open");
    ssize_t (*real_write)(int, const void *, size_t) = shim_real("write");
    char line[700];
    int fd, n;

    if (log == 0 || real_open == 0 || real_write == 0)
        return;
    n = snprintf(line, sizeof(line), "%s %s %ld %s %s\n", what, shim_progname(),
                 (long)getpid(), a ? a : "-", b ? b : "-");
    if (n <= 0 || (fd = real_open(log, O_WRONLY | O_APPEND | O_CREAT
                                         | O_CLOEXEC, 0644)) < 0)
        return;
    (void)real_write(fd, line, (size_t)n < sizeof(line) ? (size_t)n
                                                        : sizeof(line) - 1);
    close(fd);
}

/* pl_tidy - "/./" and "//" out of an absolute name (as readlink has it) */
static void pl_tidy(char *p)
{
    char *w = p, *r = p;

    while (*r) {
        if (r[0] == '/' && r[1] == '/') {
            r++;
        } else if (r[0] == '/' && r[1] == '.' && (r[2] == '/' || r[2] == 0)) {
            r += 2;
        } else {
            *w++ = *r++;
        }
    }
    if (w == p)
        *w++ = '/';
    *w = 0;
}

/* pl_abs - path (relative to dirfd) as an absolute name in buf; 0 if too long */
const char *pl_abs(int dirfd, const char *path, char *buf, size_t size)
{
    char link[64];
    ssize_t n;

    if (path == 0)
        return 0;
    if (*path == '/') {
        n = 0;
    } else if (dirfd == AT_FDCWD) {
        if (getcwd(buf, size) == 0)
            return 0;
        n = (ssize_t)strlen(buf);
    } else {
        snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
        if ((n = readlink(link, buf, size - 1)) < 0)
            return 0;
    }
    if ((size_t)n + strlen(path) + 2 > size)
        return 0;
    if (*path != '/')
        buf[n++] = '/';
    strcpy(buf + n, path);
    pl_tidy(buf);
    return buf;
}

/* pl_tracked - a name under SLUICE_SHIM_PATH that fits the tables */
int pl_tracked(const char *abs)
{
    return abs && strlen(abs) < PL_PATH && shim_path_ok(abs)
           && strncmp(abs, "socket:", 7) != 0;
}

/* pl_file_find - the entry of a file with unsynced data, or NULL */
struct pl_file *pl_file_find(dev_t dev, ino_t ino)
{
    int i;

    for (i = 0; i < PL_FILES; i++)
        if (pl.files[i].used && pl.files[i].id.dev == dev
            && pl.files[i].id.ino == ino)
            return pl.files + i;
    return 0;
}

/* pl_file_add - start tracking a file whose durable size is synced */
static struct pl_file *pl_file_add(const struct stat *st, off_t synced,
                                   const char *abs, int fd)
{
    int i;

    for (i = 0; i < PL_FILES; i++)
        if (!pl.files[i].used) {
            pl.files[i].used = 1;
            pl.files[i].id.dev = st->st_dev;
            pl.files[i].id.ino = st->st_ino;
            pl.files[i].synced = synced;
            pl.files[i].fd = fd;
            pl.files[i].known = 0;
            snprintf(pl.files[i].path, PL_PATH, "%s", abs);
            return pl.files + i;
        }
    pl_note("pl-overflow", "files", abs);
    return 0;
}

/* pl_save - keep the bytes [off, off+len) of fd (or of path) for the undo */
static void pl_save(struct pl_file *f, int fd, const char *path, off_t off,
                    size_t len)
{
    int (*real_open)(const char *, int, ...) = shim_real("open");
    char link[64];
    struct pl_save *s;
    int rfd;
    ssize_t n;

    if (len == 0)
        return;
    if (pl.nsaves >= PL_SAVES || pl.pool_used + len > PL_POOL) {
        pl_note("pl-overflow", "saves", f->path);
        return;
    }
    if (fd >= 0) {
        snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
        path = link;
    }
    if ((rfd = real_open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        pl_note("pl-unmodelled", "unreadable-overwrite", f->path);
        return;
    }
    n = pread(rfd, pl.pool + pl.pool_used, len, off);
    close(rfd);
    if (n <= 0)
        return;
    s = pl.saves + pl.nsaves++;
    s->file = (int)(f - pl.files);
    s->off = off;
    s->len = (size_t)n;
    s->pool = pl.pool_used;
    pl.pool_used += (size_t)n;
}

/* pl_changed_since - was the file written by someone else since our write? */
int pl_changed_since(const struct pl_file *f, const struct stat *st)
{
    return f->known && (st->st_size != f->size
                        || st->st_mtim.tv_sec != f->mtime.tv_sec
                        || st->st_mtim.tv_nsec != f->mtime.tv_nsec);
}

/* pl_file_for_fd - the entry of the tracked regular file fd, added if new */
static struct pl_file *pl_file_for_fd(int fd, struct stat *st)
{
    char buf[PL_PATH + 64], link[64];
    struct pl_file *f;
    ssize_t n;

    if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode))
        return 0;
    if ((f = pl_file_find(st->st_dev, st->st_ino)) != 0) {
        if (!pl_changed_since(f, st)) {
            f->fd = fd;
            return f;
        }
        /* Another process wrote it since our last write (cleanup reusing
         * a recycled queue file): what it left is taken as durable. */
        pl_forget_file(f);
    }
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    if ((n = readlink(link, buf, sizeof(buf) - 1)) < 0)
        return 0;
    buf[n] = 0;
    if (!pl_tracked(buf))
        return 0;
    return pl_file_add(st, st->st_size, buf, fd);
}

/* pl_write - before a write of len bytes at off (-1: the file position) */
void pl_write(int fd, size_t len, off_t off)
{
    struct pl_file *f;
    struct stat st;
    off_t end;

    if (len == 0 || !pl_active() || (f = pl_file_for_fd(fd, &st)) == 0)
        return;
    if (fcntl(fd, F_GETFL) & O_APPEND)
        return;                 /* appends never touch synced bytes */
    if (off < 0 && (off = lseek(fd, 0, SEEK_CUR)) < 0)
        return;
    end = off + (off_t)len < f->synced ? off + (off_t)len : f->synced;
    if (off < end)
        pl_save(f, fd, 0, off, (size_t)(end - off));
}

/*
 * pl_written - after a write or ftruncate: the file's size and mtime as
 * this process left them. A file found changed at the crash was written
 * since by another process, whose data the model takes as durable (a
 * recycled queue file that cleanup rewrote and fsynced after qmgr's last
 * unsynced done mark): its data is then left alone.
 */
void pl_written(int fd)
{
    struct pl_file *f;
    struct stat st;
    int saved = errno;

    if (pl_active() && fstat(fd, &st) == 0
        && (f = pl_file_find(st.st_dev, st.st_ino)) != 0) {
        f->size = st.st_size;
        f->mtime = st.st_mtim;
        f->known = 1;
    }
    errno = saved;
}

/* pl_truncate - before ftruncate(fd, len): keep what it would cut off */
void pl_truncate(int fd, off_t len)
{
    struct pl_file *f;
    struct stat st;
    off_t end;

    if (!pl_active() || (f = pl_file_for_fd(fd, &st)) == 0)
        return;
    end = st.st_size < f->synced ? st.st_size : f->synced;
    if (len < end)
        pl_save(f, fd, 0, len, (size_t)(end - len));
}

/* pl_forget_file - drop an entry and its saved bytes */
void pl_forget_file(struct pl_file *f)
{
    int i, j = 0;

    for (i = 0; i < pl.nsaves; i++)
        if (pl.saves[i].file != (int)(f - pl.files))
            pl.saves[j++] = pl.saves[i];
    pl.nsaves = j;
    if (pl.nsaves == 0)
        pl.pool_used = 0;
    f->used = 0;
}

/* pl_open_before - before an open: did the name exist; keep O_TRUNC data */
int pl_open_before(int dirfd, const char *path, int flags)
{
    char abs[PL_PATH];
    struct pl_file *f;
    struct stat st;

    if (!(flags & (O_CREAT | O_TRUNC)) || (flags & O_TMPFILE) == O_TMPFILE
        || !pl_active() || !pl_tracked(pl_abs(dirfd, path, abs, sizeof(abs))))
        return -1;
    if (stat(abs, &st) < 0)
        return 0;
    if ((flags & O_TRUNC) && (flags & O_ACCMODE) != O_RDONLY
        && S_ISREG(st.st_mode) && st.st_size > 0) {
        if ((f = pl_file_find(st.st_dev, st.st_ino)) == 0)
            f = pl_file_add(&st, st.st_size, abs, -1);
        if (f)
            pl_save(f, -1, abs, 0, (size_t)(st.st_size < f->synced
                                            ? st.st_size : f->synced));
    }
    return 1;
}

/* pl_open_after - a file the open created: size 0 durable, name not */
void pl_open_after(int dirfd, const char *path, int flags, int fd, int existed)
{
    char abs[PL_PATH];
    struct stat st;

    if (fd < 0 || existed != 0 || !(flags & O_CREAT) || !pl_active()
        || !pl_abs(dirfd, path, abs, sizeof(abs)) || fstat(fd, &st) < 0
        || !S_ISREG(st.st_mode))
        return;
    /* Size and mtime as created: a file that another process writes later
     * (cleanup filling an empty spare that qmgr made) is then its data. */
    if (pl_file_find(st.st_dev, st.st_ino) == 0)
        pl_file_add(&st, 0, abs, fd);
    pl_written(fd);
    pl_op_add(PL_CREATE, abs, 0, &st);
}

/* pl_synced - after a successful fsync/fdatasync of fd */
void pl_synced(int fd)
{
    struct pl_file *f;
    struct stat st;

    if (!pl_active() || fstat(fd, &st) < 0)
        return;
    if (S_ISREG(st.st_mode)) {
        if ((f = pl_file_find(st.st_dev, st.st_ino)) != 0)
            pl_forget_file(f);
        return;
    }
    if (S_ISDIR(st.st_mode))
        pl_dir_synced(&st);
}

/* pl_closed - fd is closed: the entry keeps only the name */
void pl_closed(int fd)
{
    int i;

    if (pl.mode != 1)
        return;
    for (i = 0; i < PL_FILES; i++)
        if (pl.files[i].used && pl.files[i].fd == fd)
            pl.files[i].fd = -1;
}

/* ftruncate - not failed; in power-loss mode, keeps what it cuts off */
int ftruncate(int fd, off_t len)
{
    static int (*real)(int, off_t);

    if (real == 0)
        real = shim_real("ftruncate");
    int ret;

    pl_truncate(fd, len);
    ret = real(fd, len);
    pl_written(fd);
    return ret;
}

/* ftruncate64 - as ftruncate */
int ftruncate64(int fd, off64_t len)
{
    static int (*real)(int, off64_t);

    if (real == 0)
        real = shim_real("ftruncate64");
    int ret;

    pl_truncate(fd, len);
    ret = real(fd, len);
    pl_written(fd);
    return ret;
}
