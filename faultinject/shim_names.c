/*
 * shim_names.c - the directory side of the shim's power-loss mode (see
 * shim_power.h): the names a process created, linked, renamed or unlinked
 * under SLUICE_SHIM_PATH since the directory that holds them was last
 * fsynced, with a hard link in SLUICE_SHIM_PL_STASH to each file an unlink
 * or a rename took a name from, so that the crash can put it back.
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

/* pl_parent - the identity of the directory that holds abs */
static int pl_parent(const char *abs, struct pl_id *id)
{
    char dir[PL_PATH];
    char *slash;
    struct stat st;

    snprintf(dir, sizeof(dir), "%s", abs);
    if ((slash = strrchr(dir, '/')) == 0)
        return -1;
    if (slash == dir)
        slash[1] = 0;
    else
        *slash = 0;
    if (stat(dir, &st) < 0)
        return -1;
    id->dev = st.st_dev;
    id->ino = st.st_ino;
    return 0;
}

/* pl_op_add - record a change of a directory entry */
struct pl_op *pl_op_add(int kind, const char *to, const char *from,
                               const struct stat *obj)
{
    struct pl_op *op = 0;
    int i;

    for (i = 0; i < PL_OPS && op == 0; i++)
        if (!pl.ops[i].used)
            op = pl.ops + i;
    if (op == 0) {
        pl_note("pl-overflow", "ops", to);
        return 0;
    }
    memset(op, 0, sizeof(*op));
    if (pl_parent(to, &op->dir) < 0)
        return 0;
    op->used = 1;
    op->kind = kind;
    op->seq = ++pl.seq;
    if (obj) {
        op->obj.dev = obj->st_dev;
        op->obj.ino = obj->st_ino;
    }
    snprintf(op->to, PL_PATH, "%s", to);
    snprintf(op->from, PL_PATH, "%s", from ? from : "");
    return op;
}

/* pl_stash - a hard link to the file named abs, kept in the stash */
static void pl_stash(const char *abs, char *stash, size_t size)
{
    int (*real_link)(const char *, const char *) = shim_real("link");
    const char *dir = shim_env("SLUICE_SHIM_PL_STASH");
    struct stat st;

    stash[0] = 0;
    if (dir == 0 || lstat(abs, &st) < 0 || !S_ISREG(st.st_mode))
        return;
    snprintf(stash, size, "%s/%ld.%lu", dir, (long)getpid(), ++pl.stashes);
    if (real_link(abs, stash) < 0) {
        pl_note("pl-unmodelled", "stash-link-failed", abs);
        stash[0] = 0;
    }
}

/* pl_drop_stash - the stash link is no longer needed */
static void pl_drop_stash(char *stash)
{
    int (*real_unlink)(const char *) = shim_real("unlink");

    if (stash[0])
        (void)real_unlink(stash);
    stash[0] = 0;
}

/* pl_rename_path - file entries follow a rename */
static void pl_rename_path(const char *from, const char *to)
{
    int i;

    for (i = 0; i < PL_FILES; i++)
        if (pl.files[i].used && strcmp(pl.files[i].path, from) == 0)
            snprintf(pl.files[i].path, PL_PATH, "%s", to);
}

/* pl_name_before - before rename/link/unlink: abs names, stash the victim */
int pl_name_before(int kind, int fd1, const char *from, int fd2,
                   const char *to, struct pl_names *n)
{
    n->kind = -1;
    if (!pl_active() || !pl_tracked(pl_abs(fd2, to, n->to, sizeof(n->to))))
        return -1;
    if (kind != PL_UNLINK && !pl_abs(fd1, from, n->from, sizeof(n->from)))
        return -1;
    n->kind = kind;
    n->stash[0] = 0;
    if (kind == PL_UNLINK || kind == PL_RENAME)
        pl_stash(n->to, n->stash, sizeof(n->stash));
    return 0;
}

/* pl_name_after - record the change when the call succeeded */
void pl_name_after(struct pl_names *n, int ret)
{
    struct pl_op *op;
    struct pl_file *f;
    struct stat st;
    int i;

    if (n->kind < 0)
        return;
    if (ret < 0) {
        pl_drop_stash(n->stash);
        return;
    }
    if (n->kind == PL_UNLINK) {
        for (i = 0; i < PL_FILES; i++)
            if (pl.files[i].used && strcmp(pl.files[i].path, n->to) == 0)
                snprintf(pl.files[i].path, PL_PATH, "%s", n->stash);
        st.st_dev = 0, st.st_ino = 0;
        if (n->stash[0] && lstat(n->stash, &st) < 0)
            n->stash[0] = 0;
    } else if (lstat(n->to, &st) < 0) {
        pl_drop_stash(n->stash);
        return;
    }
    if (n->kind == PL_RENAME)
        pl_rename_path(n->from, n->to);
    if ((op = pl_op_add(n->kind, n->to, n->from, &st)) == 0) {
        pl_drop_stash(n->stash);
        return;
    }
    snprintf(op->stash, sizeof(op->stash), "%s", n->stash);
    if (n->kind == PL_UNLINK && !op->stash[0]) {
        if ((f = pl_file_find(st.st_dev, st.st_ino)) != 0)
            pl_forget_file(f);
    }
}

/* pl_mkdir - a directory this process created */
void pl_mkdir(int dirfd, const char *path, int ret)
{
    char abs[PL_PATH];
    struct stat st;

    if (ret == 0 && pl_active()
        && pl_tracked(pl_abs(dirfd, path, abs, sizeof(abs)))
        && lstat(abs, &st) == 0)
        pl_op_add(PL_MKDIR, abs, 0, &st);
}

/* pl_dir_synced - a directory was fsynced: its changes are durable */
void pl_dir_synced(const struct stat *st)
{
    int i;

    for (i = 0; i < PL_OPS; i++)
        if (pl.ops[i].used && pl.ops[i].dir.dev == st->st_dev
            && pl.ops[i].dir.ino == st->st_ino) {
            pl_drop_stash(pl.ops[i].stash);
            pl.ops[i].used = 0;
        }
}
