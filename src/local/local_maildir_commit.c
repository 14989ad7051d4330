/*
 * local_maildir_commit.c - the local-delivery commit point of DESIGN.md
 * section 3, for every Maildir file a connection wrote (local_maildir.c),
 * with the device's flushes shared among them:
 *
 *   sync_file_range    every file's data starts toward the device at once
 *   fsync each file    its data and inode are durable (all submitted
 *                      together, fsync_many.h)
 *   link()             into new/<unique>      <- the message exists from here
 *   unlink()           tmp/<unique>
 *   fsync(new/)        once per directory     <- "delivered" only after this
 *
 * A file is linked only once its own fsync succeeded, so new/ never names
 * a file whose content may be lost; a crash before the link leaves garbage
 * in tmp/. A failed fsync, link or directory fsync removes what it made in
 * new/ and reports the delivery through the batch's undo call, which turns
 * the recipient's outcome into a deferral: "delivered" is never reported
 * for a file or link that may not survive. Links, unlinks and directory
 * fsyncs run with the effective ids the file was written with.
 *
 * A batch holds at most LOCAL_MAILDIR_BATCH_MAX files (open descriptors);
 * local_maildir_room() commits a full one before the next file is written.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "fi_point.h"
#include "fsync_many.h"
#include "fsync_util.h"
#include "msg.h"
#include "mymalloc.h"
#include "vstring.h"

#include "local.h"

struct waiting {
    int fd;           /* open until its fsync, then -1 */
    char *tmp;        /* maildir/tmp/<unique> */
    char *new;        /* maildir/new/<unique> */
    char *queue_id;   /* for the log line */
    char *rcpt;
    uid_t uid;        /* the effective ids it was written with */
    gid_t gid;
    size_t tag;       /* whose outcome it is (local_maildir_batch) */
    int linked;       /* new/ names it */
    struct vstring *failed; /* the reason, once it failed */
};

static struct waiting batch[LOCAL_MAILDIR_BATCH_MAX];
static size_t batch_len;
static size_t current_tag;
static local_undo_fn undo_fn;
static void *undo_ctx;

/* local_maildir_batch - who hears of a delivery undone at the commit */
void local_maildir_batch(local_undo_fn fn, void *ctx)
{
    undo_fn = fn;
    undo_ctx = ctx;
}

/* local_maildir_tag - the tag of the deliveries written from now on */
void local_maildir_tag(size_t tag)
{
    current_tag = tag;
}

/* local_maildir_room - commit a full batch before one more file */
void local_maildir_room(void)
{
    if (batch_len >= LOCAL_MAILDIR_BATCH_MAX)
        local_maildir_commit();
}

/* local_maildir_wait - keep a written file for the commit */
void local_maildir_wait(int fd, const char *tmp, const char *new,
                        const char *queue_id, const char *rcpt)
{
    struct waiting *w;

    if (batch_len >= LOCAL_MAILDIR_BATCH_MAX)
        msg_panic("local_maildir_wait: batch full");
    w = &batch[batch_len++];
    w->fd = fd;
    w->tmp = mystrdup(tmp);
    w->new = mystrdup(new);
    w->queue_id = mystrdup(queue_id);
    w->rcpt = mystrdup(rcpt);
    w->uid = geteuid();
    w->gid = getegid();
    w->tag = current_tag;
    w->linked = 0;
    w->failed = 0;
}

/* fail - remember why w failed (the first reason wins) */
static void fail(struct waiting *w, const char *what, const char *path, int err)
{
    if (w->failed)
        return;
    w->failed = vstring_alloc(100);
    local_errno_reason(w->failed, what, path, err);
}

/* as_owner - enter w's ids when they are not the ones in effect; 1 when
 * entered (leave afterwards), 0 when not needed, -1 (w failed) */
static int as_owner(struct waiting *w)
{
    struct vstring *why;

    if (w->uid == geteuid() && w->gid == getegid())
        return 0;
    why = vstring_alloc(100);
    if (local_privs_enter(w->uid, w->gid, why) < 0) {
        if (w->failed == 0) {
            w->failed = why;
            return -1;
        }
        vstring_free(why);
        return -1;
    }
    vstring_free(why);
    return 1;
}

/* sync_files - every file's data started, then all fsynced together and
 * closed */
static void sync_files(void)
{
    int fds[LOCAL_MAILDIR_BATCH_MAX], errs[LOCAL_MAILDIR_BATCH_MAX];
    size_t i;

    for (i = 0; i < batch_len; i++) {
        fds[i] = batch[i].fd;
        (void)sync_file_range(fds[i], 0, 0, SYNC_FILE_RANGE_WRITE);
    }
    (void)fsync_many(fds, errs, batch_len);
    for (i = 0; i < batch_len; i++) {
        struct waiting *w = &batch[i];

        if (errs[i] != 0)
            fail(w, "fsync", w->tmp, errs[i]);
        else
            FI_POINT("local.maildir_after_fsync");
        if (close(w->fd) < 0)
            fail(w, "close", w->tmp, errno);
        w->fd = -1;
    }
}

/* link_one - tmp/<unique> -> new/<unique>, or only the unlink of a file
 * that failed, as the file's owner (never as root in a user's directory) */
static void link_one(struct waiting *w)
{
    int entered;

    if ((entered = as_owner(w)) < 0)
        return; /* left in tmp/, garbage a reader removes */
    if (w->failed == 0) {
        FI_POINT("local.maildir_before_link");
        if (link(w->tmp, w->new) < 0) {
            fail(w, "link", w->new, errno);
        } else {
            w->linked = 1;
            FI_POINT("local.maildir_after_link");
        }
    }
    if (unlink(w->tmp) < 0 && w->linked)
        msg_warn("%s: cannot remove %s: %m", w->queue_id, w->tmp);
    FI_POINT("local.maildir_after_unlink");
    if (entered)
        local_privs_leave();
}

/* dir_of - the directory part of path into dir */
static void dir_of(struct vstring *dir, const char *path)
{
    const char *slash = strrchr(path, '/');

    vstring_set(dir, path, slash ? (size_t)(slash - path) : 0);
}

/* sync_dir - fsync the new/ of batch[i] once for every file linked there
 * (those after i); a failure unlinks each of them again */
static void sync_dir(size_t i, struct vstring *dir, struct vstring *other)
{
    struct waiting *w = &batch[i];
    size_t j;
    int entered, err = 0;

    dir_of(dir, w->new);
    for (j = 0; j < i; j++) {
        dir_of(other, batch[j].new);
        if (batch[j].linked && strcmp(vstring_str(dir), vstring_str(other)) == 0)
            return; /* fsynced with batch[j] */
    }
    if ((entered = as_owner(w)) < 0)
        err = EPERM;
    else if (fsync_dir(vstring_str(dir)) < 0)
        err = errno;
    for (j = i; err && j < batch_len; j++) {
        dir_of(other, batch[j].new);
        if (batch[j].linked && strcmp(vstring_str(dir), vstring_str(other)) == 0) {
            fail(&batch[j], "fsync directory", vstring_str(dir), err);
            if (entered >= 0) /* as the owner; else a duplicate, later */
                (void)unlink(batch[j].new);
            batch[j].linked = 0;
        }
    }
    if (entered > 0)
        local_privs_leave();
    if (err == 0)
        FI_POINT("local.maildir_after_dir_fsync");
}

/* report - the log line of one delivery, and the undo call on failure */
static void report(struct waiting *w)
{
    if (w->failed == 0) {
        msg_info("%s: to=<%s>, relay=local, status=sent (delivered to "
                 "maildir %s)", w->queue_id, w->rcpt, w->new);
        return;
    }
    msg_info("%s: to=<%s>, relay=local, status=deferred (%s)", w->queue_id,
             w->rcpt, vstring_str(w->failed) + 6);
    if (undo_fn)
        undo_fn(undo_ctx, w->tag, w->failed);
}

/* local_maildir_commit - make every waiting file a durable delivery; a
 * commit of a full batch may come while the caller runs as a mailbox
 * owner: the ids are given back for the commit and taken again after */
void local_maildir_commit(void)
{
    struct vstring *dir = vstring_alloc(256), *other = vstring_alloc(256);
    uid_t uid = geteuid();
    gid_t gid = getegid();
    int was_switched = local_privs_switched();
    size_t i;

    if (was_switched)
        local_privs_leave();
    sync_files();
    for (i = 0; i < batch_len; i++)
        link_one(&batch[i]);
    for (i = 0; i < batch_len; i++)
        if (batch[i].linked)
            sync_dir(i, dir, other);
    for (i = 0; i < batch_len; i++) {
        report(&batch[i]);
        myfree(batch[i].tmp);
        myfree(batch[i].new);
        myfree(batch[i].queue_id);
        myfree(batch[i].rcpt);
        if (batch[i].failed)
            vstring_free(batch[i].failed);
    }
    batch_len = 0;
    local_maildir_forget();
    if (was_switched && local_privs_enter(uid, gid, dir) < 0)
        msg_fatal("%s", vstring_str(dir)); /* qmgr defers what was not
                                               answered */
    vstring_free(dir);
    vstring_free(other);
}
