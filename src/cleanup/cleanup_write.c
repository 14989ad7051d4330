/*
 * cleanup_write.c - from a complete header section to a committed queue
 * file: addresses rewritten, recipients settled, incoming/<id>.part
 * created and written, then committed (cleanup_state.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "argv.h"
#include "fi_point.h"
#include "msg.h"
#include "mymalloc.h"
#include "queue.h"
#include "queue_file.h"
#include "record.h"
#include "vstring.h"

#include "mail_proto.h"
#include "mail_trigger.h"

#include "cleanup_canon.h"
#include "cleanup_state.h"

/* attr_value - a kept attribute's value, or NULL */
static const char *attr_value(const struct cleanup_job *s, const char *name)
{
    size_t i, n = strlen(name);

    for (i = 0; i < s->attrs->argc; i++)
        if (strncmp(s->attrs->argv[i], name, n) == 0 &&
            s->attrs->argv[i][n] == '=')
            return s->attrs->argv[i] + n + 1;
    return 0;
}

/* rfc5322_date - the current local time as an RFC 5322 date-time,
 * formatted again only when the second changes */
static void rfc5322_date(char *buf, size_t size)
{
    static char last[64];
    static time_t last_time = (time_t)-1;
    time_t now = time(0);
    struct tm tm;
    size_t n;

    if (now != last_time) {
        if (localtime_r(&now, &tm) == 0 ||
            strftime(last, sizeof(last), "%a, %d %b %Y %H:%M:%S %z", &tm) == 0)
            snprintf(last, sizeof(last), "Thu, 01 Jan 1970 00:00:00 +0000");
        last_time = now;
    }
    n = strlen(last) < size ? strlen(last) : size - 1;
    memcpy(buf, last, n);
    buf[n] = 0;
}

/* append_all - append each string up to a null pointer (the trace field
 * is joined by hand: through vsnprintf it was a tenth of cleanup's
 * instructions) */
static void append_all(struct vstring *out, ...)
{
    const char *piece;
    va_list ap;

    va_start(ap, out);
    while ((piece = va_arg(ap, const char *)) != 0)
        vstring_append_str(out, piece);
    va_end(ap);
}

/* build_received - our trace field (RFC 5321 section 4.4) */
static void build_received(const struct cleanup_job *s, const char *id,
                           const struct cleanup_addrs *rcpts,
                           const char *date, struct vstring *out)
{
    const char *helo = attr_value(s, MAIL_ATTR_HELO);
    const char *name = attr_value(s, MAIL_ATTR_CLIENT_NAME);
    const char *addr = attr_value(s, MAIL_ATTR_CLIENT_ADDR);
    const char *proto = attr_value(s, MAIL_ATTR_PROTOCOL);
    const char *uid = attr_value(s, MAIL_ATTR_UID);

    vstring_set_str(out, "Received:");
    if (helo || addr)
        append_all(out, " from ", helo ? helo : "unknown", " (",
                   name ? name : "unknown", " [", addr ? addr : "unknown",
                   "])\n\t", (const char *)0);
    append_all(out, " by ", s->cfg->myhostname, " (Sluice)", (const char *)0);
    if (uid)
        append_all(out, " (uid ", uid, ")", (const char *)0);
    if (proto)
        append_all(out, " with ", proto, (const char *)0);
    append_all(out, " id ", id, (const char *)0);
    if (rcpts->count == 1)
        append_all(out, "\n\tfor <", rcpts->addr[0], ">", (const char *)0);
    append_all(out, "; ", date, "\n", (const char *)0);
}

/* settle_addresses - sender, -t recipients, virtual aliases */
static void settle_addresses(struct cleanup_job *s, struct vstring *sender,
                             struct cleanup_addrs *final_rcpts,
                             struct argv *notify, struct argv *orcpt)
{
    const struct cleanup_rewrite *rw = s->cfg->rw;
    size_t max = s->cfg->limits.recipient_limit, i, before, k;
    const char *reason;

    if (cleanup_rewrite_canonical(rw, s->sender, sender, &reason) < 0) {
        vstring_sprintf(s->why, "5.1.7 bad sender address \"%.100s\": %s",
                        s->sender, reason);
        s->status = 5;
        return;
    }
    if (s->flags & CLEANUP_FLAG_EXTRACT_RCPT) {
        before = s->rcpts.count;
        if (cleanup_canon_recipients(&s->msg, &s->rcpts, s->why) < 0) {
            s->status = 5;
            return;
        }
        for (i = before; i < s->rcpts.count; i++) {
            argv_add(s->notify, "");
            argv_add(s->orcpt, "");
        }
    }
    if (!(s->flags & CLEANUP_FLAG_NO_HEADER_FIX))
        cleanup_rewrite_headers(rw, &s->msg);
    for (i = 0; i < s->rcpts.count && s->status == 0; i++) {
        before = final_rcpts->count;
        if (cleanup_rewrite_virtual(rw, s->rcpts.addr[i], final_rcpts, max,
                                    s->why) < 0)
            s->status = *vstring_str(s->why) == '4' ? 4 : 5;
        for (k = before; k < final_rcpts->count; k++) {
            argv_add(notify, s->notify->argv[i]);
            /* an alias target keeps the original recipient as ORCPT */
            argv_add(orcpt, s->orcpt->argv[i]);
        }
    }
    if (s->status == 0 && final_rcpts->count == 0)
        cleanup_job_fail(s, 5, "5.5.1 no recipients");
}

/* write_envelope - T, A*, S, R*, M into the new file */
static void write_envelope(struct cleanup_job *s, const char *sender,
                           const struct cleanup_addrs *rcpts,
                           const struct argv *notify, const struct argv *orcpt)
{
    struct vstring *buf = vstring_alloc(100);
    struct timeval tv;
    size_t i;

    if (s->time) {
        vstring_set_str(buf, s->time);
    } else {
        gettimeofday(&tv, 0);
        vstring_sprintf(buf, "%ld.%06ld", (long)tv.tv_sec, (long)tv.tv_usec);
    }
    (void)queue_file_put_str(s->qf, REC_TIME, vstring_str(buf));
    for (i = 0; i < s->attrs->argc; i++)
        (void)queue_file_put_str(s->qf, REC_ATTR, s->attrs->argv[i]);
    (void)queue_file_put_str(s->qf, REC_SENDER, sender);
    for (i = 0; i < rcpts->count; i++) {
        if (record_rcpt_encode(buf, rcpts->addr[i], notify->argv[i],
                               orcpt->argv[i]) < 0)
            continue; /* cannot happen: fields come from records */
        (void)queue_file_put(s->qf, REC_RCPT, vstring_str(buf),
                             vstring_len(buf));
    }
    s->nrcpt = rcpts->count;
    (void)queue_file_put(s->qf, REC_MESSAGE, "", 0);
    vstring_free(buf);
}

/* cleanup_headers_done - rewrite, settle, create, write envelope+headers */
void cleanup_headers_done(struct cleanup_job *s)
{
    struct vstring *sender = vstring_alloc(100), *text = vstring_alloc(1024);
    struct vstring *rcvd = vstring_alloc(200);
    struct argv *notify = argv_alloc(8), *orcpt = argv_alloc(8);
    struct cleanup_addrs final_rcpts;
    struct cleanup_canon canon;
    char date[64];

    s->headers_done = 1;
    cleanup_addrs_init(&final_rcpts);
    settle_addresses(s, sender, &final_rcpts, notify, orcpt);
    FI_POINT("cleanup.after_envelope");
    if (s->status != 0)
        goto out;
    if ((s->qf = queue_file_create(s->cfg->queue_dir, QUEUE_INCOMING,
                                   CLEANUP_FILE_MODE, text)) == 0) {
        msg_warn("%s", vstring_str(text));
        cleanup_job_fail(s, 4, "4.3.0 cannot create queue file");
        goto out;
    }
    FI_POINT("cleanup.after_create");
    write_envelope(s, vstring_str(sender), &final_rcpts, notify, orcpt);
    rfc5322_date(date, sizeof(date));
    build_received(s, queue_file_id(s->qf), &final_rcpts, date, rcvd);
    memset(&canon, 0, sizeof(canon));
    canon.received = (s->flags & CLEANUP_FLAG_NO_HEADER_FIX) ? 0
                                                             : vstring_str(rcvd);
    canon.date = date;
    canon.queue_id = queue_file_id(s->qf);
    canon.myhostname = s->cfg->myhostname;
    canon.sender = vstring_str(sender);
    canon.fullname = s->fullname;
    cleanup_canon_headers(&s->msg, &canon, text);
    vstring_append_char(text, '\n');
    cleanup_write_content(s, vstring_str(text), vstring_len(text));
    FI_POINT("cleanup.after_headers");
    /* the sender as queued, for the log line */
    myfree(s->sender);
    s->sender = mystrdup(vstring_str(sender));
out:
    cleanup_addrs_free(&final_rcpts);
    argv_free(notify);
    argv_free(orcpt);
    vstring_free(sender);
    vstring_free(text);
    vstring_free(rcvd);
}

/* cleanup_write_content - 'C' records of at most the maximum */
void cleanup_write_content(struct cleanup_job *s, const char *buf,
                           size_t len)
{
    size_t n;

    while (len > 0 && s->status == 0) {
        n = len > RECORD_MAX_PAYLOAD ? RECORD_MAX_PAYLOAD : len;
        if (queue_file_put(s->qf, REC_CONTENT, buf, n) < 0)
            cleanup_job_fail(s, 4, "4.3.0 queue file write error");
        s->size += n;
        buf += n;
        len -= n;
    }
}

/* cleanup_hand_on - tell qmgr the spare name of a file committed in
 * place (one hint), or rename it into incoming/ */
int cleanup_hand_on(const struct cleanup_job *s, const char *name,
                    const char *id)
{
    char hint[QMGR_TRIGGER_SPARE_LEN];
    struct vstring *why = vstring_alloc(100), *from, *to;
    int told;

    hint[0] = QMGR_TRIGGER_SPARE;
    memcpy(hint + 1, name, QMGR_TRIGGER_SPARE_LEN - 1);
    FI_POINT("cleanup.before_hand_on");
    told = mail_trigger_send(s->cfg->queue_dir, MAIL_CLASS_PRIVATE,
                             MAIL_SERVICE_QMGR, hint, sizeof(hint), why) == 0;
    if (!told) {
        from = vstring_alloc(100);
        to = vstring_alloc(100);
        queue_path(from, s->cfg->queue_dir, QUEUE_SPARE, name);
        queue_path(to, s->cfg->queue_dir, QUEUE_INCOMING, id);
        /* the message is committed either way: a failed rename leaves it
         * to queue_spare_recover, at qmgr's next queue run */
        if (queue_rename_noreplace(vstring_str(from), vstring_str(to)) < 0)
            msg_warn("%s: qmgr not told (%s), and rename %s: %m; it waits "
                     "for the next queue run",
                     id, vstring_str(why), vstring_str(from));
        vstring_free(from);
        vstring_free(to);
    }
    FI_POINT("cleanup.after_hand_on");
    vstring_free(why);
    return told;
}

/* cleanup_commit - 'X', then the commit point; 0 committed, 1 committed
 * in place (its spare name in name), -1 not committed */
int cleanup_commit(struct cleanup_job *s, struct vstring *id,
                   struct vstring *name)
{
    struct vstring *why;
    struct queue_file *qf = s->qf;
    int rc;

    if (s->status != 0 || qf == 0)
        return -1;
    if (queue_file_put(qf, REC_CONTENT_END, "", 0) < 0) {
        cleanup_job_fail(s, 4, "4.3.0 queue file write error");
        return -1;
    }
    FI_POINT("cleanup.after_write");
    vstring_set_str(id, queue_file_id(qf));
    s->qf = 0; /* commit frees it, whatever happens */
    why = vstring_alloc(100);
    FI_POINT("cleanup.before_commit");
    if ((rc = queue_file_commit_keep(qf, name, why)) < 0) {
        msg_warn("%s: commit: %s", vstring_str(id), vstring_str(why));
        cleanup_job_fail(s, 4, "4.3.0 queue file write error");
    } else {
        FI_POINT("cleanup.after_commit");
    }
    vstring_free(why);
    return rc;
}
