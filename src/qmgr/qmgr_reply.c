/*
 * qmgr_reply.c - the reply side of a request in flight: collect bytes as
 * they come, parse the record once it is complete, and apply it: per
 * recipient outcomes of a delivery (mail_proto.h; a recipient the reply
 * does not mention stays deferred), or bounce's answer to a DSN request.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attr.h"
#include "fi_point.h"
#include "msg.h"
#include "mymalloc.h"
#include "vstream.h"
#include "vstring.h"

#include "mail_proto.h"

#include "qmgr.h"
#include "qmgr_conn.h"

struct mem_cursor {
    const char *buf;
    size_t len;
    size_t pos;
};

/* mem_read - vstream input from the collected reply */
static ssize_t mem_read(void *ctx, int fd, void *buf, size_t len)
{
    struct mem_cursor *m = ctx;
    size_t n = m->len - m->pos < len ? m->len - m->pos : len;

    (void)fd;
    memcpy(buf, m->buf + m->pos, n);
    m->pos += n;
    return (ssize_t)n;
}

/* mem_write - never used: the reply stream is read only */
static ssize_t mem_write(void *ctx, int fd, void *buf, size_t len)
{
    (void)ctx;
    (void)fd;
    (void)buf;
    (void)len;
    errno = EBADF;
    return -1;
}

/* parse_reply - len collected bytes from c->used as one attribute record */
static int parse_reply(struct qmgr_conn *c, size_t len, struct attr_list *list,
                       struct vstring *why)
{
    struct mem_cursor cur = {vstring_str(c->in) + c->used, len, 0};
    struct vstream *s = vstream_fdopen(c->fd, VSTREAM_READ);
    int r;

    vstream_set_io(s, mem_read, mem_write, &cur);
    r = attr_read(s, list, 0, why);
    vstream_release(s);
    if (r == 0)
        vstring_sprintf(why, "empty reply");
    return r == 1 ? 0 : -1;
}

/* find_outcome - index of the "rcpt_offset" pair for offset, or -1 */
static ssize_t find_outcome(const struct attr_list *list, off_t offset)
{
    ssize_t i = -1;
    long v;

    while ((i = attr_list_find(list, MAIL_ATTR_RCPT_OFFSET, (size_t)(i + 1)))
           >= 0) {
        const char *text = attr_list_value_at(list, (size_t)i, 0);
        char *end;

        v = strtol(text, &end, 10);
        if (*text && *end == 0 && v == (long)offset)
            return i;
    }
    return -1;
}

/* outcome_attr - name's value in the group that starts at pair i */
static const char *outcome_attr(const struct attr_list *list, size_t i,
                                const char *name)
{
    size_t n = attr_list_count(list);

    for (i = i + 1; i < n; i++) {
        if (strcmp(attr_list_name_at(list, i), MAIL_ATTR_RCPT_OFFSET) == 0)
            break;
        if (strcmp(attr_list_name_at(list, i), name) == 0)
            return attr_list_value_at(list, i, 0);
    }
    return 0;
}

/* job_done - apply a delivery reply to one job (NULL: none came) */
static void job_done(struct qmgr_job *job, const struct attr_list *list,
                     const char *failure)
{
    struct qmgr_message *msg = job->msg;
    struct qmgr_dest *dest = job->dest;
    const char *status, *action, *reason;
    ssize_t at;
    size_t i;

    for (i = 0; i < job->count; i++) {
        struct qmgr_rcpt *r = msg->rcpts + job->idx[i];

        r->state = QMGR_RCPT_TODO;
        status = action = 0;
        reason = failure;
        if (list && (at = find_outcome(list, r->offset)) >= 0) {
            status = outcome_attr(list, (size_t)at, MAIL_ATTR_DSN_STATUS);
            action = outcome_attr(list, (size_t)at, MAIL_ATTR_DSN_ACTION);
            reason = outcome_attr(list, (size_t)at, MAIL_ATTR_REASON);
        }
        if (status == 0 || action == 0) {
            status = "4.3.0";
            action = "deferred";
            if (reason == 0 || list)
                reason = "4.3.0 delivery agent gave no status";
        }
        qmgr_outcome(msg, job->idx[i], dest->transport, dest->nexthop, status,
                     action, reason ? reason : "");
    }
    qmgr_job_free(job);
    qmgr_message_settle(msg);
}

/* deliver_done - a reply for the first job not yet answered, or the
 * failure for every one of them; the request ends with its last job */
static void deliver_done(struct qmgr_conn *c, const struct attr_list *list,
                         const char *failure)
{
    struct qmgr_job *job;

    FI_POINT("qmgr.after_reply");
    do {
        job = c->job;
        c->job = job->next;
        job_done(job, list, failure);
    } while (list == 0 && c->job);
    if (c->job == 0) {
        c->dest->busy--;
        qmgr_conn_close(c);
    }
}

/* bounce_done - apply bounce's answer (NULL: none came) */
static void bounce_done(struct qmgr_conn *c, const struct attr_list *list,
                        const char *failure)
{
    struct qmgr_message *msg = c->msg;
    const char *reason = failure, *dsn_id;
    long status = -1;

    msg->bounce_busy = 0;
    if (list && attr_list_get_long(list, MAIL_ATTR_STATUS, &status) != 0)
        reason = "4.3.0 malformed reply from bounce";
    else if (list && status != 0)
        reason = attr_list_get(list, MAIL_ATTR_REASON);
    if (status == 0) {
        dsn_id = attr_list_get(list, MAIL_ATTR_QUEUE_ID);
        msg_info("%s: sender %s notification: %s", msg->id,
                 strcmp(c->bounce_kind, "failed") == 0 ? "non-delivery"
                                                        : "delay",
                 dsn_id ? dsn_id : "(no id)");
        if (strcmp(c->bounce_kind, "failed") == 0)
            qmgr_outcome_bounced(msg);
        else
            qmgr_outcome_warned(msg);
    } else {
        msg_warn("%s: %s notification not sent: %s", msg->id, c->bounce_kind,
                 reason ? reason : "unknown error");
    }
    qmgr_conn_close(c);
    qmgr_message_settle(msg);
}

/* qmgr_conn_finish - a reply, or the reason why there is none */
void qmgr_conn_finish(struct qmgr_conn *c, const struct attr_list *list,
                        const char *failure)
{
    if (c->kind == CONN_DELIVER)
        deliver_done(c, list, failure);
    else
        bounce_done(c, list, failure);
}

/* record_length - bytes of the first complete attribute record in the
 * n bytes at s (it ends with an empty line), or 0 while incomplete */
static size_t record_length(const char *s, size_t n)
{
    const char *nl;

    if (n >= 1 && s[0] == '\n')
        return 1;
    for (nl = memchr(s, '\n', n); nl; nl = memchr(nl + 1, '\n', n - (size_t)(nl + 1 - s)))
        if ((size_t)(nl + 1 - s) < n && nl[1] == '\n')
            return (size_t)(nl + 2 - s);
    return 0;
}

/* apply_records - every complete reply record collected so far, each to
 * its job in order; 1 when the connection is finished (c is freed) */
static int apply_records(struct qmgr_conn *c, struct vstring *why)
{
    struct attr_list *list;
    size_t len;
    int done = 0;

    while (!done && (len = record_length(vstring_str(c->in) + c->used,
                                         vstring_len(c->in) - c->used)) > 0) {
        done = c->kind == CONN_BOUNCE || c->job->next == 0;
        list = attr_list_alloc();
        if (parse_reply(c, len, list, why) == 0) {
            c->used += len;
            qmgr_conn_finish(c, list, 0);
        } else {
            vstring_sprintf(why, "4.3.0 malformed reply");
            qmgr_conn_finish(c, 0, vstring_str(why));
            done = 1;
        }
        attr_list_free(list);
    }
    return done;
}

/* qmgr_conn_readable - collect the replies */
void qmgr_conn_readable(void *ctx)
{
    struct qmgr_conn *c = ctx;
    struct vstring *why = vstring_alloc(100);
    char buf[CONN_READ_CHUNK];
    ssize_t n = read(c->fd, buf, sizeof(buf));

    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        goto out;
    if (n > 0)
        vstring_append(c->in, buf, (size_t)n);
    if (n > 0 && vstring_len(c->in) > CONN_REPLY_MAX) {
        qmgr_conn_finish(c, 0, "4.3.0 reply too long");
    } else if (n > 0) {
        (void)apply_records(c, why);
    } else if (n == 0) {
        qmgr_conn_finish(c, 0, "4.3.0 lost connection with the agent before its "
                          "reply");
    } else {
        vstring_sprintf(why, "4.3.0 read reply: %m");
        qmgr_conn_finish(c, 0, vstring_str(why));
    }
out:
    vstring_free(why);
    qmgr_kick();
}
