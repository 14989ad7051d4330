/*
 * smtp_trans.c - one mail transaction of the SMTP/LMTP client
 * (smtp_proto.h): MAIL, RCPT, DATA with or without pipelining, the content
 * with CR LF line ends and dot-stuffing, and the final reply (one for SMTP,
 * one per accepted recipient for LMTP).
 */
#include <stdio.h>
#include <string.h>

#include "fi_point.h"
#include "mymalloc.h"
#include "smtp_proto.h"
#include "vstream.h"
#include "vstring.h"

/* What the transaction knows while it runs. */
struct trans {
    struct smtp_session *s;
    const struct smtp_message *msg;
    struct smtp_outcome *out;
    char *accepted;   /* per recipient: RCPT got 2xx */
    size_t naccepted;
    int mail_ok;      /* MAIL got 2xx (-1: not yet known) */
    int lost;         /* the connection broke */
};

/* xtext - RFC 3461 xtext of src appended to buf */
static void xtext(struct vstring *buf, const char *src)
{
    for (; *src; src++) {
        unsigned char c = (unsigned char)*src;

        if (c < 33 || c > 126 || c == '+' || c == '=')
            vstring_sprintf_append(buf, "+%02X", c);
        else
            vstring_append_char(buf, (char)c);
    }
}

/* send_mail - MAIL FROM with the parameters the server understands */
static void send_mail(struct trans *t, struct vstring *buf)
{
    const struct smtp_message *m = t->msg;
    unsigned f = t->s->features;

    vstring_sprintf(buf, "MAIL FROM:<%s>", m->sender);
    if (f & SMTP_FEAT_SIZE)
        vstring_sprintf_append(buf, " SIZE=%llu", m->size);
    if ((f & SMTP_FEAT_8BITMIME) && m->eightbit)
        vstring_sprintf_append(buf, " BODY=8BITMIME");
    if ((f & SMTP_FEAT_DSN) && m->ret && *m->ret)
        vstring_sprintf_append(buf, " RET=%s", m->ret);
    if ((f & SMTP_FEAT_DSN) && m->envid && *m->envid) {
        vstring_append_str(buf, " ENVID=");
        xtext(buf, m->envid);
    }
    vstring_append_str(buf, "\r\n");
    vstream_write(t->s->stream, vstring_str(buf), vstring_len(buf));
}

/* send_rcpt - RCPT TO with NOTIFY and ORCPT when the server does DSN */
static void send_rcpt(struct trans *t, size_t i, struct vstring *buf)
{
    const struct smtp_rcpt *r = &t->msg->rcpt[i];
    const char *semi;

    vstring_sprintf(buf, "RCPT TO:<%s>", r->addr);
    if ((t->s->features & SMTP_FEAT_DSN) && r->notify && *r->notify)
        vstring_sprintf_append(buf, " NOTIFY=%s", r->notify);
    if ((t->s->features & SMTP_FEAT_DSN) && r->orcpt && *r->orcpt &&
        (semi = strchr(r->orcpt, ';')) != 0) {
        vstring_sprintf_append(buf, " ORCPT=%.*s;", (int)(semi - r->orcpt),
                               r->orcpt);
        xtext(buf, semi + 1);
    }
    vstring_append_str(buf, "\r\n");
    vstream_write(t->s->stream, vstring_str(buf), vstring_len(buf));
}

/* settle_all - every recipient without an outcome gets o */
static void settle_all(struct trans *t, const struct smtp_outcome *o,
                       int only_accepted)
{
    size_t i;

    for (i = 0; i < t->msg->nrcpt; i++)
        if (t->out[i].action == 0 && (!only_accepted || t->accepted[i]))
            t->out[i] = *o;
}

/* lost - the connection broke while `what`: defer what is unsettled */
static void lost(struct trans *t, const char *what)
{
    struct smtp_outcome o;

    smtp_proto_lost(t->s, &o, what);
    t->lost = 1;
    settle_all(t, &o, 0);
}

/* read_mail - the reply to MAIL; on failure it settles everyone */
static void read_mail(struct trans *t)
{
    struct smtp_outcome o;
    int code = smtp_proto_read_reply(t->s);

    if (code < 0) {
        lost(t, "receiving the MAIL FROM reply");
        return;
    }
    t->mail_ok = code / 100 == 2;
    if (!t->mail_ok) {
        smtp_proto_outcome(t->s, &o, "MAIL FROM command");
        settle_all(t, &o, 0);
    }
}

/* read_rcpt - the reply to RCPT i */
static void read_rcpt(struct trans *t, size_t i)
{
    int code = smtp_proto_read_reply(t->s);

    if (code < 0) {
        lost(t, "receiving the RCPT TO reply");
        return;
    }
    if (code / 100 == 2 && t->mail_ok) {
        t->accepted[i] = 1;
        t->naccepted++;
    } else if (t->out[i].action == 0) {
        smtp_proto_outcome(t->s, &t->out[i], "RCPT TO command");
    }
}

/* envelope - MAIL, RCPT..., DATA; 1 when the server said 354 */
static int envelope(struct trans *t)
{
    struct vstring *buf = vstring_alloc(600);
    int pipe = (t->s->features & SMTP_FEAT_PIPELINING) != 0, code = -1;
    struct smtp_outcome o;
    size_t i;

    send_mail(t, buf);
    if (!pipe)
        read_mail(t);
    for (i = 0; i < t->msg->nrcpt && !t->lost && t->mail_ok != 0; i++) {
        send_rcpt(t, i, buf);
        if (!pipe)
            read_rcpt(t, i);
    }
    if (!t->lost && (pipe || t->naccepted > 0))
        vstream_puts(t->s->stream, "DATA\r\n");
    if (pipe && !t->lost) {
        read_mail(t);
        for (i = 0; i < t->msg->nrcpt && !t->lost; i++)
            read_rcpt(t, i);
    }
    if (!t->lost && (pipe || t->naccepted > 0)) {
        code = smtp_proto_read_reply(t->s);
        if (code < 0)
            lost(t, "receiving the DATA reply");
        else if (code != 354 && t->naccepted > 0) {
            smtp_proto_outcome(t->s, &o, "DATA command");
            settle_all(t, &o, 1);
        }
    }
    vstring_free(buf);
    return code == 354;
}

/* put_lines - one chunk of content: LF as CR LF, a dot doubled at the
 * start of a line; *bol says whether the chunk starts a line */
static void put_lines(struct vstream *st, const char *p, size_t len, int *bol)
{
    const char *end = p + len, *nl;

    while (p < end) {
        if (*bol && *p == '.')
            vstream_write(st, ".", 1);
        if ((nl = memchr(p, '\n', (size_t)(end - p))) == 0) {
            vstream_write(st, p, (size_t)(end - p));
            *bol = 0;
            return;
        }
        vstream_write(st, p, (size_t)(nl - p));
        vstream_write(st, "\r\n", 2);
        p = nl + 1;
        *bol = 1;
    }
}

/* put_content - the message, CR LF and dot-stuffed, then "." */
static int put_content(struct trans *t)
{
    struct vstream *st = t->s->stream;
    struct vstring *chunk = vstring_alloc(8192);
    int bol = 1, r = 0;

    if (t->msg->rewind(t->msg->ctx) < 0)
        r = -1;
    while (r == 0 && (r = t->msg->next_chunk(t->msg->ctx, chunk)) > 0) {
        put_lines(st, vstring_str(chunk), vstring_len(chunk), &bol);
        r = 0;
    }
    vstring_free(chunk);
    if (r < 0)
        return -1;
    FI_POINT("smtp.before_data_end");
    vstream_puts(st, bol ? ".\r\n" : "\r\n.\r\n");
    return vstream_flush(st) < 0 ? -2 : 0;
}

/* final_replies - one reply for SMTP, one per accepted rcpt for LMTP */
static void final_replies(struct trans *t)
{
    struct smtp_outcome o;
    size_t i;

    if (!t->s->lmtp) {
        if (smtp_proto_read_reply(t->s) < 0) {
            lost(t, "sending message body");
            return;
        }
        FI_POINT("smtp.after_data_reply");
        smtp_proto_outcome(t->s, &o, "end of DATA command");
        settle_all(t, &o, 1);
        return;
    }
    for (i = 0; i < t->msg->nrcpt && !t->lost; i++) {
        if (!t->accepted[i])
            continue;
        if (smtp_proto_read_reply(t->s) < 0)
            lost(t, "receiving the LMTP per-recipient replies");
        else
            smtp_proto_outcome(t->s, &t->out[i], "end of DATA command");
    }
}

/* precheck - refuse locally what the server cannot take; 1 if refused */
static int precheck(struct trans *t)
{
    struct smtp_outcome o;
    char reason[600];

    if (t->msg->eightbit && !(t->s->features & SMTP_FEAT_8BITMIME)) {
        snprintf(reason, sizeof(reason),
                 "host %s does not support 8BITMIME and the message has "
                 "8-bit content (not converted)", t->s->peer);
        smtp_outcome_set(&o, "5.6.3", reason);
    } else if (t->s->size_limit > 0 && t->msg->size > t->s->size_limit) {
        snprintf(reason, sizeof(reason),
                 "message size %llu exceeds the limit %llu of host %s",
                 t->msg->size, t->s->size_limit, t->s->peer);
        smtp_outcome_set(&o, "5.3.4", reason);
    } else {
        return 0;
    }
    settle_all(t, &o, 0);
    return 1;
}

/* content - after the 354: the content, "." and the final replies, which
 * end the transaction */
static void content(struct trans *t)
{
    struct smtp_outcome o;
    int r = put_content(t);

    if (r == -1) {
        smtp_outcome_set(&o, "4.3.0", "cannot read the queued message");
        settle_all(t, &o, 0);
        t->s->broken = 1; /* the server holds a half message */
    } else if (r == -2) {
        lost(t, "sending message body");
    } else if (t->naccepted > 0) {
        final_replies(t);
        t->s->dirty = t->lost;
    } else if (smtp_proto_read_reply(t->s) >= 0) { /* "." after 354 */
        t->s->dirty = 0;
    }
}

/* smtp_proto_deliver - one message, every recipient settled */
void smtp_proto_deliver(struct smtp_session *s, const struct smtp_message *msg,
                        struct smtp_outcome *out)
{
    struct trans t;
    struct smtp_outcome o;
    size_t i;

    memset(&t, 0, sizeof(t));
    t.s = s;
    t.msg = msg;
    t.out = out;
    t.mail_ok = -1;
    t.accepted = mymalloc(msg->nrcpt + 1);
    memset(t.accepted, 0, msg->nrcpt + 1);
    for (i = 0; i < msg->nrcpt; i++)
        out[i].action = 0;
    if (precheck(&t) == 0) {
        s->dirty = 1; /* MAIL goes out: a transaction is open */
        if (envelope(&t))
            content(&t);
    }
    if (t.lost)
        s->broken = 1;
    smtp_outcome_set(&o, "4.3.0", "no outcome (internal error)");
    settle_all(&t, &o, 0);
    myfree(t.accepted);
}
