/*
 * qmgr_outcome.c - what qmgr does with one recipient's outcome: the R -> D
 * rewrite (THE qmgr commit point), the per-message logs defer/<id> and
 * bounce/<id> (mail_proto.h), and the one log line per event (qmgr.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "attr.h"
#include "fi_point.h"
#include "msg.h"
#include "mymalloc.h"
#include "vstream.h"
#include "vstring.h"

#include "mail_proto.h"
#include "queue.h"
#include "queue_file.h"

#include "qmgr.h"

/* now_f - wall clock with microseconds */
static double now_f(void)
{
    struct timeval tv;

    gettimeofday(&tv, 0);
    return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

/* log_event - "<id>: to=<rcpt>, relay=..., delay=..., status=... (...)" */
static void log_event(const struct qmgr_message *msg, size_t i,
                      const char *transport, const char *nexthop,
                      const char *status, const char *reason)
{
    double delay = now_f() - msg->arrival_f;

    if (delay < 0)
        delay = 0;
    if (strcmp(transport, "local") == 0 || strcmp(transport, "virtual") == 0
        || strcmp(transport, "error") == 0 || *nexthop == 0)
        msg_info("%s: to=<%s>, relay=%s, delay=%.2f, status=%s (%s)", msg->id,
                 msg->rcpts[i].address, transport, delay, status, reason);
    else
        msg_info("%s: to=<%s>, relay=%s[%s], delay=%.2f, status=%s (%s)",
                 msg->id, msg->rcpts[i].address, transport, nexthop, delay,
                 status, reason);
}

/* open_queue_file - msg's file for writing a done mark: the descriptor
 * held for a message claimed in place, or a new one */
static int open_queue_file(const struct qmgr_message *msg, struct vstring *why)
{
    struct vstring *path;
    int fd;

    if (msg->lock_fd >= 0)
        return msg->lock_fd;
    path = vstring_alloc(100);
    qmgr_message_path(path, msg);
    if ((fd = open(vstring_str(path), O_RDWR | O_NOFOLLOW | O_CLOEXEC)) < 0)
        vstring_sprintf(why, "open %s: %m", vstring_str(path));
    vstring_free(path);
    return fd;
}

/*
 * mark_done - the commit point of one recipient; 0 or -1 (logged). The
 * mark is not fsynced here: a message that is removed needs no durable
 * marks (a power loss before the unlink is durable brings back a file
 * whose recipients are delivered again: qmgr's "before done" window), and
 * one that is kept is fsynced once, before it leaves active/
 * (qmgr_message_sync_marks). This saves one fsync per recipient.
 */
static int mark_done(struct qmgr_message *msg, size_t i)
{
    struct vstring *why = vstring_alloc(100);
    int fd, rc = -1;

    if ((fd = open_queue_file(msg, why)) >= 0) {
        FI_POINT("qmgr.before_mark_done");
        rc = queue_file_mark_done_unsynced(fd, msg->rcpts[i].offset, why);
        FI_POINT("qmgr.after_mark_done");
        if (fd != msg->lock_fd)
            close(fd);
    }
    if (rc == 0)
        msg->rcpts[i].state = QMGR_RCPT_DONE;
    else
        msg_warn("%s: cannot mark <%s> done (it will be tried again): %s",
                 msg->id, msg->rcpts[i].address, vstring_str(why));
    vstring_free(why);
    return rc;
}

/* qmgr_file_mode - the queue file's mode for what msg remembers */
mode_t qmgr_file_mode(const struct qmgr_message *msg)
{
    return 0600 | (msg->warned ? S_IXUSR : 0) | (msg->has_logs ? S_IXGRP : 0);
}

/*
 * mark_has_logs - remember in the queue file's mode that this message has
 * per-message logs, before the first one is written: the removal of a
 * message then looks for logs only when there may be some (three unlink(2)
 * calls saved for every message that never had one). Durably before a
 * bounce log: a stale one left behind would add old lines to a later DSN.
 * A defer log needs no fsync here: the message is deferred, and
 * sync_marks fsyncs the file before it leaves active/; a defer log that
 * outlives a lost mode bit is harmless (the next run truncates it).
 */
static int mark_has_logs(struct qmgr_message *msg, int durable,
                         struct vstring *why)
{
    struct vstring *path = vstring_alloc(100);
    int fd, rc = -1;

    msg->has_logs = 1;
    qmgr_message_path(path, msg);
    if ((fd = open(vstring_str(path), O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0
        || fchmod(fd, qmgr_file_mode(msg)) < 0 || (durable && fsync(fd) < 0))
        vstring_sprintf(why, "mark %s: %m", vstring_str(path));
    else
        rc = 0;
    if (fd >= 0)
        close(fd);
    vstring_free(path);
    return rc;
}

/*
 * qmgr_log_append - one record into defer/<id> or bounce/<id>. A bounce
 * record is fsynced: it is the only trace of a failure once the recipient
 * is marked done. A defer record is not: it only feeds the delay warning
 * (bounce reads it), the next deferral of the message rewrites the
 * log, and a power cut that loses its tail costs a line of a warning,
 * never a message (one flush fewer per deferral).
 */
int qmgr_log_append(struct qmgr_message *msg, const char *log, size_t i,
                    const char *dsn_status, const char *action,
                    const char *reason, struct vstring *why)
{
    struct qmgr_rcpt *r = msg->rcpts + i;
    struct vstring *path = vstring_alloc(100);
    struct attr_list *rec = attr_list_alloc();
    int durable = strcmp(log, QUEUE_BOUNCE_LOG) == 0;
    int truncate = strcmp(log, QUEUE_DEFER_LOG) == 0 && !msg->defer_log_fresh;
    struct vstream *s;
    int fd, rc = -1;

    if (!msg->has_logs && mark_has_logs(msg, durable, why) != 0)
        goto out;
    queue_path(path, qmgr.root, log, msg->id);
    fd = open(vstring_str(path), O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW
                                     | O_CLOEXEC | (truncate ? O_TRUNC : 0),
              0600);
    if (fd < 0) {
        vstring_sprintf(why, "open %s: %m", vstring_str(path));
        goto out;
    }
    attr_list_add(rec, MAIL_ATTR_RCPT, r->address);
    attr_list_add(rec, MAIL_ATTR_ORCPT, r->orcpt);
    attr_list_add(rec, MAIL_ATTR_NOTIFY, r->notify);
    attr_list_add_long(rec, MAIL_ATTR_RCPT_OFFSET, (long)r->offset);
    attr_list_add(rec, MAIL_ATTR_DSN_STATUS, dsn_status);
    attr_list_add(rec, MAIL_ATTR_DSN_ACTION, action);
    attr_list_add(rec, MAIL_ATTR_REASON, reason);
    attr_list_add_long(rec, "time", (long)time(0));
    s = vstream_fdopen(fd, VSTREAM_WRITE);
    FI_POINT("qmgr.before_log_append");
    if (attr_write(s, rec) != 0
        || (durable ? vstream_fsync(s) : vstream_flush(s)) != 0)
        vstring_sprintf(why, "write %s: %s", vstring_str(path),
                        strerror(vstream_errno(s)));
    else
        rc = 0;
    FI_POINT("qmgr.after_log_append");
    if (vstream_close(s) != 0 && rc == 0) {
        vstring_sprintf(why, "close %s: %m", vstring_str(path));
        rc = -1;
    }
    if (rc == 0 && truncate)
        msg->defer_log_fresh = 1;
out:
    attr_list_free(rec);
    vstring_free(path);
    return rc;
}

/* set_deferred - keep the recipient for a later try */
static void set_deferred(struct qmgr_message *msg, size_t i,
                         const char *dsn_status, const char *reason)
{
    struct vstring *why = vstring_alloc(100);

    if (qmgr_log_append(msg, QUEUE_DEFER_LOG, i, dsn_status, "deferred", reason,
                        why) != 0)
        msg_warn("%s: %s", msg->id, vstring_str(why));
    msg->rcpts[i].state = QMGR_RCPT_DEFERRED;
    myfree(msg->rcpts[i].why);
    msg->rcpts[i].why = mystrdup(reason);
    msg->deferred++;
    vstring_free(why);
}

/* set_failed - record the failure for bounce; deferred if we cannot */
static void set_failed(struct qmgr_message *msg, size_t i,
                       const char *dsn_status, const char *reason)
{
    struct vstring *why = vstring_alloc(100);

    if (qmgr_log_append(msg, QUEUE_BOUNCE_LOG, i, dsn_status, "failed", reason,
                        why) != 0) {
        msg_warn("%s: %s", msg->id, vstring_str(why));
        set_deferred(msg, i, "4.3.0", vstring_str(why));
    } else {
        msg->rcpts[i].state = QMGR_RCPT_FAILED;
        msg->failed++;
    }
    vstring_free(why);
}

/* qmgr_outcome - apply one recipient's outcome */
void qmgr_outcome(struct qmgr_message *msg, size_t i, const char *transport,
                  const char *nexthop, const char *dsn_status,
                  const char *action, const char *reason)
{
    int klass = dsn_status[0];

    if (msg->rcpts[i].state != QMGR_RCPT_TODO
        && msg->rcpts[i].state != QMGR_RCPT_BUSY)
        msg_panic("%s: outcome for recipient %zu in state %d", msg->id, i,
                  msg->rcpts[i].state);
    msg->pending--;
    if (klass == '2' && (strcmp(action, "delivered") == 0
                         || strcmp(action, "relayed") == 0
                         || strcmp(action, "expanded") == 0)) {
        log_event(msg, i, transport, nexthop, "sent", reason);
        if (mark_done(msg, i) != 0)
            set_deferred(msg, i, "4.3.0", "cannot record the delivery");
    } else if (klass == '5' || strcmp(action, "failed") == 0) {
        log_event(msg, i, transport, nexthop, "bounced", reason);
        set_failed(msg, i, klass == '5' || klass == '4' ? dsn_status : "5.0.0",
                   reason);
    } else {
        log_event(msg, i, transport, nexthop, "deferred", reason);
        set_deferred(msg, i, klass == '4' ? dsn_status : "4.0.0", reason);
    }
}

/* qmgr_outcome_bounced - the DSN is committed: failed recipients are done */
void qmgr_outcome_bounced(struct qmgr_message *msg)
{
    struct vstring *path = vstring_alloc(100);
    size_t i;

    for (i = 0; i < msg->rcpt_count; i++)
        if (msg->rcpts[i].state == QMGR_RCPT_FAILED) {
            msg->failed--;
            if (mark_done(msg, i) != 0) {
                msg->rcpts[i].state = QMGR_RCPT_DEFERRED;
                msg->deferred++;
            }
        }
    queue_path(path, qmgr.root, QUEUE_BOUNCE_LOG, msg->id);
    FI_POINT("qmgr.before_bounce_log_unlink");
    if (unlink(vstring_str(path)) != 0 && errno != ENOENT)
        msg_warn("%s: unlink %s: %m", msg->id, vstring_str(path));
    vstring_free(path);
}

/* qmgr_outcome_warned - remember the delay warning in the file mode */
void qmgr_outcome_warned(struct qmgr_message *msg)
{
    struct vstring *path = vstring_alloc(100);

    msg->warned = 1;
    qmgr_message_path(path, msg);
    if (chmod(vstring_str(path), qmgr_file_mode(msg)) != 0)
        msg_warn("%s: chmod %s: %m", msg->id, vstring_str(path));
    vstring_free(path);
}
