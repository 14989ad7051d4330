/*
 * smtp_proto.c - session-level client steps (smtp_proto.h): reading
 * replies, greeting, EHLO/LHLO and the extensions it announces, STARTTLS,
 * RSET and QUIT, and how replies become per-recipient outcomes. The mail
 * transaction itself is in smtp_trans.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "smtp_proto.h"
#include "smtp_tls.h"
#include "vstream.h"
#include "vstring.h"

/* smtp_session_init - a session over a connected descriptor */
void smtp_session_init(struct smtp_session *s, int fd, int lmtp, int timeout,
                       const char *peer)
{
    memset(s, 0, sizeof(*s));
    s->stream = vstream_fdopen(fd, VSTREAM_RW);
    s->lmtp = lmtp;
    s->timeout = timeout;
    vstream_set_timeout(s->stream, timeout);
    snprintf(s->peer, sizeof(s->peer), "%s", peer);
    s->line = vstring_alloc(SMTP_REPLY_LINE_MAX + 2);
    smtp_reply_init(&s->reply);
}

/* smtp_session_close - QUIT when healthy, then close */
void smtp_session_close(struct smtp_session *s)
{
    if (s->stream == 0)
        return;
    if (!s->broken && vstream_puts(s->stream, "QUIT\r\n") == 0 &&
        vstream_flush(s->stream) == 0)
        (void)smtp_proto_read_reply(s);
    if (s->tls)
        smtp_tls_stop(s->tls, s->stream);
    s->tls = 0;
    vstream_close(s->stream);
    s->stream = 0;
    vstring_free(s->line);
    s->line = 0;
}

/* smtp_proto_read_reply - one complete reply, lines bounded */
int smtp_proto_read_reply(struct smtp_session *s)
{
    int r, fed = SMTP_REPLY_MORE;
    size_t len;
    const char *p;

    smtp_reply_init(&s->reply);
    if (vstream_flush(s->stream) < 0)
        goto broken;
    while (fed == SMTP_REPLY_MORE) {
        r = vstream_get_line(s->stream, s->line, SMTP_REPLY_LINE_MAX);
        if (r == VSTREAM_TOO_LONG) {
            if (vstream_skip_line(s->stream) != 0)
                goto broken;
        } else if (r <= 0) {
            goto broken;
        }
        p = vstring_str(s->line);
        len = vstring_len(s->line);
        if (len > 0 && p[len - 1] == '\n')
            len--;
        if (len > 0 && p[len - 1] == '\r')
            len--;
        fed = smtp_reply_feed(&s->reply, p, len);
    }
    if (fed == SMTP_REPLY_BAD)
        goto broken;
    s->replies++;
    return s->reply.code;
broken:
    s->broken = 1;
    return -1;
}

/* smtp_outcome_set - a local decision */
void smtp_outcome_set(struct smtp_outcome *o, const char *status,
                      const char *reason)
{
    snprintf(o->status, sizeof(o->status), "%s", status);
    o->action = status[0] == '2' ? "relayed"
                : status[0] == '4' ? "deferred" : "failed";
    snprintf(o->reason, sizeof(o->reason), "%s", reason);
}

/* smtp_outcome_reason - a formatted reason, cut to fit */
void smtp_outcome_reason(struct smtp_outcome *o, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(o->reason, sizeof(o->reason), fmt, ap);
    va_end(ap);
}

/* smtp_proto_outcome - the server's reply as an outcome */
void smtp_proto_outcome(const struct smtp_session *s, struct smtp_outcome *o,
                        const char *what)
{
    const struct smtp_reply *r = &s->reply;
    int cls = r->code / 100;
    char text[SMTP_REPLY_TEXT_MAX + 1];
    size_t i;

    for (i = 0; i <= r->len; i++)
        text[i] = r->text[i] == '\n' ? ' ' : r->text[i];
    if (r->dsn[0])
        snprintf(o->status, sizeof(o->status), "%s", r->dsn);
    else
        snprintf(o->status, sizeof(o->status), "%d.0.0", cls);
    o->action = cls == 2 ? (s->lmtp ? "delivered" : "relayed")
                : cls == 4 ? "deferred" : "failed";
    smtp_outcome_reason(o, "host %s said: %d %s (in reply to %s)", s->peer,
                        r->code, text, what);
}

/* smtp_proto_lost - the connection broke: defer */
void smtp_proto_lost(const struct smtp_session *s, struct smtp_outcome *o,
                     const char *what)
{
    char reason[SMTP_OUTCOME_REASON_MAX + 1];
    int timeout = s->stream && vstream_error(s->stream) == VSTREAM_TIMEOUT;

    if (s->reply.state == SMTP_REPLY_BAD && s->reply.lines > 0)
        snprintf(reason, sizeof(reason),
                 "protocol error: malformed reply from %s while %s", s->peer,
                 what);
    else
        snprintf(reason, sizeof(reason), "%s with %s while %s",
                 timeout ? "conversation timed out" : "lost connection",
                 s->peer, what);
    smtp_outcome_set(o, "4.4.2", reason);
}

/* parse_ehlo - the extensions of a 250 EHLO/LHLO reply */
static void parse_ehlo(struct smtp_session *s)
{
    char *text = s->reply.text, *line, *save = 0, *arg;

    s->features = SMTP_FEAT_ESMTP;
    s->size_limit = 0;
    /* the first line is the server's name: skip it */
    line = strtok_r(text, "\n", &save);
    while ((line = strtok_r(0, "\n", &save)) != 0) {
        arg = line + strcspn(line, " =");
        if (strncasecmp(line, "PIPELINING", 10) == 0 && arg == line + 10)
            s->features |= SMTP_FEAT_PIPELINING;
        else if (strncasecmp(line, "SIZE", 4) == 0 && arg == line + 4) {
            s->features |= SMTP_FEAT_SIZE;
            if (*arg)
                s->size_limit = strtoull(arg + 1, 0, 10);
        } else if (strcasecmp(line, "8BITMIME") == 0)
            s->features |= SMTP_FEAT_8BITMIME;
        else if (strcasecmp(line, "STARTTLS") == 0)
            s->features |= SMTP_FEAT_STARTTLS;
        else if (strcasecmp(line, "DSN") == 0)
            s->features |= SMTP_FEAT_DSN;
        else if (strcasecmp(line, "SMTPUTF8") == 0)
            s->features |= SMTP_FEAT_SMTPUTF8;
    }
}

/* session_fail - a greeting-stage failure as a class and reason */
static int session_fail(struct smtp_session *s, const char *what,
                        struct vstring *why)
{
    struct smtp_outcome o;

    if (s->reply.state == SMTP_REPLY_DONE && s->reply.code >= 400)
        smtp_proto_outcome(s, &o, what);
    else
        smtp_proto_lost(s, &o, what);
    vstring_sprintf(why, "%s %s", o.status, o.reason);
    return o.status[0] == '5' ? 5 : 4;
}

/* ehlo - EHLO or LHLO; HELO when EHLO is refused (SMTP only) */
static int ehlo(struct smtp_session *s, const char *helo_name,
                struct vstring *why)
{
    int code;

    vstream_printf(s->stream, "%s %s\r\n", s->lmtp ? "LHLO" : "EHLO",
                   helo_name);
    if ((code = smtp_proto_read_reply(s)) == 250) {
        parse_ehlo(s);
        return 0;
    }
    if (code < 0 || s->lmtp || code / 100 != 5)
        return session_fail(s, s->lmtp ? "LHLO command" : "EHLO command",
                            why);
    s->features = 0;
    vstream_printf(s->stream, "HELO %s\r\n", helo_name);
    if (smtp_proto_read_reply(s) != 250)
        return session_fail(s, "HELO command", why);
    return 0;
}

/* smtp_proto_greet - 220, then EHLO/LHLO */
int smtp_proto_greet(struct smtp_session *s, const char *helo_name,
                     struct vstring *why)
{
    if (smtp_proto_read_reply(s) != 220)
        return session_fail(s, "initial server greeting", why);
    return ehlo(s, helo_name, why);
}

/* smtp_proto_starttls - STARTTLS, the handshake, EHLO again */
int smtp_proto_starttls(struct smtp_session *s, struct smtp_tls_client *tls,
                        const char *sni_host, const char *verify_host,
                        const char *helo_name, struct vstring *why)
{
    vstream_puts(s->stream, "STARTTLS\r\n");
    if (smtp_proto_read_reply(s) != 220)
        return session_fail(s, "STARTTLS command", why);
    /* anything the server sent after its 220 is an injection: drop it */
    vstream_discard_input(s->stream);
    s->tls = smtp_tls_start(tls, s->stream, s->timeout, sni_host, verify_host,
                            why);
    if (s->tls == 0) {
        char detail[400];

        snprintf(detail, sizeof(detail), "%s", vstring_str(why));
        s->broken = 1;
        vstring_sprintf(why, "4.7.5 TLS with %s failed: %s", s->peer, detail);
        return 4;
    }
    return ehlo(s, helo_name, why);
}

/* rset - RSET answered 250, else the session is broken */
static int rset(struct smtp_session *s)
{
    vstream_puts(s->stream, "RSET\r\n");
    if (smtp_proto_read_reply(s) != 250) {
        s->broken = 1;
        return -1;
    }
    s->dirty = 0;
    return 0;
}

/* smtp_proto_rset - end the transaction; 0 when the session is reusable */
int smtp_proto_rset(struct smtp_session *s)
{
    if (s->broken)
        return -1;
    return s->dirty ? rset(s) : 0;
}

/* smtp_proto_idle_ok - may an idle session carry the next transaction? */
int smtp_proto_idle_ok(struct smtp_session *s)
{
    char byte;

    if (s->broken)
        return -1;
    if (s->tls)
        return rset(s);
    if (vstream_pending(s->stream) > 0 ||
        recv(vstream_fd(s->stream), &byte, 1, MSG_PEEK | MSG_DONTWAIT) >= 0 ||
        (errno != EAGAIN && errno != EWOULDBLOCK)) {
        s->broken = 1; /* closed, reset, or a reply nobody asked for */
        return -1;
    }
    return 0;
}
