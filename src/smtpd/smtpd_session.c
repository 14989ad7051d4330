/*
 * smtpd_session.c - the session loop: greeting, reading one bounded command
 * line at a time, refusing malformed lines, checking the state machine and
 * dispatching through a table of handlers (smtpd_session.h).
 *
 * The handlers live in smtpd_commands.c (envelope and session commands) and
 * smtpd_transfer.c (DATA and BDAT).
 */
#include <stdarg.h>
#include <string.h>

#include "msg.h"
#include "mymalloc.h"
#include "smtpd_reply.h"
#include "smtpd_session_int.h"
#include "smtpd_tls.h"
#include "vstream.h"
#include "vstring.h"

/* The dispatch table: one handler per verb (smtpd_cmd.h). */
static const smtpd_handler_fn handlers[SMTPD_VERB_COUNT] = {
    [SMTPD_VERB_EHLO] = smtpd_cmd_ehlo,
    [SMTPD_VERB_HELO] = smtpd_cmd_helo,
    [SMTPD_VERB_MAIL] = smtpd_cmd_mail,
    [SMTPD_VERB_RCPT] = smtpd_cmd_rcpt,
    [SMTPD_VERB_DATA] = smtpd_cmd_data,
    [SMTPD_VERB_BDAT] = smtpd_cmd_bdat,
    [SMTPD_VERB_RSET] = smtpd_cmd_rset,
    [SMTPD_VERB_NOOP] = smtpd_cmd_noop,
    [SMTPD_VERB_QUIT] = smtpd_cmd_quit,
    [SMTPD_VERB_VRFY] = smtpd_cmd_vrfy,
    [SMTPD_VERB_EXPN] = smtpd_cmd_expn,
    [SMTPD_VERB_HELP] = smtpd_cmd_help,
    [SMTPD_VERB_STARTTLS] = smtpd_cmd_starttls,
};

/* smtpd_config_defaults - conservative limits for every setting */
void smtpd_config_defaults(struct smtpd_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->myhostname = "localhost";
    cfg->line_limit = 2048;
    cfg->message_size_limit = 10240000;
    cfg->rcpt_limit = 1000;
    cfg->error_limit = 20;
    cfg->timeout = 300;
}

/* smtpd_session_end - remember why the session ends (first reason wins) */
void smtpd_session_end(struct smtpd_session *s, int how)
{
    if (s->done == 0)
        s->done = how + 1;
}

/* smtpd_protocol - SMTP, ESMTP or ESMTPS, as RFC 3848 names them */
const char *smtpd_protocol(const struct smtpd_session *s)
{
    if (!s->state.esmtp)
        return "SMTP";
    return s->state.tls ? "ESMTPS" : "ESMTP";
}

/* send_reply - write the built reply; flush when no input waits */
static void send_reply(struct smtpd_session *s)
{
    if (vstream_write(s->stream, vstring_str(s->reply),
                      vstring_len(s->reply)) < 0)
        smtpd_session_end(s, SMTPD_SESSION_IO);
    vstring_reset(s->reply);
    if (vstream_pending(s->stream) == 0 && vstream_flush(s->stream) < 0)
        smtpd_session_end(s, SMTPD_SESSION_IO);
}

/* smtpd_reply_more - one continuation line ("250-...") */
void smtpd_reply_more(struct smtpd_session *s, int code, const char *text)
{
    smtpd_reply_line(s->reply, code, 1, 0, text);
}

/* smtpd_reply - one (last) reply line; count hard errors */
void smtpd_reply(struct smtpd_session *s, int error, int code,
                 const char *dsn, const char *fmt, ...)
{
    va_list ap;

    vstring_reset(s->text);
    if (strchr(fmt, '%') == 0) {
        /* most replies are constant: no trip through vsnprintf */
        vstring_append_str(s->text, fmt);
    } else {
        va_start(ap, fmt);
        vstring_vsprintf_append(s->text, fmt, ap);
        va_end(ap);
    }
    smtpd_reply_line(s->reply, code, 0, dsn, vstring_str(s->text));
    if (error && smtpd_state_error(&s->state)) {
        smtpd_reply_line(s->reply, 421, 0, "4.7.0",
                         "Error: too many errors, closing connection");
        smtpd_session_end(s, SMTPD_SESSION_ERRORS);
    }
    send_reply(s);
}

/* smtpd_transaction_reset - forget sender, recipients, message */
void smtpd_transaction_reset(struct smtpd_session *s)
{
    size_t i;

    if (s->in_message && s->backend->abort)
        s->backend->abort(s->backend->ctx);
    s->in_message = 0;
    s->write_failed = 0;
    for (i = 0; i < s->nrcpt; i++)
        myfree(s->rcpt[i].addr);
    myfree(s->rcpt);
    s->rcpt = 0;
    s->nrcpt = 0;
    myfree(s->sender);
    s->sender = 0;
    memset(&s->mail, 0, sizeof(s->mail));
    smtpd_state_reset(&s->state);
}

/* bad_line - why a command line is refused, or 0 */
static const char *bad_line(enum smtpd_line_status st)
{
    switch (st) {
    case SMTPD_LINE_BARE_LF:
        return "Error: bare <LF> received, lines must end in <CR><LF>";
    case SMTPD_LINE_BARE_CR:
        return "Error: bare <CR> received";
    case SMTPD_LINE_NUL:
        return "Error: NUL byte in command";
    default:
        return 0;
    }
}

/* read_command - read and check one line; 1 when s->line holds a command */
static int read_command(struct smtpd_session *s, size_t *textlen)
{
    int r = vstream_get_line(s->stream, s->line, s->cfg->line_limit);
    enum smtpd_line_status st;

    if (r == VSTREAM_TOO_LONG) {
        if (vstream_skip_line(s->stream) != 0) {
            smtpd_session_end(s, SMTPD_SESSION_EOF);
            return 0;
        }
        smtpd_reply(s, 1, 500, "5.5.2", "Error: line too long");
        return 0;
    }
    if (r == VSTREAM_TIMEOUT) {
        vstream_clear_error(s->stream); /* so that the 421 can be sent */
        smtpd_reply(s, 0, 421, "4.4.2", "%s Error: timeout exceeded",
                    s->cfg->myhostname);
        smtpd_session_end(s, SMTPD_SESSION_TIMEOUT);
        return 0;
    }
    if (r < 0) {
        smtpd_session_end(s, r == VSTREAM_EOF ? SMTPD_SESSION_EOF
                                              : SMTPD_SESSION_IO);
        return 0;
    }
    st = smtpd_cmd_check_line(vstring_str(s->line), vstring_len(s->line),
                              textlen);
    if (st == SMTPD_LINE_NO_EOL) {
        smtpd_session_end(s, SMTPD_SESSION_EOF);
        return 0;
    }
    if (st != SMTPD_LINE_OK) {
        smtpd_reply(s, 1, 500, "5.5.2", "%s", bad_line(st));
        return 0;
    }
    return 1;
}

/* handle_command - split, check the phase, dispatch */
static void handle_command(struct smtpd_session *s, size_t textlen)
{
    struct smtpd_cmd cmd;
    const char *text = vstring_str(s->line);
    const char *why;

    smtpd_cmd_split(text, textlen, &cmd);
    if (cmd.verb == SMTPD_VERB_UNKNOWN || handlers[cmd.verb] == 0) {
        smtpd_reply(s, 1, 500, "5.5.1", "Error: command not recognized");
        return;
    }
    /* BDAT checks the phase itself: it must consume its chunk first. */
    why = smtpd_state_check(&s->state, cmd.verb);
    if (why != 0 && cmd.verb != SMTPD_VERB_BDAT) {
        smtpd_reply(s, 1, 503, "5.5.1", "%s", why);
        return;
    }
    handlers[cmd.verb](s, text + cmd.args_off, cmd.args_len);
}

/* smtpd_session_run - serve one client until QUIT, EOF or a limit */
int smtpd_session_run(struct vstream *stream, const struct smtpd_config *cfg,
                      const struct smtpd_client *client,
                      const struct smtpd_backend *backend)
{
    struct smtpd_session s;
    size_t textlen;

    memset(&s, 0, sizeof(s));
    s.stream = stream;
    s.cfg = cfg;
    s.client = client;
    s.backend = backend;
    s.line = vstring_alloc(cfg->line_limit + 1);
    s.reply = vstring_alloc(512);
    s.text = vstring_alloc(512);
    s.why = vstring_alloc(100);
    s.queue_id = vstring_alloc(32);
    s.trusted = cfg->mynetworks != 0 &&
                smtpd_netlist_match(cfg->mynetworks, client->addr);
    smtpd_state_init(&s.state, cfg->rcpt_limit, cfg->error_limit);
    vstream_set_timeout(stream, cfg->timeout);
    vstring_sprintf(s.text, "%s ESMTP Sluice", cfg->myhostname);
    smtpd_reply_line(s.reply, 220, 0, 0, vstring_str(s.text));
    send_reply(&s);
    while (s.done == 0) {
        if (read_command(&s, &textlen))
            handle_command(&s, textlen);
    }
    vstream_flush(stream);
    smtpd_transaction_reset(&s);
    if (s.tls)
        smtpd_tls_stop(s.tls, stream);
    vstring_free(s.line);
    vstring_free(s.reply);
    vstring_free(s.text);
    vstring_free(s.why);
    vstring_free(s.queue_id);
    return s.done - 1;
}
