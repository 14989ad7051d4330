/*
 * gate_copy.c - checking sendmail's records and copying them into a
 * maildrop file (gate_copy.h). The gate's whole trust boundary.
 */
#include <string.h>
#include <sys/time.h>
#include <sysexits.h>

#include "attr.h"
#include "queue_file.h"
#include "record.h"
#include "vstream.h"
#include "vstring.h"

#include "mail_proto.h"

#include "gate_copy.h"

struct gate_state {
    size_t attrs;
    size_t rcpts;
    size_t size;
};

/* clean_text - no byte below space, no DEL */
static int clean_text(const char *p, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++)
        if ((unsigned char)p[i] < 32 || p[i] == 127)
            return 0;
    return 1;
}

/* check_attr - an attribute sendmail may set */
static const char *check_attr(const char *p, size_t len)
{
    long n = record_attr_split(p, len);
    const char *value;

    if (n < 0 || !attr_name_ok(p, (size_t)n, 64))
        return "malformed attribute";
    value = p + n + 1;
    if (!clean_text(value, len - (size_t)n - 1))
        return "control character in an attribute";
    if ((size_t)n == strlen(MAIL_ATTR_UID) &&
        strncmp(p, MAIL_ATTR_UID, (size_t)n) == 0)
        return "the uid attribute is the gate's";
    if ((size_t)n == strlen(MAIL_ATTR_CLEANUP_FLAGS) &&
        strncmp(p, MAIL_ATTR_CLEANUP_FLAGS, (size_t)n) == 0 &&
        strcmp(value, "0") != 0 && strcmp(value, "1") != 0)
        return "cleanup flags other than -t";
    return 0;
}

/* check_record - the payload rules of gate_copy.h; NULL when fine */
static const char *check_record(struct gate_state *g, int type,
                                const struct vstring *p,
                                const struct gate_limits *lim)
{
    struct record_rcpt r;
    const char *s = vstring_str(p);
    size_t len = vstring_len(p);

    switch (type) {
    case REC_VERSION:
        return strcmp(s, RECORD_VERSION) ? "unknown format version" : 0;
    case REC_ATTR:
        if (++g->attrs > GATE_ATTR_MAX)
            return "too many attributes";
        return check_attr(s, len);
    case REC_SENDER:
        return clean_text(s, len) ? 0 : "control character in the sender";
    case REC_RCPT:
        if (++g->rcpts > lim->rcpt_max)
            return "too many recipients";
        if (record_rcpt_decode(s, len, &r) < 0 || r.address_len == 0 ||
            !clean_text(r.address, r.address_len) ||
            !clean_text(r.notify, r.notify_len) ||
            !clean_text(r.orcpt, r.orcpt_len))
            return "malformed recipient";
        return 0;
    case REC_CONTENT:
        g->size += len;
        return lim->size_max && g->size > lim->size_max ? "message too big" : 0;
    case REC_TIME:
        return 0; /* dropped: the gate stamps its own */
    case REC_MESSAGE:
    case REC_CONTENT_END:
    case REC_END:
        return len ? "payload in an empty record" : 0;
    default:
        return "record type not allowed in a submission";
    }
}

/* stamp - the gate's own records right after V: arrival time, uid */
static int stamp(struct queue_file *qf, uid_t uid)
{
    struct vstring *buf = vstring_alloc(64);
    struct timeval tv;
    int rc;

    gettimeofday(&tv, 0);
    vstring_sprintf(buf, "%ld.%06ld", (long)tv.tv_sec, (long)tv.tv_usec);
    rc = queue_file_put_str(qf, REC_TIME, vstring_str(buf));
    vstring_sprintf(buf, "%s=%ld", MAIL_ATTR_UID, (long)uid);
    if (queue_file_put_str(qf, REC_ATTR, vstring_str(buf)) < 0)
        rc = -1;
    vstring_free(buf);
    return rc;
}

/* gate_copy - check and copy every record */
int gate_copy(struct vstream *in, struct queue_file *qf, uid_t uid,
              const struct gate_limits *lim, struct vstring *why)
{
    struct vstring *p = vstring_alloc(1024);
    struct record_grammar gr;
    struct gate_state g = {0, 0, 0};
    struct record rec;
    const char *bad;
    int r, rc = 0;

    record_grammar_init(&gr, RECORD_PROFILE_SUBMIT);
    for (;;) {
        if ((r = record_get(in, &rec, p)) != RECORD_OK) {
            vstring_sprintf(why, "message input: %s", r == RECORD_EOF
                                      ? "ended before the end record"
                                      : record_result_str(r));
            rc = r == RECORD_IO ? EX_IOERR : EX_DATAERR;
            goto out;
        }
        if ((bad = record_grammar_step(&gr, rec.type)) != 0 ||
            (bad = check_record(&g, rec.type, p, lim)) != 0) {
            vstring_sprintf(why, "message input refused: %s", bad);
            rc = EX_DATAERR;
            goto out;
        }
        if (rec.type == REC_END)
            break;
        if (rec.type == REC_VERSION)
            r = stamp(qf, uid);
        else if (rec.type == REC_TIME)
            r = 0; /* the client's clock is not ours */
        else
            r = queue_file_put(qf, rec.type, vstring_str(p), vstring_len(p));
        if (r < 0) {
            vstring_sprintf(why, "maildrop file write error: %m");
            rc = EX_TEMPFAIL;
            goto out;
        }
    }
    if (record_get(in, &rec, 0) != RECORD_EOF) {
        vstring_sprintf(why, "message input refused: data after the end record");
        rc = EX_DATAERR;
    }
out:
    vstring_free(p);
    return rc;
}
