/*
 * deliver_request.c - the agent side of qmgr's delivery protocol: read and
 * check one request, keep the per-recipient outcomes, send the reply, and
 * reach the message content through the one queue-file reader.
 *
 * Used by every delivery agent (local, smtp, lmtp); the wire format is the
 * attribute record of attr.h with the names of mail_proto.h.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "attr.h"
#include "msg.h"
#include "mymalloc.h"
#include "vstream.h"
#include "vstring.h"

#include "deliver_request.h"
#include "mail_proto.h"
#include "queue.h"
#include "queue_file.h"
#include "record.h"

#define HEAD_ATTRS 9 /* per-message attributes before the recipients */
#define RCPT_ATTRS 4 /* per-recipient attributes */

static const char *const head_names[HEAD_ATTRS] = {
    MAIL_ATTR_QUEUE_NAME, MAIL_ATTR_QUEUE_ID, MAIL_ATTR_QUEUE_FILE,
    MAIL_ATTR_CONTENT_OFFSET, MAIL_ATTR_SENDER, MAIL_ATTR_ENVID,
    MAIL_ATTR_RET,        MAIL_ATTR_NEXTHOP,  MAIL_ATTR_ARRIVAL_TIME,
};

static const char *const rcpt_names[RCPT_ATTRS] = {
    MAIL_ATTR_RCPT, MAIL_ATTR_RCPT_OFFSET, MAIL_ATTR_ORCPT, MAIL_ATTR_NOTIFY};

/* parse_long - a decimal long, whole string, no overflow */
static int parse_long(const char *s, long *out)
{
    char *end;
    long v;

    if (*s == 0 || (*s != '-' && (*s < '0' || *s > '9')))
        return -1;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || *end != 0)
        return -1;
    *out = v;
    return 0;
}

/* check_names - every attribute where mail_proto.h says it goes */
static int check_names(const struct attr_list *list, struct vstring *why)
{
    size_t n = attr_list_count(list), i;
    const char *want;

    if (n < HEAD_ATTRS + RCPT_ATTRS || (n - HEAD_ATTRS) % RCPT_ATTRS != 0) {
        vstring_sprintf(why, "request has %zu attributes", n);
        return -1;
    }
    if ((n - HEAD_ATTRS) / RCPT_ATTRS > DELIVER_REQUEST_MAX_RCPTS) {
        vstring_sprintf(why, "request has more than %d recipients",
                        DELIVER_REQUEST_MAX_RCPTS);
        return -1;
    }
    for (i = 0; i < n; i++) {
        want = i < HEAD_ATTRS ? head_names[i]
                              : rcpt_names[(i - HEAD_ATTRS) % RCPT_ATTRS];
        if (strcmp(attr_list_name_at(list, i), want) != 0) {
            vstring_sprintf(why, "attribute %zu is \"%s\", expected \"%s\"", i,
                            attr_list_name_at(list, i), want);
            return -1;
        }
    }
    return 0;
}

/* value - the text of attribute i, refusing embedded NUL bytes */
static const char *value(const struct attr_list *list, size_t i, int *bad)
{
    size_t len;
    const char *v = attr_list_value_at(list, i, &len);

    if (strlen(v) != len)
        *bad = 1;
    return v;
}

/* fill_head - the per-message part of the request */
static int fill_head(struct deliver_request *req, const struct attr_list *list,
                     struct vstring *why)
{
    int bad = 0;
    long off, arrival;
    const char *ret;

    req->queue_name = mystrdup(value(list, 0, &bad));
    req->queue_id = mystrdup(value(list, 1, &bad));
    req->queue_file = mystrdup(value(list, 2, &bad));
    req->sender = mystrdup(value(list, 4, &bad));
    req->envid = mystrdup(value(list, 5, &bad));
    req->ret = mystrdup(ret = value(list, 6, &bad));
    req->nexthop = mystrdup(value(list, 7, &bad));
    if (bad) {
        vstring_sprintf(why, "NUL byte in a request attribute");
        return -1;
    }
    if (!queue_name_valid(req->queue_name) || !queue_id_valid(req->queue_id)
        || !queue_id_valid(req->queue_file)) {
        vstring_sprintf(why, "bad queue name, id or file name");
        return -1;
    }
    if (parse_long(value(list, 3, &bad), &off) < 0 || off < 0) {
        vstring_sprintf(why, "bad %s", MAIL_ATTR_CONTENT_OFFSET);
        return -1;
    }
    if (parse_long(value(list, 8, &bad), &arrival) < 0 || arrival < 0) {
        vstring_sprintf(why, "bad %s", MAIL_ATTR_ARRIVAL_TIME);
        return -1;
    }
    if (*ret && strcmp(ret, "FULL") != 0 && strcmp(ret, "HDRS") != 0) {
        vstring_sprintf(why, "bad %s", MAIL_ATTR_RET);
        return -1;
    }
    req->content_offset = (off_t)off;
    req->arrival_time = arrival;
    return 0;
}

/* fill_rcpts - the per-recipient part of the request */
static int fill_rcpts(struct deliver_request *req,
                      const struct attr_list *list, struct vstring *why)
{
    size_t n = (attr_list_count(list) - HEAD_ATTRS) / RCPT_ATTRS, i, at;
    struct deliver_rcpt *r;
    long off;
    int bad = 0;

    req->rcpts = mymalloc(n * sizeof(*req->rcpts));
    memset(req->rcpts, 0, n * sizeof(*req->rcpts));
    req->rcpt_count = n;
    for (i = 0; i < n; i++) {
        at = HEAD_ATTRS + i * RCPT_ATTRS;
        r = &req->rcpts[i];
        r->address = mystrdup(value(list, at, &bad));
        r->orcpt = mystrdup(value(list, at + 2, &bad));
        r->notify = mystrdup(value(list, at + 3, &bad));
        if (bad || *r->address == 0) {
            vstring_sprintf(why, "bad recipient %zu", i);
            return -1;
        }
        if (parse_long(value(list, at + 1, &bad), &off) < 0 || off < 0) {
            vstring_sprintf(why, "bad %s of recipient %zu",
                            MAIL_ATTR_RCPT_OFFSET, i);
            return -1;
        }
        r->offset = (off_t)off;
    }
    return 0;
}

/* deliver_request_next - one bounded, checked request of a batch */
int deliver_request_next(struct vstream *qmgr, struct deliver_request **reqp,
                         struct vstring *why)
{
    struct attr_limits lim = {
        HEAD_ATTRS + RCPT_ATTRS * DELIVER_REQUEST_MAX_RCPTS + 1, 32,
        DELIVER_REQUEST_VALUE_MAX, 4 * 1024 * 1024};
    struct attr_list *list = attr_list_alloc();
    struct deliver_request *req = 0;
    int r;

    *reqp = 0;
    if ((r = attr_read(qmgr, list, &lim, why)) <= 0) {
        if (r == 0)
            vstring_sprintf(why, "no request (end of input)");
        goto out;
    }
    r = -1;
    if (check_names(list, why) < 0)
        goto out;
    req = mymalloc(sizeof(*req));
    memset(req, 0, sizeof(*req));
    if (fill_head(req, list, why) < 0 || fill_rcpts(req, list, why) < 0) {
        deliver_request_free(req);
        goto out;
    }
    *reqp = req;
    r = 1;
out:
    attr_list_free(list);
    return r;
}

/* deliver_request_read_all - every request of the connection, at most max */
size_t deliver_request_read_all(struct vstream *qmgr,
                                struct deliver_request **reqs, size_t max,
                                struct vstring *why)
{
    size_t n = 0;
    int r;

    while (n < max) {
        if ((r = deliver_request_next(qmgr, &reqs[n], why)) < 0
            || (r == 0 && n == 0))
            msg_warn("refused delivery request: %s", vstring_str(why));
        if (r == 0)
            vstream_clear_error(qmgr); /* the expected EOF: replies follow */
        if (r <= 0)
            break;
        n++;
    }
    return n;
}

/* deliver_request_status - remember the outcome of recipient i */
void deliver_request_status(struct deliver_request *req, size_t i,
                            const char *dsn_status, const char *dsn_action,
                            const char *reason)
{
    struct deliver_rcpt *r;

    if (i >= req->rcpt_count)
        msg_panic("deliver_request_status: recipient %zu of %zu", i,
                  req->rcpt_count);
    if (dsn_status == 0 || strchr("245", dsn_status[0]) == 0 ||
        dsn_status[0] == 0 || dsn_status[1] != '.' || dsn_action == 0)
        msg_panic("deliver_request_status: bad status \"%s\"",
                  dsn_status ? dsn_status : "(null)");
    r = &req->rcpts[i];
    myfree(r->dsn_status);
    myfree(r->dsn_action);
    myfree(r->reason);
    r->dsn_status = mystrdup(dsn_status);
    r->dsn_action = mystrdup(dsn_action);
    r->reason = mystrdup(reason ? reason : "");
}

/* deliver_request_reply - every recorded outcome, in request order */
int deliver_request_reply(struct vstream *qmgr,
                          const struct deliver_request *req)
{
    struct attr_list *list = attr_list_alloc();
    const struct deliver_rcpt *r;
    size_t i;
    int ret;

    for (i = 0; i < req->rcpt_count; i++) {
        r = &req->rcpts[i];
        if (r->dsn_status == 0)
            continue;
        attr_list_add_long(list, MAIL_ATTR_RCPT_OFFSET, (long)r->offset);
        attr_list_add(list, MAIL_ATTR_DSN_STATUS, r->dsn_status);
        attr_list_add(list, MAIL_ATTR_DSN_ACTION, r->dsn_action);
        attr_list_add(list, MAIL_ATTR_REASON, r->reason);
    }
    ret = attr_write(qmgr, list);
    attr_list_free(list);
    return ret;
}

/* deliver_request_free - release a request and its outcomes */
void deliver_request_free(struct deliver_request *req)
{
    size_t i;

    if (req == 0)
        return;
    for (i = 0; i < req->rcpt_count; i++) {
        myfree(req->rcpts[i].address);
        myfree(req->rcpts[i].orcpt);
        myfree(req->rcpts[i].notify);
        myfree(req->rcpts[i].dsn_status);
        myfree(req->rcpts[i].dsn_action);
        myfree(req->rcpts[i].reason);
    }
    myfree(req->rcpts);
    myfree(req->queue_name);
    myfree(req->queue_id);
    myfree(req->queue_file);
    myfree(req->sender);
    myfree(req->envid);
    myfree(req->ret);
    myfree(req->nexthop);
    myfree(req);
}

/* deliver_request_open - the queue file, positioned at its content */
int deliver_request_open(const struct deliver_request *req,
                         const char *queue_dir, struct queue_message **msgp,
                         struct vstring *why)
{
    struct vstring *err = vstring_alloc(100);
    struct queue_message *m = 0;
    int ret = -1;

    *msgp = 0;
    if (queue_file_read(queue_dir, req->queue_name, req->queue_file,
                        QUEUE_FILE_RDONLY, &m, err) != QUEUE_FILE_OK) {
        vstring_sprintf(why, "4.3.0 cannot read queue file: %s",
                        vstring_str(err));
        goto out;
    }
    /* Either the 'M' record or the first record after it may be named. */
    if (req->content_offset != m->content_offset &&
        req->content_offset + RECORD_HEADER_SIZE != m->content_offset) {
        vstring_sprintf(why, "4.3.0 content offset %lld does not match the "
                             "queue file (%lld)",
                        (long long)req->content_offset,
                        (long long)m->content_offset);
        goto out;
    }
    if (queue_message_rewind(m) < 0) {
        vstring_sprintf(why, "4.3.0 cannot seek in queue file %s",
                        req->queue_id);
        goto out;
    }
    *msgp = m;
    m = 0;
    ret = 0;
out:
    if (m)
        queue_message_free(m);
    vstring_free(err);
    return ret;
}
