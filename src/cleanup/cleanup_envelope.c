/*
 * cleanup_envelope.c - a message's state in cleanup, and the envelope
 * records a client sends before the content (cleanup_state.h).
 */
#include <stdlib.h>
#include <string.h>

#include "argv.h"
#include "attr.h"
#include "msg.h"
#include "mymalloc.h"
#include "queue_file.h"
#include "record.h"
#include "vstring.h"

#include "mail_proto.h"

#include "cleanup_state.h"

/* cleanup_job_init - an empty message */
void cleanup_job_init(struct cleanup_job *s, const struct cleanup_config *cfg)
{
    memset(s, 0, sizeof(*s));
    s->cfg = cfg;
    s->attrs = argv_alloc(8);
    s->notify = argv_alloc(8);
    s->orcpt = argv_alloc(8);
    cleanup_addrs_init(&s->rcpts);
    cleanup_msg_init(&s->msg, &cfg->limits);
    s->line = vstring_alloc(256);
    s->out = vstring_alloc(CLEANUP_CHUNK + 1024);
    s->why = vstring_alloc(100);
}

/* cleanup_job_free - release everything; an open file is abandoned */
void cleanup_job_free(struct cleanup_job *s)
{
    if (s->qf)
        queue_file_abort(s->qf);
    myfree(s->time);
    myfree(s->sender);
    myfree(s->fullname);
    argv_free(s->attrs);
    argv_free(s->notify);
    argv_free(s->orcpt);
    cleanup_addrs_free(&s->rcpts);
    cleanup_msg_free(&s->msg);
    vstring_free(s->line);
    vstring_free(s->out);
    vstring_free(s->why);
}

/* cleanup_job_fail - keep the first failure */
void cleanup_job_fail(struct cleanup_job *s, int status, const char *reason)
{
    if (s->status != 0)
        return;
    s->status = status;
    vstring_set_str(s->why, reason);
}

/* text_ok - no NUL, no line end: the record is a single line of text */
static int text_ok(const char *p, size_t len)
{
    return memchr(p, 0, len) == 0 && memchr(p, '\n', len) == 0 &&
           memchr(p, '\r', len) == 0;
}

/* time_ok - "seconds.microseconds" as the queue-file reader wants it */
static int time_ok(const char *p, size_t len)
{
    size_t i = 0, n;

    for (n = 0; i < len && p[i] >= '0' && p[i] <= '9'; i++)
        n++;
    if (n == 0 || n > 15 || i >= len || p[i++] != '.')
        return 0;
    for (n = 0; i < len && p[i] >= '0' && p[i] <= '9'; i++)
        n++;
    return n >= 1 && n <= 6 && i == len;
}

/* take_attr - one 'A' record: flags, fullname, or one to keep */
static void take_attr(struct cleanup_job *s, const char *p, size_t len)
{
    long name_len = record_attr_split(p, len);
    const char *value;
    char *end;
    long flags;

    if (name_len < 0 || !attr_name_ok(p, (size_t)name_len, 64)) {
        cleanup_job_fail(s, 4, "4.3.0 malformed attribute from client");
        return;
    }
    value = p + name_len + 1;
    if ((size_t)name_len == strlen(MAIL_ATTR_CLEANUP_FLAGS) &&
        strncmp(p, MAIL_ATTR_CLEANUP_FLAGS, (size_t)name_len) == 0) {
        flags = strtol(value, &end, 10);
        if (*end != 0 || end == value || flags < 0 || flags > 0xffff)
            cleanup_job_fail(s, 4, "4.3.0 malformed cleanup flags");
        else
            s->flags = (int)flags;
    } else if ((size_t)name_len == strlen(MAIL_ATTR_FULLNAME) &&
               strncmp(p, MAIL_ATTR_FULLNAME, (size_t)name_len) == 0) {
        myfree(s->fullname);
        s->fullname = mystrdup(value);
    } else if (s->attrs->argc >= CLEANUP_ATTR_MAX) {
        cleanup_job_fail(s, 5, "5.3.4 too many message attributes");
    } else {
        argv_addn(s->attrs, p, len);
    }
}

/* take_rcpt - one 'R' record */
static void take_rcpt(struct cleanup_job *s, const char *p, size_t len)
{
    struct record_rcpt r;
    char *addr;

    if (record_rcpt_decode(p, len, &r) < 0 || r.address_len == 0 ||
        memchr(r.address, '\n', r.address_len)) {
        cleanup_job_fail(s, 4, "4.3.0 malformed recipient record");
        return;
    }
    addr = mystrndup(r.address, r.address_len);
    if (cleanup_addrs_add(&s->rcpts, addr, s->cfg->limits.recipient_limit) < 0)
        cleanup_job_fail(s, 5, "5.5.3 too many recipients");
    else {
        argv_addn(s->notify, r.notify, r.notify_len);
        argv_addn(s->orcpt, r.orcpt, r.orcpt_len);
    }
    myfree(addr);
}

/* cleanup_envelope_record - T, A, S, R (V and M are the session's) */
void cleanup_envelope_record(struct cleanup_job *s, int type,
                             const char *payload, size_t len)
{
    if (s->status != 0)
        return;
    if (type != REC_RCPT && !text_ok(payload, len)) {
        cleanup_job_fail(s, 4, "4.3.0 malformed envelope record");
        return;
    }
    switch (type) {
    case REC_TIME:
        if (!time_ok(payload, len)) {
            cleanup_job_fail(s, 4, "4.3.0 malformed time record");
            break;
        }
        myfree(s->time);
        s->time = mystrndup(payload, len);
        break;
    case REC_ATTR:
        take_attr(s, payload, len);
        break;
    case REC_SENDER:
        s->sender = mystrndup(payload, len);
        break;
    case REC_RCPT:
        take_rcpt(s, payload, len);
        break;
    default:
        msg_panic("cleanup_envelope_record: %s record",
                  record_type_name(type));
    }
}
