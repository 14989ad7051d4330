/*
 * qmgr_conn.c - requests in flight: a delivery request to private/<transport>
 * or a DSN request to private/bounce, each on its own non-blocking unix
 * connection watched by the event loop, with a deadline (qmgr.h).
 *
 * A reply is collected byte by byte as it comes and parsed only when the
 * record is complete (it ends with an empty line), so a slow agent never
 * blocks qmgr. EOF before that, a malformed reply, or the deadline leaves
 * every recipient of the request deferred (mail_proto.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "attr.h"
#include "event_server.h"
#include "fi_point.h"
#include "msg.h"
#include "mymalloc.h"
#include "vstream.h"
#include "vstring.h"

#include "mail_proto.h"

#include "qmgr.h"

#define CONN_DELIVER 1
#define CONN_BOUNCE 2
#define CONN_READ_CHUNK 8192
#define CONN_REPLY_MAX (1024 * 1024)

struct qmgr_conn {
    int fd;
    int kind;
    struct qmgr_job *job;     /* CONN_DELIVER */
    struct qmgr_message *msg; /* CONN_BOUNCE */
    char *bounce_kind;
    time_t deadline;
    struct vstring *in;
    struct qmgr_conn *next;
};

static struct qmgr_conn *conns;

/* conn_connect - a non-blocking connection to private/<service> */
static int conn_connect(const char *service, struct vstring *why)
{
    struct sockaddr_un sun;
    int fd;

    memset(&sun, 0, sizeof(sun));
    sun.sun_family = AF_UNIX;
    if ((size_t)snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/%s",
                         MAIL_CLASS_PRIVATE, service) >= sizeof(sun.sun_path)) {
        vstring_sprintf(why, "4.3.5 service name too long: %s", service);
        return -1;
    }
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0)
        msg_fatal("socket: %m");
    if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
        vstring_sprintf(why, "4.3.0 connect to %s: %m", sun.sun_path);
        close(fd);
        return -1;
    }
    return fd;
}

/* conn_send - write a request with a bounded wait */
static int conn_send(int fd, const struct attr_list *req, struct vstring *why)
{
    struct vstream *s = vstream_fdopen(fd, VSTREAM_WRITE);
    int r;

    vstream_set_timeout(s, (int)qmgr.ipc_timeout);
    if ((r = attr_write(s, req)) != 0)
        vstring_sprintf(why, "4.3.0 write request: %s",
                        strerror(vstream_errno(s)));
    vstream_release(s);
    return r;
}

static void conn_readable(void *ctx);

/* conn_open - register a request that was sent */
static struct qmgr_conn *conn_open(int fd, int kind, long timeout)
{
    struct qmgr_conn *c = mymalloc(sizeof(*c));

    memset(c, 0, sizeof(*c));
    c->fd = fd;
    c->kind = kind;
    c->deadline = time(0) + timeout;
    c->in = vstring_alloc(256);
    c->next = conns;
    conns = c;
    qmgr.in_flight++;
    event_server_watch(fd, conn_readable, c);
    event_server_timer(1, qmgr_conn_tick, 0);
    return c;
}

/* conn_close - forget a request */
static void conn_close(struct qmgr_conn *c)
{
    struct qmgr_conn **pp;

    for (pp = &conns; *pp != c; pp = &(*pp)->next)
        ;
    *pp = c->next;
    event_server_unwatch(c->fd);
    close(c->fd);
    vstring_free(c->in);
    myfree(c->bounce_kind);
    myfree(c);
    qmgr.in_flight--;
}

/* qmgr_conn_deliver - send one delivery request */
int qmgr_conn_deliver(struct qmgr_job *job, struct vstring *why)
{
    struct attr_list *req = attr_list_alloc();
    struct qmgr_message *msg = job->msg;
    struct qmgr_conn *c;
    size_t i;
    int fd;

    if ((fd = conn_connect(job->dest->transport, why)) < 0)
        goto out;
    attr_list_add(req, MAIL_ATTR_QUEUE_NAME, "active");
    attr_list_add(req, MAIL_ATTR_QUEUE_ID, msg->id);
    attr_list_add_long(req, MAIL_ATTR_CONTENT_OFFSET, (long)msg->content_offset);
    attr_list_add(req, MAIL_ATTR_SENDER, msg->sender);
    attr_list_add(req, MAIL_ATTR_ENVID, msg->envid);
    attr_list_add(req, MAIL_ATTR_RET, msg->ret);
    attr_list_add(req, MAIL_ATTR_NEXTHOP, job->dest->nexthop);
    attr_list_add_long(req, MAIL_ATTR_ARRIVAL_TIME, msg->arrival);
    for (i = 0; i < job->count; i++) {
        struct qmgr_rcpt *r = msg->rcpts + job->idx[i];

        attr_list_add(req, MAIL_ATTR_RCPT, r->address);
        attr_list_add_long(req, MAIL_ATTR_RCPT_OFFSET, (long)r->offset);
        attr_list_add(req, MAIL_ATTR_ORCPT, r->orcpt);
        attr_list_add(req, MAIL_ATTR_NOTIFY, r->notify);
    }
    FI_POINT("qmgr.before_request");
    if (conn_send(fd, req, why) != 0) {
        close(fd);
        fd = -1;
        goto out;
    }
    c = conn_open(fd, CONN_DELIVER, qmgr.request_timeout);
    c->job = job;
    job->dest->busy++;
    for (i = 0; i < job->count; i++)
        msg->rcpts[job->idx[i]].state = QMGR_RCPT_BUSY;
out:
    attr_list_free(req);
    return fd < 0 ? -1 : 0;
}

/* qmgr_conn_bounce - ask bounce for a DSN about msg */
int qmgr_conn_bounce(struct qmgr_message *msg, const char *kind,
                     struct vstring *why)
{
    struct attr_list *req = attr_list_alloc();
    struct qmgr_conn *c;
    int fd;

    if ((fd = conn_connect(MAIL_SERVICE_BOUNCE, why)) >= 0) {
        attr_list_add(req, MAIL_ATTR_QUEUE_ID, msg->id);
        attr_list_add(req, MAIL_ATTR_QUEUE_NAME, "active");
        attr_list_add(req, MAIL_ATTR_KIND, kind);
        FI_POINT("qmgr.before_bounce_request");
        if (conn_send(fd, req, why) != 0) {
            close(fd);
            fd = -1;
        } else {
            c = conn_open(fd, CONN_BOUNCE, qmgr.ipc_timeout);
            c->msg = msg;
            c->bounce_kind = mystrdup(kind);
            msg->bounce_busy = 1;
        }
    }
    attr_list_free(req);
    return fd < 0 ? -1 : 0;
}


/* ---- replies ------------------------------------------------------------ */

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

/* parse_reply - the collected bytes as one attribute record */
static int parse_reply(struct qmgr_conn *c, struct attr_list *list,
                       struct vstring *why)
{
    struct mem_cursor cur = {vstring_str(c->in), vstring_len(c->in), 0};
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

/* deliver_done - apply a delivery reply (NULL: none came) */
static void deliver_done(struct qmgr_conn *c, const struct attr_list *list,
                         const char *failure)
{
    struct qmgr_job *job = c->job;
    struct qmgr_message *msg = job->msg;
    struct qmgr_dest *dest = job->dest;
    const char *status, *action, *reason;
    ssize_t at;
    size_t i;

    FI_POINT("qmgr.after_reply");
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
    dest->busy--;
    conn_close(c);
    qmgr_job_free(job);
    qmgr_message_settle(msg);
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
    conn_close(c);
    qmgr_message_settle(msg);
}

/* conn_finish - a reply, or the reason why there is none */
static void conn_finish(struct qmgr_conn *c, const struct attr_list *list,
                        const char *failure)
{
    if (c->kind == CONN_DELIVER)
        deliver_done(c, list, failure);
    else
        bounce_done(c, list, failure);
}

/* conn_complete - the collected bytes end an attribute record */
static int conn_complete(const struct vstring *in)
{
    size_t n = vstring_len(in);
    const char *s = vstring_str(in);

    return (n == 1 && s[0] == '\n') || (n >= 2 && s[n - 1] == '\n'
                                         && s[n - 2] == '\n');
}

/* conn_readable - collect the reply */
static void conn_readable(void *ctx)
{
    struct qmgr_conn *c = ctx;
    struct vstring *why = vstring_alloc(100);
    struct attr_list *list;
    char buf[CONN_READ_CHUNK];
    ssize_t n = read(c->fd, buf, sizeof(buf));

    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        goto out;
    if (n > 0)
        vstring_append(c->in, buf, (size_t)n);
    if (n > 0 && vstring_len(c->in) > CONN_REPLY_MAX) {
        conn_finish(c, 0, "4.3.0 reply too long");
    } else if (n > 0 && conn_complete(c->in)) {
        list = attr_list_alloc();
        if (parse_reply(c, list, why) == 0) {
            conn_finish(c, list, 0);
        } else {
            vstring_sprintf(why, "4.3.0 malformed reply");
            conn_finish(c, 0, vstring_str(why));
        }
        attr_list_free(list);
    } else if (n == 0) {
        conn_finish(c, 0, "4.3.0 lost connection with the agent before its "
                          "reply");
    } else if (n < 0) {
        vstring_sprintf(why, "4.3.0 read reply: %m");
        conn_finish(c, 0, vstring_str(why));
    }
out:
    vstring_free(why);
    qmgr_kick();
}

/* qmgr_conn_tick - end requests past their deadline */
void qmgr_conn_tick(void *ctx)
{
    struct qmgr_conn *c, *next;
    time_t now = time(0);

    (void)ctx;
    for (c = conns; c; c = next) {
        next = c->next;
        if (now >= c->deadline) {
            msg_warn("%s: request to %s timed out",
                     c->kind == CONN_DELIVER ? c->job->msg->id : c->msg->id,
                     c->kind == CONN_DELIVER ? c->job->dest->transport
                                             : MAIL_SERVICE_BOUNCE);
            conn_finish(c, 0, "4.4.2 delivery agent timed out");
            next = conns; /* the list may have changed */
        }
    }
    if (conns)
        event_server_timer(1, qmgr_conn_tick, 0);
    qmgr_kick();
}
