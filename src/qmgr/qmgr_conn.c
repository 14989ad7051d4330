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
#include "qmgr_conn.h"

static struct qmgr_conn *conns;
static int tick_armed; /* re-arming on every open would postpone it */

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

/* request_of - the request record of one job */
static struct attr_list *request_of(const struct qmgr_job *job)
{
    struct attr_list *req = attr_list_alloc();
    const struct qmgr_message *msg = job->msg;
    size_t i;

    attr_list_add(req, MAIL_ATTR_QUEUE_NAME, msg->queue);
    attr_list_add(req, MAIL_ATTR_QUEUE_ID, msg->id);
    attr_list_add(req, MAIL_ATTR_QUEUE_FILE, msg->file);
    attr_list_add_long(req, MAIL_ATTR_CONTENT_OFFSET, (long)msg->content_offset);
    attr_list_add(req, MAIL_ATTR_SENDER, msg->sender);
    attr_list_add(req, MAIL_ATTR_ENVID, msg->envid);
    attr_list_add(req, MAIL_ATTR_RET, msg->ret);
    attr_list_add(req, MAIL_ATTR_NEXTHOP, job->dest->nexthop);
    attr_list_add_long(req, MAIL_ATTR_ARRIVAL_TIME, msg->arrival);
    for (i = 0; i < job->count; i++) {
        const struct qmgr_rcpt *r = msg->rcpts + job->idx[i];

        attr_list_add(req, MAIL_ATTR_RCPT, r->address);
        attr_list_add_long(req, MAIL_ATTR_RCPT_OFFSET, (long)r->offset);
        attr_list_add(req, MAIL_ATTR_ORCPT, r->orcpt);
        attr_list_add(req, MAIL_ATTR_NOTIFY, r->notify);
    }
    return req;
}

/* conn_send - write one record per job (or the one record req) with a
 * bounded wait, then end the input: the agent reads until EOF */
static int conn_send(int fd, const struct qmgr_job *job,
                     const struct attr_list *req, struct vstring *why)
{
    struct vstream *s = vstream_fdopen(fd, VSTREAM_WRITE);
    struct attr_list *list;
    int r = 0;

    vstream_set_timeout(s, (int)qmgr.ipc_timeout);
    for (; r == 0 && job; job = job->next) {
        list = request_of(job);
        r = attr_write(s, list);
        attr_list_free(list);
    }
    if (req)
        r = attr_write(s, req);
    if (r != 0)
        vstring_sprintf(why, "4.3.0 write request: %s",
                        strerror(vstream_errno(s)));
    vstream_release(s);
    if (r == 0 && shutdown(fd, SHUT_WR) < 0 && errno != ENOTCONN) {
        vstring_sprintf(why, "4.3.0 end request: %m");
        r = -1;
    }
    return r;
}

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
    event_server_watch(fd, qmgr_conn_readable, c);
    if (!tick_armed) {
        tick_armed = 1;
        event_server_timer(1, qmgr_conn_tick, 0);
    }
    return c;
}

/* qmgr_conn_close - forget a request */
void qmgr_conn_close(struct qmgr_conn *c)
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

/* qmgr_conn_deliver - send the delivery requests of a chain of jobs */
int qmgr_conn_deliver(struct qmgr_job *job, struct vstring *why)
{
    struct qmgr_job *j;
    struct qmgr_conn *c;
    size_t i;
    int fd;

    if ((fd = conn_connect(job->dest->transport, why)) < 0)
        return -1;
    FI_POINT("qmgr.before_request");
    if (conn_send(fd, job, 0, why) != 0) {
        close(fd);
        return -1;
    }
    c = conn_open(fd, CONN_DELIVER, qmgr.request_timeout);
    c->job = job;
    c->dest = job->dest;
    job->dest->busy++;
    for (j = job; j; j = j->next)
        for (i = 0; i < j->count; i++)
            j->msg->rcpts[j->idx[i]].state = QMGR_RCPT_BUSY;
    return 0;
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
        attr_list_add(req, MAIL_ATTR_QUEUE_NAME, msg->queue);
        attr_list_add(req, MAIL_ATTR_QUEUE_FILE, msg->file);
        attr_list_add(req, MAIL_ATTR_KIND, kind);
        FI_POINT("qmgr.before_bounce_request");
        if (conn_send(fd, 0, req, why) != 0) {
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


/* qmgr_conn_tick - end requests past their deadline */
void qmgr_conn_tick(void *ctx)
{
    struct qmgr_conn *c, *next;
    time_t now = time(0);

    (void)ctx;
    tick_armed = 0;
    for (c = conns; c; c = next) {
        next = c->next;
        if (now >= c->deadline) {
            msg_warn("%s: request to %s timed out",
                     c->kind == CONN_DELIVER ? c->job->msg->id : c->msg->id,
                     c->kind == CONN_DELIVER ? c->job->dest->transport
                                             : MAIL_SERVICE_BOUNCE);
            qmgr_conn_finish(c, 0, "4.4.2 delivery agent timed out");
            next = conns; /* the list may have changed */
        }
    }
    if (conns && !tick_armed) {
        tick_armed = 1;
        event_server_timer(1, qmgr_conn_tick, 0);
    }
    qmgr_kick();
}
