/*
 * bounce_dsn.c - from a per-message log and the original queue file to the
 * text of a DSN (dsn.h does the RFC 3464 layout; this file picks the
 * recipients, reads the original within bounds and fills the report).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "msg.h"
#include "mymalloc.h"
#include "vstring.h"

#include "dsn.h"
#include "queue_file.h"

#include "bounce.h"

#define BOUNCE_HEADER_MAX (1024 * 1024) /* header bytes kept for HDRS */

/* attr_of - an 'A' attribute of the original, or NULL */
static const char *attr_of(const struct queue_message *m, const char *name)
{
    size_t i;

    for (i = 0; i < m->attr_count; i++)
        if (strcmp(m->attrs[i].name, name) == 0)
            return m->attrs[i].value;
    return 0;
}

/* read_original - the content, or only its header when it is too large */
static int read_original(struct queue_message *m, size_t limit,
                         struct vstring *out, int *headers_only)
{
    struct vstring *chunk = vstring_alloc(8192);
    const char *end;
    int r;

    *headers_only = (size_t)m->content_size > limit;
    vstring_reset(out);
    if (queue_message_rewind(m) < 0) {
        vstring_free(chunk);
        return -1;
    }
    while ((r = queue_message_next_chunk(m, chunk)) == 1) {
        vstring_append(out, vstring_str(chunk), vstring_len(chunk));
        if (*headers_only &&
            ((end = strstr(vstring_str(out), "\n\n")) != 0 ||
             vstring_len(out) > BOUNCE_HEADER_MAX)) {
            if (end)
                vstring_truncate(out, (size_t)(end - vstring_str(out)) + 2);
            break;
        }
    }
    vstring_free(chunk);
    return r < 0 ? -1 : 0;
}

/* rfc5322_date - "Sun, 29 Nov 2026 12:00:00 +0000" */
static void rfc5322_date(char *buf, size_t len, time_t when)
{
    struct tm tm;

    localtime_r(&when, &tm);
    strftime(buf, len, "%a, %d %b %Y %H:%M:%S %z", &tm);
}

/* pick - the log entries that want a DSN of this kind */
static size_t pick(const struct bounce_log *log, enum dsn_kind kind,
                   struct dsn_rcpt *out)
{
    const struct bounce_entry *e;
    size_t i, n = 0;

    for (i = 0; i < log->count; i++) {
        e = &log->items[i];
        if (!bounce_notify_wants(e->notify, kind))
            continue;
        out[n].final_rcpt = e->rcpt;
        out[n].orcpt = *e->orcpt ? e->orcpt : 0;
        out[n].action = kind == DSN_FAILED ? "failed" : "delayed";
        out[n].status = e->status;
        out[n].diagnostic = *e->reason ? e->reason : 0;
        out[n].remote_mta = 0;
        n++;
    }
    return n;
}

/* bounce_dsn_build - the DSN text, or 0 when nobody wants one */
int bounce_dsn_build(const struct bounce_conf *conf, struct queue_message *msg,
                     const struct bounce_log *log, enum dsn_kind kind,
                     struct vstring *out, struct vstring *why)
{
    struct dsn_rcpt *rcpts = mymalloc((log->count + 1) * sizeof(*rcpts));
    struct vstring *content = vstring_alloc(8192), *postmaster = vstring_alloc(64),
                   *mid = vstring_alloc(64), *boundary = vstring_alloc(64);
    struct dsn_report r;
    const char *ret = attr_of(msg, "ret");
    char arrival[64], now[64];
    int headers_only, n, attempt;

    if ((n = (int)pick(log, kind, rcpts)) == 0)
        goto out;
    if (read_original(msg, conf->size_limit, content, &headers_only) < 0) {
        vstring_sprintf(why, "4.3.0 cannot read queue file %s", msg->id);
        n = -1;
        goto out;
    }
    rfc5322_date(arrival, sizeof(arrival), (time_t)msg->arrival_sec);
    rfc5322_date(now, sizeof(now), time(0));
    vstring_sprintf(postmaster, "MAILER-DAEMON@%s", conf->myhostname);
    vstring_sprintf(mid, "<%ld.%s.%ld@%s>", (long)time(0), msg->id,
                    (long)getpid(), conf->myhostname);
    memset(&r, 0, sizeof(r));
    r.kind = kind;
    r.ret = headers_only || (ret && strcasecmp(ret, "HDRS") == 0)
                ? DSN_RET_HDRS
            : ret && strcasecmp(ret, "FULL") == 0 ? DSN_RET_FULL
                                                  : DSN_RET_DEFAULT;
    r.reporting_mta = conf->myhostname;
    r.postmaster = vstring_str(postmaster);
    r.to = msg->sender;
    r.queue_id = msg->id;
    r.envid = attr_of(msg, "envid");
    r.arrival_date = arrival;
    r.date = now;
    r.message_id = vstring_str(mid);
    r.content = vstring_str(content);
    r.content_len = vstring_len(content);
    r.full_limit = conf->size_limit;
    r.rcpts = rcpts;
    r.rcpt_count = (size_t)n;
    /* A boundary that occurs in the original is refused: try another. */
    for (attempt = 0; attempt < 5; attempt++) {
        vstring_sprintf(boundary, "%s.%ld.%d/%s", msg->id, (long)time(0),
                        attempt, conf->myhostname);
        r.boundary = vstring_str(boundary);
        if (dsn_write(out, &r) == 0)
            goto out;
    }
    vstring_sprintf(why, "4.3.0 cannot build the DSN for %s", msg->id);
    n = -1;
out:
    myfree(rcpts);
    vstring_free(content);
    vstring_free(postmaster);
    vstring_free(mid);
    vstring_free(boundary);
    return n;
}
