/*
 * qmgr_message.c - one message's life in active/ (or claimed in place in
 * spare/, queue_spare.h): read it through the one reader, route and queue
 * its recipients, and when nothing is left in flight, settle it: expire,
 * bounce, warn, then remove it or move it to deferred/ with its next try
 * time (qmgr.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "fi_point.h"
#include "msg.h"
#include "mymalloc.h"
#include "vstream.h"
#include "vstring.h"

#include "queue.h"
#include "queue_file.h"

#include "qmgr.h"

/* attr_value - a queue-file attribute, "" when absent */
static const char *attr_value(const struct queue_message *m, const char *name)
{
    size_t i;

    for (i = 0; i < m->attr_count; i++)
        if (strcmp(m->attrs[i].name, name) == 0)
            return m->attrs[i].value;
    return "";
}

/* message_new - keep the envelope, not the file */
static struct qmgr_message *message_new(const struct queue_message *m,
                                        int warned)
{
    struct qmgr_message *msg = mymalloc(sizeof(*msg));
    size_t i;

    memset(msg, 0, sizeof(*msg));
    msg->id = mystrdup(m->id);
    msg->sender = mystrdup(m->sender ? m->sender : "");
    msg->envid = mystrdup(attr_value(m, "envid"));
    msg->ret = mystrdup(attr_value(m, "ret"));
    msg->arrival = m->arrival_sec;
    msg->arrival_f = (double)m->arrival_sec + m->arrival_usec / 1e6;
    msg->content_offset = m->content_offset;
    msg->warned = warned;
    msg->rcpt_count = m->rcpt_count;
    msg->rcpts = mymalloc(m->rcpt_count * sizeof(*msg->rcpts));
    for (i = 0; i < m->rcpt_count; i++) {
        struct qmgr_rcpt *r = msg->rcpts + i;

        r->address = mystrdup(m->rcpts[i].address);
        r->orcpt = mystrdup(m->rcpts[i].orcpt);
        r->notify = mystrdup(m->rcpts[i].notify);
        r->offset = m->rcpts[i].offset;
        r->state = m->rcpts[i].done ? QMGR_RCPT_DONE : QMGR_RCPT_TODO;
        r->why = 0;
    }
    return msg;
}

/*
 * give_back_memory - after a burst, return the freed heap to the system.
 * A burst fills memory up to qmgr_message_active_limit messages; without
 * this the process keeps that high-water mark for good (the deferred-queue
 * benchmark showed qmgr's Pss at 5 MiB long after a 10,000-message fill).
 */
static void give_back_memory(void)
{
    static unsigned long freed;

    if (++freed >= 1000 && qmgr.active_count == 0) {
        malloc_trim(0);
        freed = 0;
    }
}

/* message_free - forget a settled message */
static void message_free(struct qmgr_message *msg)
{
    size_t i;

    /* unlinked without a walk: the message freed is usually the oldest,
     * the list's last (a relay burst keeps a thousand active) */
    if (msg->pprev) {
        *msg->pprev = msg->next;
        if (msg->next)
            msg->next->pprev = msg->pprev;
    }
    for (i = 0; i < msg->rcpt_count; i++) {
        myfree(msg->rcpts[i].address);
        myfree(msg->rcpts[i].orcpt);
        myfree(msg->rcpts[i].notify);
        myfree(msg->rcpts[i].why);
    }
    myfree(msg->rcpts);
    if (msg->lock_fd >= 0)
        close(msg->lock_fd);
    if (strcmp(msg->queue, QUEUE_SPARE) == 0)
        qmgr.inplace_count--;
    myfree(msg->file);
    myfree(msg->id);
    myfree(msg->sender);
    myfree(msg->envid);
    myfree(msg->ret);
    myfree(msg);
    qmgr.active_count--; /* room: qmgr_kick takes the next arrival */
    give_back_memory();
}

/* unlink_log - remove a per-message log, quietly when absent */
static void unlink_log(const char *id, const char *log)
{
    struct vstring *path = vstring_alloc(100);

    queue_path(path, qmgr.root, log, id);
    if (unlink(vstring_str(path)) != 0 && errno != ENOENT)
        msg_warn("%s: unlink %s: %m", id, vstring_str(path));
    vstring_free(path);
}

/* route_all - resolve every recipient still to do and queue the jobs */
static void route_all(struct qmgr_message *msg)
{
    const char *transport, *nexthop, *reason, *t2, *h2, *r2;
    size_t *idx = mymalloc((msg->rcpt_count + 1) * sizeof(*idx));
    char *queued = mymalloc(msg->rcpt_count + 1);
    struct qmgr_dest *dest;
    size_t i, j, n;

    memset(queued, 0, msg->rcpt_count + 1);
    for (i = 0; i < msg->rcpt_count; i++)
        if (msg->rcpts[i].state == QMGR_RCPT_TODO)
            msg->pending++;
    for (i = 0; i < msg->rcpt_count; i++) {
        if (msg->rcpts[i].state != QMGR_RCPT_TODO || queued[i])
            continue;
        if (qmgr_route(msg->rcpts[i].address, &transport, &nexthop,
                       &reason) != 0) {
            qmgr_outcome(msg, i, "error", "",
                         reason[0] == '4' ? "4.3.5" : "5.1.3",
                         reason[0] == '4' ? "deferred" : "failed", reason);
            continue;
        }
        /* every later recipient with the same destination joins this
         * batch (a destination per recipient takes the same address
         * only: a recipient listed twice) */
        dest = qmgr_dest_find(transport, nexthop, msg->rcpts[i].address);
        for (n = 0, j = i; j < msg->rcpt_count; j++) {
            if (msg->rcpts[j].state != QMGR_RCPT_TODO || queued[j])
                continue;
            if (j == i || (qmgr_route(msg->rcpts[j].address, &t2, &h2, &r2) == 0
                           && qmgr_dest_is(dest, t2, h2,
                                           msg->rcpts[j].address))) {
                idx[n++] = j;
                queued[j] = 1;
            }
        }
        qmgr_sched_add(msg, dest, idx, n);
    }
    myfree(queued);
    myfree(idx);
}

/* qmgr_message_path - where msg's file is */
void qmgr_message_path(struct vstring *path, const struct qmgr_message *msg)
{
    queue_path(path, qmgr.root, msg->queue, msg->file);
}

/* activate - take <queue>/<file> into memory as message id; fd is the
 * file held locked (claimed in place) or -1, and is the message's now */
static void activate(const char *queue, const char *file, const char *id,
                     int fd)
{
    struct vstring *why = vstring_alloc(100);
    struct queue_message *m;
    struct qmgr_message *msg;
    struct stat st;
    int rc;

    rc = queue_file_read(qmgr.root, queue, file, QUEUE_FILE_RDONLY, &m, why);
    if (rc != QUEUE_FILE_OK) {
        if (rc == QUEUE_FILE_ERROR)
            msg_warn("%s: cannot read: %s (left in %s/ until restart)", id,
                     vstring_str(why), queue);
        if (fd >= 0)
            close(fd);
        vstring_free(why);
        return;
    }
    if (fstat(vstream_fd(m->stream), &st) != 0)
        st.st_mode = S_IXGRP; /* unknown: look for logs */
    msg = message_new(m, (st.st_mode & S_IXUSR) != 0);
    myfree(msg->id);
    msg->id = mystrdup(id);
    msg->queue = queue;
    msg->file = mystrdup(file);
    msg->lock_fd = fd;
    msg->file_size = m->file_size;
    msg->has_logs = (st.st_mode & S_IXGRP) != 0;
    queue_message_free(m);
    if (fd >= 0)
        qmgr.inplace_count++;
    msg_info("%s: from=<%s>, nrcpt=%zu (queue active)", msg->id, msg->sender,
             msg->rcpt_count);
    /* a bounce log without the done marks that follow it is stale: those
     * recipients are not done and are simply tried again */
    if (msg->has_logs)
        unlink_log(id, QUEUE_BOUNCE_LOG);
    msg->next = qmgr.messages;
    if (msg->next)
        msg->next->pprev = &msg->next;
    msg->pprev = &qmgr.messages;
    qmgr.messages = msg;
    qmgr.active_count++;
    route_all(msg);
    vstring_free(why);
    qmgr_message_settle(msg);
}

/* qmgr_message_activate - take active/<id> into memory */
void qmgr_message_activate(const char *id)
{
    activate(QUEUE_ACTIVE, id, id, -1);
}

/* qmgr_message_activate_held - take spare/<name>, claimed in place */
void qmgr_message_activate_held(const char *name, const char *id, int fd)
{
    activate(QUEUE_SPARE, name, id, fd);
}

/*
 * sync_marks - make the done marks of a message that stays queued durable
 * (mark_done in qmgr_outcome.c leaves that to us). A failure is logged
 * only: a lost mark costs a duplicate delivery, never a loss.
 */
static void sync_marks(const struct qmgr_message *msg)
{
    struct vstring *path = vstring_alloc(100);
    int fd;

    qmgr_message_path(path, msg);
    FI_POINT("qmgr.before_sync_marks");
    if ((fd = open(vstring_str(path), O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0
        || fsync(fd) < 0)
        msg_warn("%s: fsync %s: %m (done marks may be lost in a crash)",
                 msg->id, vstring_str(path));
    if (fd >= 0)
        close(fd);
    vstring_free(path);
}

/* move_out - msg's file to <to>/<id>, the directories fsynced */
static int move_out(const struct qmgr_message *msg, const char *to,
                    struct vstring *why)
{
    return queue_move_as(qmgr.root, msg->queue, msg->file, to, msg->id, why);
}

/*
 * message_remove - every recipient is done. A file that cannot be removed
 * goes to deferred/: a later run finds every recipient done and removes it
 * (left in active/, it would wait for a qmgr restart).
 */
static void message_remove(struct qmgr_message *msg)
{
    struct vstring *path = vstring_alloc(100);
    int saved;

    if (msg->has_logs) {
        unlink_log(msg->id, QUEUE_DEFER_LOG);
        unlink_log(msg->id, QUEUE_BOUNCE_LOG);
    }
    FI_POINT("qmgr.before_remove");
    if (qmgr_retire(msg, path) != 0) {
        saved = errno;
        msg_warn("%s: %s", msg->id, vstring_str(path));
        if (saved != ENOENT)
            sync_marks(msg);
        if (saved != ENOENT && move_out(msg, QUEUE_DEFERRED, path) == 0)
            msg_info("%s: done, removal left to a later run", msg->id);
    } else
        msg_info("%s: removed", msg->id);
    FI_POINT("qmgr.after_remove");
    vstring_free(path);
}

/* message_defer - park in deferred/ until now + back-off */
static void message_defer(struct qmgr_message *msg)
{
    struct vstring *path = vstring_alloc(100);
    struct vstring *why = vstring_alloc(100);
    struct timeval tv[2];
    long now = (long)time(0);
    long wait = qmgr_backoff(now, msg->arrival, qmgr.min_backoff,
                             qmgr.max_backoff);

    qmgr_message_path(path, msg);
    tv[0].tv_sec = tv[1].tv_sec = now + wait;
    tv[0].tv_usec = tv[1].tv_usec = 0;
    if (utimes(vstring_str(path), tv) != 0)
        msg_warn("%s: utimes %s: %m", msg->id, vstring_str(path));
    sync_marks(msg);
    FI_POINT("qmgr.before_defer_move");
    if (move_out(msg, QUEUE_DEFERRED, why) != 0) {
        /* Not in deferred/: back to incoming/ (retried at the next run,
         * before its back-off) rather than stranded in active/ (or held
         * in spare/, where the next queue run moves it on anyway). */
        msg_warn("%s: %s", msg->id, vstring_str(why));
        if (access(vstring_str(path), F_OK) == 0 &&
            move_out(msg, QUEUE_INCOMING, why) != 0)
            msg_warn("%s: %s (left in %s/ until restart)", msg->id,
                     vstring_str(why), msg->queue);
        else
            qmgr.incoming_more = 1;
    } else
        msg_info("%s: deferred, next try in %lds", msg->id, wait);
    FI_POINT("qmgr.after_defer_move");
    vstring_free(path);
    vstring_free(why);
}

/* expire - past the lifetime: every deferred recipient fails */
static void expire(struct qmgr_message *msg)
{
    struct vstring *why = vstring_alloc(100);
    struct vstring *text = vstring_alloc(100);
    size_t i;

    for (i = 0; i < msg->rcpt_count; i++) {
        struct qmgr_rcpt *r = msg->rcpts + i;

        if (r->state != QMGR_RCPT_DEFERRED)
            continue;
        vstring_sprintf(text, "4.4.7 message expired after %lds in the queue: "
                              "%s", (long)time(0) - msg->arrival,
                        r->why ? r->why : "deferred");
        msg->deferred--;
        if (qmgr_log_append(msg, QUEUE_BOUNCE_LOG, i, "4.4.7", "failed",
                            vstring_str(text), why) != 0) {
            msg_warn("%s: %s", msg->id, vstring_str(why));
            msg->deferred++;
            continue;
        }
        msg_info("%s: to=<%s>, status=expired (%s)", msg->id, r->address,
                 vstring_str(text));
        r->state = QMGR_RCPT_FAILED;
        msg->failed++;
    }
    vstring_free(why);
    vstring_free(text);
}

/* ask_bounce - one DSN request; 1 when it is in flight */
static int ask_bounce(struct qmgr_message *msg, const char *kind)
{
    struct vstring *why = vstring_alloc(100);
    int rc = qmgr_conn_bounce(msg, kind, why) == 0;

    if (!rc)
        msg_warn("%s: %s notification not sent: %s", msg->id, kind,
                 vstring_str(why));
    vstring_free(why);
    return rc;
}

/* qmgr_message_settle - next step of a message with nothing in flight */
void qmgr_message_settle(struct qmgr_message *msg)
{
    long now = (long)time(0);

    if (msg->pending > 0 || msg->bounce_busy)
        return;
    if (msg->deferred > 0 && !msg->expire_done
        && qmgr_expired(now, msg->arrival, qmgr.lifetime)) {
        msg->expire_done = 1;
        expire(msg);
    }
    if (msg->failed > 0 && !msg->bounce_tried) {
        msg->bounce_tried = 1;
        if (*msg->sender == 0) {
            msg_info("%s: null sender: no notification for %zu failed "
                     "recipient(s)", msg->id, msg->failed);
            qmgr_outcome_bounced(msg);
        } else if (ask_bounce(msg, "failed")) {
            return;
        }
    }
    if (msg->deferred > 0 && !msg->warn_tried && *msg->sender
        && qmgr_warn_due(now, msg->arrival, qmgr.warn_after, msg->warned)) {
        msg->warn_tried = 1;
        if (ask_bounce(msg, "delayed"))
            return;
    }
    if (msg->deferred == 0 && msg->failed == 0)
        message_remove(msg);
    else
        message_defer(msg);
    message_free(msg);
}
