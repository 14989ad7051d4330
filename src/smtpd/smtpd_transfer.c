/*
 * smtpd_transfer.c - message content: DATA (smtpd_data.h) and BDAT
 * (smtpd_bdat.h), and the hand-off to the submission backend. "250 ...
 * queued" is sent only after the backend's commit said SMTPD_BACKEND_OK;
 * every other ending aborts the message. The Received: header is the
 * backend's (cleanup builds it from the envelope: helo, client, protocol).
 */
#include <string.h>

#include "mymalloc.h"
#include "smtpd_data.h"
#include "smtpd_reply.h"
#include "smtpd_session_int.h"
#include "smtpd_tls.h"
#include "vstream.h"
#include "vstring.h"

#define PIECE 4096 /* bytes read and scanned at a time */

/* backend_write - pass content on, remembering a failure */
static void backend_write(struct smtpd_session *s, const char *buf,
                          size_t len)
{
    if (len == 0 || s->write_failed || !s->in_message)
        return;
    if (s->backend->write(s->backend->ctx, buf, len) < 0)
        s->write_failed = 1;
}

/* begin_message - envelope to the backend; SMTPD_BACKEND_* */
static int begin_message(struct smtpd_session *s)
{
    struct smtpd_envelope env;
    int r;

    env.client_addr = s->client->addr;
    env.client_name = s->client->name;
    env.helo = s->helo;
    env.protocol = smtpd_protocol(s);
    env.sender = s->sender;
    env.mail = &s->mail;
    env.nrcpt = s->nrcpt;
    env.rcpt = s->rcpt;
    vstring_reset(s->queue_id);
    vstring_reset(s->why);
    r = s->backend->begin(s->backend->ctx, &env, s->queue_id, s->why);
    if (r != SMTPD_BACKEND_OK)
        return r;
    s->in_message = 1;
    s->write_failed = 0;
    return SMTPD_BACKEND_OK;
}

/* backend_fail_reply - answer a begin/commit that did not succeed; a reason
 * that starts with an enhanced code of the right class keeps its code
 * (mail_proto.h: "4.3.0 queue file write error") */
static void backend_fail_reply(struct smtpd_session *s, int r)
{
    int code = r == SMTPD_BACKEND_REJECT ? 554 : 451;
    const char *dsn = r == SMTPD_BACKEND_REJECT ? "5.7.1" : "4.3.0";
    const char *why = vstring_str(s->why);
    const char *sp = strchr(why, ' ');
    char own[16];

    if (sp != 0 && (size_t)(sp - why) < sizeof(own)) {
        memcpy(own, why, (size_t)(sp - why));
        own[sp - why] = 0;
        if (smtpd_reply_dsn_ok(code, own)) {
            dsn = own;
            why = sp + 1;
        }
    }
    if (*why == 0)
        why = "queue file write error";
    smtpd_reply(s, code >= 500, code, dsn, "Error: %s", why);
}

/* finish_message - reply for the content's errors, or commit */
static void finish_message(struct smtpd_session *s, unsigned errors)
{
    int r;

    if (errors & SMTPD_DATA_TOO_BIG)
        smtpd_reply(s, 1, 552, "5.3.4",
                    "Error: message size exceeds fixed limit");
    else if (errors & (SMTPD_DATA_BARE_LF | SMTPD_DATA_BARE_CR))
        smtpd_reply(s, 1, 550, "5.5.2",
                    "Error: bare <CR> or <LF> in message content; "
                    "lines must end in <CR><LF>");
    else if (errors & SMTPD_DATA_NUL)
        smtpd_reply(s, 1, 550, "5.6.0", "Error: NUL byte in message content");
    else if (s->write_failed)
        smtpd_reply(s, 0, 451, "4.3.0", "Error: queue file write error");
    if (errors != 0 || s->write_failed) {
        smtpd_transaction_reset(s); /* aborts */
        return;
    }
    vstring_reset(s->why);
    s->in_message = 0; /* commit or nothing: no abort after this */
    r = s->backend->commit(s->backend->ctx, s->queue_id, s->why);
    if (r == SMTPD_BACKEND_OK) {
        smtpd_reply(s, 0, 250, "2.0.0", "Ok: queued as %s",
                    vstring_str(s->queue_id));
        if (s->backend->queued)
            s->backend->queued(s->backend->ctx, vstring_str(s->queue_id));
    } else
        backend_fail_reply(s, r);
    smtpd_transaction_reset(s);
}

/* read_failed - the client went away or stopped talking mid-message */
static void read_failed(struct smtpd_session *s, int r)
{
    if (r == VSTREAM_TIMEOUT) {
        vstream_clear_error(s->stream); /* so that the 421 can be sent */
        smtpd_reply(s, 0, 421, "4.4.2", "%s Error: timeout exceeded",
                    s->cfg->myhostname);
        smtpd_session_end(s, SMTPD_SESSION_TIMEOUT);
    } else {
        smtpd_session_end(s, SMTPD_SESSION_EOF);
    }
}

/* smtpd_cmd_data - DATA: 354, content to CR LF . CR LF, then the verdict */
void smtpd_cmd_data(struct smtpd_session *s, const char *args, size_t len)
{
    struct smtpd_data d;
    char out[PIECE + 1];
    size_t n;
    int r;

    (void)args;
    if (len != 0) {
        smtpd_reply(s, 1, 501, "5.5.4", "Syntax: DATA");
        return;
    }
    if ((r = begin_message(s)) != SMTPD_BACKEND_OK) {
        backend_fail_reply(s, r);
        smtpd_transaction_reset(s);
        return;
    }
    smtpd_reply(s, 0, 354, 0, "End data with <CR><LF>.<CR><LF>");
    smtpd_data_init(&d, s->cfg->message_size_limit);
    while (!smtpd_data_done(&d) && s->done == 0) {
        r = vstream_get_line(s->stream, s->line, PIECE);
        if (r == VSTREAM_TOO_LONG)
            r = (int)vstring_len(s->line);
        if (r <= 0) {
            read_failed(s, r);
            break;
        }
        smtpd_data_scan(&d, vstring_str(s->line), vstring_len(s->line), out,
                        &n);
        backend_write(s, out, n);
    }
    if (s->done != 0) {
        smtpd_transaction_reset(s);
        return;
    }
    finish_message(s, d.errors);
}

/* read_chunk - read size bytes of BDAT content; scan and pass them on when
 * keep is set. 0, or -1 when the client went away. */
static int read_chunk(struct smtpd_session *s, unsigned long long size,
                      int keep)
{
    char buf[PIECE];
    size_t want;

    while (size > 0) {
        want = size > PIECE ? PIECE : (size_t)size;
        if (vstream_read(s->stream, buf, want) != want) {
            read_failed(s, vstream_error(s->stream));
            return -1;
        }
        size -= want;
        if (!keep)
            continue;
        smtpd_bdat_scan(&s->bdat, buf, want);
        if (s->bdat.errors == 0)
            backend_write(s, buf, want);
    }
    return 0;
}

/* smtpd_cmd_bdat - BDAT size [LAST] (RFC 3030) */
void smtpd_cmd_bdat(struct smtpd_session *s, const char *args, size_t len)
{
    unsigned long long size;
    int last, r, need_crlf;
    const char *why;
    unsigned errors;

    if (smtpd_bdat_parse(args, len, &size, &last) < 0) {
        /* without a size we cannot find the next command: give up */
        smtpd_reply(s, 1, 501, "5.5.4", "Syntax: BDAT size [LAST]");
        smtpd_session_end(s, SMTPD_SESSION_ERRORS);
        return;
    }
    if ((why = smtpd_state_check(&s->state, SMTPD_VERB_BDAT)) != 0) {
        if (read_chunk(s, size, 0) == 0)
            smtpd_reply(s, 1, 503, "5.5.1", "%s", why);
        return;
    }
    if (!s->in_message) {
        if ((r = begin_message(s)) != SMTPD_BACKEND_OK) {
            if (read_chunk(s, size, 0) == 0)
                backend_fail_reply(s, r);
            smtpd_transaction_reset(s);
            return;
        }
        smtpd_bdat_init(&s->bdat, s->cfg->message_size_limit);
    }
    if (read_chunk(s, size, 1) < 0)
        return; /* the session ends; the reset aborts */
    if (!last && s->bdat.errors == 0 && !s->write_failed) {
        smtpd_state_bdat(&s->state);
        smtpd_reply(s, 0, 250, "2.0.0", "Ok: %llu octets received", size);
        return;
    }
    errors = smtpd_bdat_finish(&s->bdat, &need_crlf);
    if (need_crlf)
        backend_write(s, "\r\n", 2);
    finish_message(s, errors);
}
