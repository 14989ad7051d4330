/*
 * sendmail_submit.c - the records that sendmail writes to the gate
 * (sendmail_submit.h).
 */
#include <string.h>
#include <sysexits.h>

#include "address.h"
#include "record.h"
#include "vstream.h"
#include "vstring.h"

#include "mail_proto.h"

#include "sendmail_args.h"
#include "sendmail_submit.h"

/* put_attr - one "name=value" record */
static int put_attr(struct vstream *out, const char *name, const char *value)
{
    struct vstring *buf = vstring_alloc(64);
    int rc;

    vstring_sprintf(buf, "%s=%s", name, value);
    rc = record_put(out, REC_ATTR, vstring_str(buf), vstring_len(buf));
    vstring_free(buf);
    return rc;
}

/* notify_text - the -N bits as an RFC 3461 NOTIFY list, "" when unset */
static void notify_text(int bits, struct vstring *out)
{
    vstring_reset(out);
    if (bits & SENDMAIL_NOTIFY_NEVER) {
        vstring_set_str(out, "NEVER");
        return;
    }
    if (bits & SENDMAIL_NOTIFY_SUCCESS)
        vstring_append_str(out, "SUCCESS,");
    if (bits & SENDMAIL_NOTIFY_FAILURE)
        vstring_append_str(out, "FAILURE,");
    if (bits & SENDMAIL_NOTIFY_DELAY)
        vstring_append_str(out, "DELAY,");
    if (vstring_len(out) > 0)
        vstring_truncate(out, vstring_len(out) - 1);
}

/* put_rcpts - every address of every recipient argument */
static int put_rcpts(struct vstream *out, const struct sendmail_args *args,
                     struct vstring *why)
{
    struct vstring *notify = vstring_alloc(32), *rec = vstring_alloc(100);
    struct address_list l;
    struct address a;
    const char *reason;
    size_t i;
    int r, rc = 0;

    notify_text(args->notify, notify);
    for (i = 0; rc == 0 && i < args->rcpt_count; i++) {
        address_list_init(&l, args->recipients[i],
                          strlen(args->recipients[i]));
        while ((r = address_list_next(&l, &a, &reason)) == 1) {
            (void)record_rcpt_encode(rec, a.mailbox, vstring_str(notify), "");
            (void)record_put(out, REC_RCPT, vstring_str(rec), vstring_len(rec));
        }
        if (r < 0) {
            vstring_sprintf(why, "bad recipient address \"%.200s\": %s",
                            args->recipients[i], reason);
            rc = EX_NOUSER;
        }
    }
    vstring_free(notify);
    vstring_free(rec);
    return rc;
}

/* sendmail_envelope - V, A*, S, R* */
int sendmail_envelope(struct vstream *out, const struct sendmail_args *args,
                      const char *sender, struct vstring *why)
{
    (void)record_put_str(out, REC_VERSION, RECORD_VERSION);
    if (args->extract_recipients)
        (void)put_attr(out, MAIL_ATTR_CLEANUP_FLAGS, "1");
    if (args->fullname)
        (void)put_attr(out, MAIL_ATTR_FULLNAME, args->fullname);
    if (args->envid)
        (void)put_attr(out, MAIL_ATTR_ENVID, args->envid);
    if (args->ret != SENDMAIL_RET_DEFAULT)
        (void)put_attr(out, MAIL_ATTR_RET,
                       args->ret == SENDMAIL_RET_FULL ? "FULL" : "HDRS");
    if (args->body != SENDMAIL_BODY_DEFAULT)
        (void)put_attr(out, MAIL_ATTR_BODY_TYPE,
                       args->body == SENDMAIL_BODY_7BIT ? "7BIT" : "8BITMIME");
    if (strlen(sender) > ADDRESS_MAILBOX_MAX ||
        strpbrk(sender, "\r\n") != 0) {
        vstring_sprintf(why, "bad sender address \"%.200s\"", sender);
        return EX_DATAERR;
    }
    (void)record_put_str(out, REC_SENDER, sender);
    return put_rcpts(out, args, why);
}

/* sendmail_content - stdin into M, C*, X, E */
int sendmail_content(struct vstream *in, struct vstream *out, int ignore_dots,
                     struct vstring *why)
{
    struct vstring *line = vstring_alloc(1024), *buf = vstring_alloc(
                                                    SENDMAIL_CHUNK + 1024);
    size_t len;
    int n, rc = 0, mid_line = 0;

    (void)record_put(out, REC_MESSAGE, "", 0);
    while ((n = vstream_get_line(in, line, SENDMAIL_CHUNK)) > 0 ||
           n == VSTREAM_TOO_LONG) {
        len = vstring_len(line);
        if (n > 0 && len > 0 && vstring_str(line)[len - 1] == '\n') {
            len--;
            if (len > 0 && vstring_str(line)[len - 1] == '\r')
                len--;
            if (!ignore_dots && !mid_line && len == 1 &&
                vstring_str(line)[0] == '.')
                break;
            mid_line = 0;
            vstring_append(buf, vstring_str(line), len);
            vstring_append_char(buf, '\n');
        } else {
            /* a piece of a long line, or a last line without LF */
            vstring_append(buf, vstring_str(line), len);
            mid_line = 1;
        }
        if (vstring_len(buf) >= SENDMAIL_CHUNK) {
            (void)record_put(out, REC_CONTENT, vstring_str(buf),
                             vstring_len(buf));
            vstring_reset(buf);
        }
    }
    if (n == VSTREAM_ERR || n == VSTREAM_TIMEOUT) {
        vstring_sprintf(why, "error reading the message from standard input");
        rc = EX_IOERR;
    } else {
        if (vstring_len(buf) > 0)
            (void)record_put(out, REC_CONTENT, vstring_str(buf),
                             vstring_len(buf));
        (void)record_put(out, REC_CONTENT_END, "", 0);
        (void)record_put(out, REC_END, "", 0);
        if (vstream_flush(out) < 0) {
            vstring_sprintf(why, "the gate stopped reading the message");
            rc = EX_TEMPFAIL;
        }
    }
    vstring_free(line);
    vstring_free(buf);
    return rc;
}
