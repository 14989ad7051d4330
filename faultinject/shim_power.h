/*
 * shim_power.h - the power-loss mode of the syscall fault shim
 * (shim_power.c: file data; shim_names.c: directory entries; shim_undo.c:
 * the undo at the crash).
 *
 * SLUICE_SHIM_POWERLOSS=1 turns it on (with LD_PRELOAD of the shim; no
 * SLUICE_SHIM_CALL is needed). The model, per process, for the names under
 * SLUICE_SHIM_PATH:
 *   - fsync/fdatasync of a file makes its data durable (and its inode),
 *     never its name;
 *   - fsync of a directory makes every entry this process created, linked,
 *     renamed into or unlinked from it durable;
 *   - a rename is durable once its destination directory is fsynced (for a
 *     move between directories the source directory is not needed: a
 *     journalling file system commits the move as one transaction);
 *   - everything the process did not make durable is lost when it "loses
 *     power", which is when it kills itself with SIGKILL (the FI_POINT
 *     crash: the shim interposes kill(), so the daemons are unchanged).
 * At that moment the shim (shim_undo.c) restores, in order: each file's
 * overwritten bytes and its synced size (ftruncate), then, newest first,
 * every directory change not yet durable: a created or linked name is
 * removed, a created directory removed (or, not empty, moved into the
 * stash: what fsck would put in lost+found), a rename is renamed back (and
 * the file it replaced linked back), an unlinked name linked back. Unlinked
 * names need SLUICE_SHIM_PL_STASH, a directory on the same file system
 * where the shim keeps a hard link to each unlinked file until the unlink
 * is durable; without it an unlink cannot be undone (logged). Each undo is
 * logged to SLUICE_SHIM_LOG as "pl-undo <prog> <pid> <what> <path>".
 * Limits: only the crashing process's own unsynced state is undone (other
 * processes' writes are taken as durable, so a file another process wrote
 * after this one keeps its data, or holds locked (flock: it is writing
 * it now), and a name another process changed after this one keeps that
 * change: "pl-undo-skipped"); names outside SLUICE_SHIM_PATH,
 * and writes through calls the shim does not see (stdio inside libc, mmap),
 * are not modelled; the tables are bounded (an overflow is logged as
 * "pl-overflow" and that change is then taken as durable).
 */
#ifndef SHIM_POWER_H
#define SHIM_POWER_H

#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#define PL_PATH  256
#define PL_FILES 128
#define PL_OPS   512
#define PL_SAVES 256
#define PL_POOL  65536

enum pl_kind { PL_CREATE, PL_MKDIR, PL_LINK, PL_RENAME, PL_UNLINK };

struct pl_id {
    dev_t dev;
    ino_t ino;
};

/* A file with data written since its last fsync. */
struct pl_file {
    int used;
    struct pl_id id;
    off_t synced;               /* durable size (0: created here) */
    int fd;                     /* last descriptor written through, or -1 */
    int known;                  /* size and mtime below are set */
    off_t size;                 /* as our last write or truncate left it */
    struct timespec mtime;
    char path[PL_PATH];         /* its current name */
};

/* Bytes below the synced size that were overwritten or cut off. */
struct pl_save {
    int file;                   /* index into pl.files */
    off_t off;
    size_t len;
    size_t pool;                /* where in pl.pool */
};

/* One change of a directory entry not yet made durable. */
struct pl_op {
    int used;
    int kind;                   /* enum pl_kind */
    unsigned long seq;          /* order of the changes */
    struct pl_id dir;           /* whose fsync makes it durable */
    struct pl_id obj;           /* the file or directory it named */
    char to[PL_PATH];           /* the name created, renamed to, removed */
    char from[PL_PATH];         /* rename: the old name */
    char stash[PL_PATH];        /* a hard link to the removed/replaced file */
};

struct pl_state {
    int mode;                   /* 0 unknown, 1 on, -1 off */
    int undoing;
    pid_t pid;                  /* whose tables these are (fork resets) */
    unsigned long seq, stashes;
    struct pl_file files[PL_FILES];
    struct pl_op ops[PL_OPS];
    struct pl_save saves[PL_SAVES];
    int nsaves;
    size_t pool_used;
    unsigned char pool[PL_POOL];
};

extern struct pl_state pl;

/* Names of a rename, link or unlink between its two halves. */
struct pl_names {
    int kind;                   /* -1: not tracked */
    char from[PL_PATH], to[PL_PATH], stash[PL_PATH];
};

/* Power-loss mode is on for this process (and not undoing). */
int pl_active(void);

/* The hooks, called by the interposed calls of shim.c and shim_paths.c. */
void pl_write(int fd, size_t len, off_t off);   /* off -1: file position */
void pl_truncate(int fd, off_t len);
void pl_written(int fd);                        /* after write, ftruncate */
int pl_open_before(int dirfd, const char *path, int flags);
void pl_open_after(int dirfd, const char *path, int flags, int fd,
                   int existed);
int pl_name_before(int kind, int fd1, const char *from, int fd2,
                   const char *to, struct pl_names *n);
void pl_name_after(struct pl_names *n, int ret);
void pl_mkdir(int dirfd, const char *path, int ret);
void pl_synced(int fd);
void pl_closed(int fd);

/* At the crash: undo every change not yet durable (shim_undo.c). */
void pl_crash(void);

/* Helpers shared by shim_power.c and shim_undo.c. */
void pl_note(const char *what, const char *a, const char *b);
const char *pl_abs(int dirfd, const char *path, char *buf, size_t size);
int pl_tracked(const char *abs);
struct pl_file *pl_file_find(dev_t dev, ino_t ino);
int pl_changed_since(const struct pl_file *f, const struct stat *st);
void pl_forget_file(struct pl_file *f);
struct pl_op *pl_op_add(int kind, const char *to, const char *from,
                        const struct stat *obj);
void pl_dir_synced(const struct stat *st);

#endif
