/*
 * local_copy.c - writing one copy of a message for local delivery: the
 * Return-Path and Delivered-To lines, then the content streamed from the
 * queue file; in mbox form also the From_ line, ">From " escaping and the
 * blank line that ends a message. Also the mail-loop check (a Delivered-To
 * for this recipient already in the header) and the reason helpers.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "msg.h"
#include "vstream.h"
#include "vstring.h"

#include "queue_file.h"

#include "local.h"

#define HEADER_SCAN_MAX (1024 * 1024) /* header bytes the loop check reads */
#define LINE_HOLD 8192                /* partial line kept for escaping */

/* local_errno_reason - an RFC 3463 reason for a failed system call */
void local_errno_reason(struct vstring *why, const char *what,
                        const char *path, int err)
{
    const char *code = err == EACCES || err == EPERM ? "4.2.0"
                       : err == ENOSPC || err == EDQUOT ? "4.2.2"
                                                       : "4.3.0";

    vstring_sprintf(why, "%s cannot %s %s: %s", code, what, path,
                    strerror(err));
}

/* local_status_class - 2, 4 or 5 from the reason's first byte */
int local_status_class(const struct vstring *why)
{
    char c = vstring_len(why) ? vstring_str(why)[0] : '4';

    return c == '2' ? 2 : c == '5' ? 5 : 4;
}

struct copy {
    struct vstream *out;
    int mbox;
    int at_bol;   /* the next byte starts a line */
    int decided;  /* the current line's escape was already written */
    struct vstring *line;
    char last;
};

/* emit_line - write the held part of a line, escaped once when needed */
static void emit_line(struct copy *c)
{
    const char *s = vstring_str(c->line);
    size_t n = vstring_len(c->line);

    if (n == 0)
        return;
    if (c->mbox && !c->decided && n >= 5 && strncmp(s, "From ", 5) == 0)
        vstream_write(c->out, ">", 1);
    vstream_write(c->out, s, n);
    c->last = s[n - 1];
    vstring_reset(c->line);
}

/* copy_chunk - feed content bytes through the line state */
static void copy_chunk(struct copy *c, const char *s, size_t n)
{
    const char *nl;
    size_t take;

    while (n > 0) {
        nl = memchr(s, '\n', n);
        take = nl ? (size_t)(nl - s) + 1 : n;
        vstring_append(c->line, s, take);
        if (nl) {
            emit_line(c);
            c->decided = 0;
        } else if (vstring_len(c->line) >= LINE_HOLD) {
            emit_line(c);
            c->decided = 1; /* the rest of this line is not a line start */
        }
        s += take;
        n -= take;
    }
}

/* copy_content - stream every content chunk of the message */
static int copy_content(struct local_msg *msg, struct copy *c,
                        struct vstring *why)
{
    struct vstring *chunk = vstring_alloc(8192);
    int r;

    if (queue_message_rewind(msg->qm) < 0) {
        vstring_sprintf(why, "4.3.0 cannot seek in queue file %s",
                        msg->queue_id);
        vstring_free(chunk);
        return -1;
    }
    while ((r = queue_message_next_chunk(msg->qm, chunk)) == 1)
        copy_chunk(c, vstring_str(chunk), vstring_len(chunk));
    vstring_free(chunk);
    if (r < 0) {
        vstring_sprintf(why, "4.3.0 cannot read queue file %s",
                        msg->queue_id);
        return -1;
    }
    emit_line(c);
    return 0;
}

/* local_copy - one copy of the message onto fd (left open) */
int local_copy(struct local_msg *msg, int fd, const char *rcpt, int flags,
               struct vstring *why)
{
    struct copy c;
    time_t now = time(0);
    char date[64];
    int ret = -1;

    memset(&c, 0, sizeof(c));
    c.out = vstream_fdopen(fd, VSTREAM_WRITE);
    c.mbox = (flags & LOCAL_COPY_MBOX) != 0;
    c.line = vstring_alloc(256);
    c.last = '\n';
    if (c.mbox) {
        ctime_r(&now, date); /* "Thu Nov 14 22:13:00 2024\n" */
        vstream_printf(c.out, "From %s %s",
                       *msg->sender ? msg->sender : "MAILER-DAEMON", date);
    }
    vstream_printf(c.out, "Return-Path: <%s>\nDelivered-To: %s\n",
                   msg->sender, rcpt);
    if (copy_content(msg, &c, why) < 0)
        goto out;
    if (c.last != '\n')
        vstream_write(c.out, "\n", 1);
    if (c.mbox)
        vstream_write(c.out, "\n", 1);
    if (vstream_flush(c.out) < 0) {
        local_errno_reason(why, "write", "mailbox",
                           vstream_errno(c.out) ? vstream_errno(c.out) : EIO);
        goto out;
    }
    ret = 0;
out:
    vstream_release(c.out);
    vstring_free(c.line);
    return ret;
}

/* header_has - is there a "Delivered-To: rcpt" among these header lines */
static int header_has(const char *hdr, size_t len, const char *rcpt)
{
    static const char name[] = "delivered-to:";
    size_t nlen = sizeof(name) - 1, rlen = strlen(rcpt);
    const char *p = hdr, *end = hdr + len, *eol, *v;

    for (; p < end; p = eol + 1) {
        if ((eol = memchr(p, '\n', (size_t)(end - p))) == 0)
            eol = end;
        if ((size_t)(eol - p) <= nlen || strncasecmp(p, name, nlen) != 0)
            continue;
        for (v = p + nlen; v < eol && (*v == ' ' || *v == '\t'); v++)
            ;
        if ((size_t)(eol - v) >= rlen && strncasecmp(v, rcpt, rlen) == 0) {
            for (v += rlen; v < eol && (*v == ' ' || *v == '\t'); v++)
                ;
            if (v == eol)
                return 1;
        }
    }
    return 0;
}

/* local_has_delivered_to - 1 when the header names rcpt, 0 not, -1 error */
int local_has_delivered_to(struct local_msg *msg, const char *rcpt,
                           struct vstring *why)
{
    struct vstring *hdr = vstring_alloc(4096), *chunk = vstring_alloc(4096);
    const char *end;
    int r, found = -1;

    if (queue_message_rewind(msg->qm) < 0)
        goto fail;
    while ((r = queue_message_next_chunk(msg->qm, chunk)) == 1) {
        vstring_append(hdr, vstring_str(chunk), vstring_len(chunk));
        if ((end = strstr(vstring_str(hdr), "\n\n")) != 0) {
            vstring_truncate(hdr, (size_t)(end - vstring_str(hdr)) + 1);
            break;
        }
        if (vstring_len(hdr) > HEADER_SCAN_MAX)
            break;
    }
    if (r < 0)
        goto fail;
    found = header_has(vstring_str(hdr), vstring_len(hdr), rcpt);
    goto out;
fail:
    vstring_sprintf(why, "4.3.0 cannot read queue file %s", msg->queue_id);
out:
    vstring_free(hdr);
    vstring_free(chunk);
    return found;
}
