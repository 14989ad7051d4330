/*
 * qmgr_sched.c - destinations, their queues of jobs, the dispatcher that
 * starts requests under the concurrency limits, and the per-run cache of
 * routing answers (qmgr.h).
 */
#include <string.h>

#include "msg.h"
#include "mymalloc.h"
#include "vstring.h"

#include "deliver_request.h"
#include "mail_conf.h"
#include "resolve_addr.h"

#include "qmgr.h"

#define ROUTE_BUCKETS 1024
#define ROUTE_MAX 10000 /* entries before the cache starts afresh */

struct route {
    char *addr;
    int status;
    char *transport;
    char *nexthop;
    char *reason;
    struct route *next;
};

static struct route *routes[ROUTE_BUCKETS];
static size_t route_count;

/* route_hash - bucket of an address */
static size_t route_hash(const char *s)
{
    size_t h = 5381;

    while (*s)
        h = h * 33 + (unsigned char)*s++;
    return h % ROUTE_BUCKETS;
}

/* qmgr_route_clear - forget every cached answer */
void qmgr_route_clear(void)
{
    struct route *r, *next;
    size_t i;

    for (i = 0; i < ROUTE_BUCKETS; i++) {
        for (r = routes[i]; r; r = next) {
            next = r->next;
            myfree(r->addr);
            myfree(r->transport);
            myfree(r->nexthop);
            myfree(r->reason);
            myfree(r);
        }
        routes[i] = 0;
    }
    route_count = 0;
}

/* qmgr_route - resolve addr through the cache; returns the status */
int qmgr_route(const char *addr, const char **transport, const char **nexthop,
               const char **reason)
{
    size_t h = route_hash(addr);
    struct resolve_reply reply;
    struct route *r;

    for (r = routes[h]; r; r = r->next)
        if (strcmp(r->addr, addr) == 0)
            goto out;
    if (route_count >= ROUTE_MAX)
        qmgr_route_clear();
    resolve_reply_init(&reply);
    resolve_addr(qmgr.resolve, addr, &reply);
    r = mymalloc(sizeof(*r));
    r->addr = mystrdup(addr);
    r->status = reply.status;
    r->transport = mystrdup(vstring_str(reply.transport));
    r->nexthop = mystrdup(vstring_str(reply.nexthop));
    r->reason = mystrdup(vstring_str(reply.reason));
    r->next = routes[h];
    routes[h] = r;
    route_count++;
    resolve_reply_free(&reply);
out:
    *transport = r->transport;
    *nexthop = r->nexthop;
    *reason = r->reason;
    return r->status;
}

/* is_local - the local or virtual transport (they share the local limits) */
static int is_local(const char *transport)
{
    return strcmp(transport, mail_conf_str("local_transport")) == 0
           || strcmp(transport, mail_conf_str("virtual_transport")) == 0;
}

/* qmgr_dest_limit - concurrency limit of a transport */
int qmgr_dest_limit(const char *transport)
{
    long limit = is_local(transport) ? qmgr.local_concurrency
                                     : qmgr.default_concurrency;

    return limit < 1 ? 1 : (int)limit;
}

/* qmgr_dest_rcpt_limit - recipients per request of a transport (only the
 * local transport has its own; virtual keeps the default, as in Postfix) */
int qmgr_dest_rcpt_limit(const char *transport)
{
    long limit = strcmp(transport, mail_conf_str("local_transport")) == 0
                     ? qmgr.local_rcpt_limit : qmgr.rcpt_limit;

    return limit < 1 ? 1 : (int)limit;
}

/* qmgr_dest_batch_limit - jobs in one request to a transport */
int qmgr_dest_batch_limit(const char *transport)
{
    long limit = strcmp(transport, mail_conf_str("local_transport")) == 0
                     ? qmgr.local_batch_limit : qmgr.default_batch_limit;

    return limit < 1                           ? 1
           : limit > DELIVER_REQUEST_BATCH_MAX ? DELIVER_REQUEST_BATCH_MAX
                                               : (int)limit;
}

/* dest_key - what tells destinations apart: the recipient when each
 * request carries one, else the nexthop */
static const char *dest_key(int rcpt_limit, const char *nexthop,
                            const char *rcpt)
{
    return rcpt && rcpt_limit == 1 ? rcpt : nexthop;
}

/* qmgr_dest_is - is dest the destination of rcpt routed this way? (a
 * transport's destinations all have its recipient limit) */
int qmgr_dest_is(const struct qmgr_dest *dest, const char *transport,
                 const char *nexthop, const char *rcpt)
{
    return strcmp(dest->transport, transport) == 0
           && strcmp(dest->nexthop, nexthop) == 0
           && strcmp(dest->key, dest_key(dest->rcpt_limit, nexthop, rcpt)) == 0;
}

/* qmgr_dest_find - the destination of a recipient, made on need */
struct qmgr_dest *qmgr_dest_find(const char *transport, const char *nexthop,
                                 const char *rcpt)
{
    struct qmgr_dest *d;

    for (d = qmgr.dests; d; d = d->next)
        if (qmgr_dest_is(d, transport, nexthop, rcpt))
            return d;
    d = mymalloc(sizeof(*d));
    memset(d, 0, sizeof(*d));
    d->transport = mystrdup(transport);
    d->nexthop = mystrdup(nexthop);
    d->rcpt_limit = qmgr_dest_rcpt_limit(transport);
    d->key = mystrdup(dest_key(d->rcpt_limit, nexthop, rcpt));
    d->limit = qmgr_dest_limit(transport);
    d->batch_limit = qmgr_dest_batch_limit(transport);
    d->next = qmgr.dests;
    qmgr.dests = d;
    return d;
}

/* qmgr_dest_release - drop a destination with no work */
void qmgr_dest_release(struct qmgr_dest *dest)
{
    struct qmgr_dest **pp;

    if (dest->busy > 0 || dest->head)
        return;
    for (pp = &qmgr.dests; *pp && *pp != dest; pp = &(*pp)->next)
        ;
    if (*pp == 0)
        msg_panic("qmgr_dest_release: unknown destination");
    *pp = dest->next;
    myfree(dest->transport);
    myfree(dest->nexthop);
    myfree(dest->key);
    myfree(dest);
}

/* qmgr_job_free - release a job */
void qmgr_job_free(struct qmgr_job *job)
{
    myfree(job->idx);
    myfree(job);
}

/* qmgr_sched_add - cut recipients into jobs of at most dest's rcpt_limit */
void qmgr_sched_add(struct qmgr_message *msg, struct qmgr_dest *dest,
                    const size_t *idx, size_t count)
{
    size_t per = dest->rcpt_limit < 1 ? 1 : (size_t)dest->rcpt_limit;
    struct qmgr_job *job;
    size_t done, n;

    for (done = 0; done < count; done += n) {
        n = count - done < per ? count - done : per;
        job = mymalloc(sizeof(*job));
        job->msg = msg;
        job->dest = dest;
        job->idx = mymemdup(idx + done, n * sizeof(*idx));
        job->count = n;
        job->next = 0;
        if (dest->tail)
            dest->tail->next = job;
        else
            dest->head = job;
        dest->tail = job;
        dest->queued++;
    }
}

/* defer_job - every recipient of a job that could not start */
static void defer_job(struct qmgr_job *job, const char *reason)
{
    struct qmgr_message *msg = job->msg;
    size_t i;

    for (i = 0; i < job->count; i++)
        qmgr_outcome(msg, job->idx[i], job->dest->transport,
                     job->dest->nexthop, "4.3.0", "deferred", reason);
    qmgr_job_free(job);
    qmgr_message_settle(msg);
}

/* pop_job - first job of dest */
static struct qmgr_job *pop_job(struct qmgr_dest *dest)
{
    struct qmgr_job *job = dest->head;

    if ((dest->head = job->next) == 0)
        dest->tail = 0;
    job->next = 0;
    dest->queued--;
    return job;
}

/* qmgr_batch_size - jobs for the next request: the waiting ones shared
 * out over the free connections, at most limit (and at least 1) */
size_t qmgr_batch_size(size_t queued, int free, int limit)
{
    size_t n = free < 1 ? queued : (queued + (size_t)free - 1) / (size_t)free;

    return n < 1 ? 1 : n > (size_t)limit ? (size_t)limit : n;
}

/* pop_batch - dest's first jobs for one request, chained */
static struct qmgr_job *pop_batch(struct qmgr_dest *dest)
{
    size_t n = qmgr_batch_size(dest->queued, dest->limit - dest->busy,
                               dest->batch_limit);
    struct qmgr_job *first = pop_job(dest), *last = first;

    while (--n > 0 && dest->head)
        last = last->next = pop_job(dest);
    return first;
}

/* start_one - one request for dest; 0 when dest cannot take more */
static int start_one(struct qmgr_dest *dest, struct vstring *why)
{
    struct qmgr_job *job, *next;

    if (dest->head == 0 || dest->busy >= dest->limit
        || qmgr.in_flight >= qmgr.delivery_limit)
        return 0;
    job = pop_batch(dest);
    if (qmgr_conn_deliver(job, why) == 0)
        return 1;
    /* the agent cannot be reached: its whole queue would fail the same */
    msg_warn("cannot reach %s service: %s", dest->transport, vstring_str(why));
    for (; job; job = next) {
        next = job->next;
        defer_job(job, vstring_str(why));
    }
    while (dest->head)
        defer_job(pop_job(dest), vstring_str(why));
    return 0;
}

/* qmgr_sched_dispatch - round robin over destinations while limits allow */
void qmgr_sched_dispatch(void)
{
    struct vstring *why = vstring_alloc(100);
    struct qmgr_dest *d, *next;
    int started;

    do {
        started = 0;
        for (d = qmgr.dests; d; d = next) {
            next = d->next;
            started += start_one(d, why);
            if (d->busy == 0 && d->head == 0)
                qmgr_dest_release(d);
        }
    } while (started && qmgr.in_flight < qmgr.delivery_limit);
    vstring_free(why);
}
