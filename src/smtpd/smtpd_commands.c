/*
 * smtpd_commands.c - the handlers of the session and envelope commands:
 * EHLO, HELO, MAIL, RCPT, RSET, NOOP, QUIT, VRFY, EXPN, HELP, STARTTLS.
 * The phase has been checked already (smtpd_session.c); each handler checks
 * its arguments, answers, and moves the state machine on.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "msg.h"
#include "mymalloc.h"
#include "smtpd_relay.h"
#include "smtpd_session_int.h"
#include "smtpd_tls.h"
#include "vstream.h"
#include "vstring.h"

/* helo_name_ok - 1..255 printable ASCII bytes, no spaces */
static int helo_name_ok(const char *args, size_t len)
{
    size_t i;

    if (len == 0 || len > 255)
        return 0;
    for (i = 0; i < len; i++)
        if ((unsigned char)args[i] < 0x21 || (unsigned char)args[i] > 0x7e)
            return 0;
    return 1;
}

/* greet - common part of EHLO and HELO; 0 when the name is refused */
static int greet(struct smtpd_session *s, const char *args, size_t len,
                 const char *verb)
{
    if (!helo_name_ok(args, len)) {
        smtpd_reply(s, 1, 501, "5.5.4", "Syntax: %s hostname", verb);
        return 0;
    }
    smtpd_transaction_reset(s);
    memcpy(s->helo, args, len);
    s->helo[len] = 0;
    return 1;
}

/* smtpd_cmd_ehlo - EHLO: greeting plus the extensions we offer */
void smtpd_cmd_ehlo(struct smtpd_session *s, const char *args, size_t len)
{
    char size[64];

    if (!greet(s, args, len, "EHLO"))
        return;
    smtpd_state_helo(&s->state, 1);
    smtpd_reply_more(s, 250, s->cfg->myhostname);
    smtpd_reply_more(s, 250, "PIPELINING");
    if (s->cfg->message_size_limit)
        snprintf(size, sizeof(size), "SIZE %llu", s->cfg->message_size_limit);
    else
        snprintf(size, sizeof(size), "SIZE");
    smtpd_reply_more(s, 250, size);
    if (s->cfg->vrfy_enable)
        smtpd_reply_more(s, 250, "VRFY");
    smtpd_reply_more(s, 250, "8BITMIME");
    smtpd_reply_more(s, 250, "ENHANCEDSTATUSCODES");
    smtpd_reply_more(s, 250, "DSN");
    smtpd_reply_more(s, 250, "SMTPUTF8");
    if (s->cfg->tls && !s->state.tls)
        smtpd_reply_more(s, 250, "STARTTLS");
    smtpd_reply(s, 0, 250, 0, "CHUNKING");
}

/* smtpd_cmd_helo - HELO: no extensions, no ESMTP parameters */
void smtpd_cmd_helo(struct smtpd_session *s, const char *args, size_t len)
{
    if (!greet(s, args, len, "HELO"))
        return;
    smtpd_state_helo(&s->state, 0);
    smtpd_reply(s, 0, 250, 0, "%s", s->cfg->myhostname);
}

/* skip_prefix - "FROM:"/"TO:" (any case), then optional spaces */
static int skip_prefix(const char **args, size_t *len, const char *prefix)
{
    size_t n = strlen(prefix);

    if (*len < n || strncasecmp(*args, prefix, n) != 0)
        return -1;
    *args += n;
    *len -= n;
    while (*len > 0 && **args == ' ')
        (*args)++, (*len)--;
    return 0;
}

/* path_reply - answer a path error from smtpd_path_parse */
static void path_reply(struct smtpd_session *s, int err, const char *why,
                       const char *syntax_dsn)
{
    if (err == SMTPD_PATH_ERR_UTF8)
        smtpd_reply(s, 1, 553, "5.6.7", "Error: %s", why);
    else if (err == SMTPD_PATH_ERR_LENGTH)
        smtpd_reply(s, 1, 501, "5.5.2", "Error: %s", why);
    else
        smtpd_reply(s, 1, 501, syntax_dsn, "Error: %s", why);
}

/* params_reply - answer a parameter error from smtpd_params_* */
static void params_reply(struct smtpd_session *s, int err, const char *why)
{
    smtpd_reply(s, 1, err == SMTPD_PARAM_UNKNOWN ? 555 : 501, "5.5.4",
                "Error: %s", why);
}

/* smtpd_cmd_mail - MAIL FROM:<path> [params] */
void smtpd_cmd_mail(struct smtpd_session *s, const char *args, size_t len)
{
    struct smtpd_path path;
    size_t used;
    const char *why;
    int r;

    if (skip_prefix(&args, &len, "FROM:") < 0) {
        smtpd_reply(s, 1, 501, "5.5.4", "Syntax: MAIL FROM:<address>");
        return;
    }
    r = smtpd_path_parse(args, len,
                         SMTPD_PATH_ALLOW_NULL | SMTPD_PATH_ALLOW_UTF8, &path,
                         &used, &why);
    if (r != SMTPD_PATH_OK) {
        path_reply(s, r, why, "5.1.7");
        return;
    }
    if (used < len && args[used] != ' ') {
        smtpd_reply(s, 1, 501, "5.5.4", "Syntax: MAIL FROM:<address>");
        return;
    }
    if (!s->state.esmtp && used < len) {
        smtpd_reply(s, 1, 555, "5.5.4", "Error: parameters need EHLO");
        return;
    }
    if ((r = smtpd_params_mail(args + used, len - used, &s->mail, &why)) !=
        SMTPD_PARAM_OK) {
        params_reply(s, r, why);
        return;
    }
    if ((path.flags & SMTPD_PATH_UTF8) && !s->mail.smtputf8) {
        smtpd_reply(s, 1, 553, "5.6.7", "Error: address needs SMTPUTF8");
        return;
    }
    if (s->mail.has_size && s->cfg->message_size_limit &&
        s->mail.size > s->cfg->message_size_limit) {
        smtpd_reply(s, 1, 552, "5.3.4",
                    "Error: message size exceeds fixed limit");
        return;
    }
    s->sender = mystrdup(path.addr);
    smtpd_state_mail(&s->state);
    smtpd_reply(s, 0, 250, "2.1.0", "Ok");
}

/* add_rcpt - append one recipient to the transaction */
static void add_rcpt(struct smtpd_session *s, const struct smtpd_path *path,
                     const struct smtpd_rcpt_params *params)
{
    s->rcpt = myrealloc(s->rcpt, (s->nrcpt + 1) * sizeof(*s->rcpt));
    s->rcpt[s->nrcpt].addr = mystrdup(path->addr);
    s->rcpt[s->nrcpt].params = *params;
    s->nrcpt++;
}

/* smtpd_cmd_rcpt - RCPT TO:<path> [params] */
void smtpd_cmd_rcpt(struct smtpd_session *s, const char *args, size_t len)
{
    struct smtpd_path path;
    struct smtpd_rcpt_params params;
    size_t used;
    const char *why;
    int r;

    if (skip_prefix(&args, &len, "TO:") < 0) {
        smtpd_reply(s, 1, 501, "5.5.4", "Syntax: RCPT TO:<address>");
        return;
    }
    r = smtpd_path_parse(args, len,
                         SMTPD_PATH_ALLOW_POSTMASTER |
                             (s->mail.smtputf8 ? SMTPD_PATH_ALLOW_UTF8 : 0),
                         &path, &used, &why);
    if (r != SMTPD_PATH_OK) {
        path_reply(s, r, why, "5.1.3");
        return;
    }
    if (used < len && args[used] != ' ') {
        smtpd_reply(s, 1, 501, "5.5.4", "Syntax: RCPT TO:<address>");
        return;
    }
    if (!s->state.esmtp && used < len) {
        smtpd_reply(s, 1, 555, "5.5.4", "Error: parameters need EHLO");
        return;
    }
    r = smtpd_params_rcpt(args + used, len - used, &params, &why);
    if (r != SMTPD_PARAM_OK) {
        params_reply(s, r, why);
        return;
    }
    if (smtpd_relay_check(&path, s->cfg->mydestination, s->trusted, &why) ==
        SMTPD_RELAY_DENIED) {
        smtpd_reply(s, 1, 554, "5.7.1", "<%s>: %s", path.addr, why);
        return;
    }
    if (smtpd_state_rcpt(&s->state) < 0) {
        smtpd_reply(s, 0, 452, "4.5.3", "Error: too many recipients");
        return;
    }
    add_rcpt(s, &path, &params);
    smtpd_reply(s, 0, 250, "2.1.5", "Ok");
}

/* smtpd_cmd_rset - RSET: drop the transaction */
void smtpd_cmd_rset(struct smtpd_session *s, const char *args, size_t len)
{
    (void)args;
    if (len != 0) {
        smtpd_reply(s, 1, 501, "5.5.4", "Syntax: RSET");
        return;
    }
    smtpd_transaction_reset(s);
    smtpd_reply(s, 0, 250, "2.0.0", "Ok");
}

/* smtpd_cmd_noop - NOOP (an argument is allowed and ignored) */
void smtpd_cmd_noop(struct smtpd_session *s, const char *args, size_t len)
{
    (void)args;
    (void)len;
    smtpd_reply(s, 0, 250, "2.0.0", "Ok");
}

/* smtpd_cmd_quit - QUIT */
void smtpd_cmd_quit(struct smtpd_session *s, const char *args, size_t len)
{
    (void)args;
    (void)len;
    smtpd_reply(s, 0, 221, "2.0.0", "Bye");
    smtpd_session_end(s, SMTPD_SESSION_QUIT);
}

/* smtpd_cmd_vrfy - VRFY: 252 when disabled; syntax and relay when enabled */
void smtpd_cmd_vrfy(struct smtpd_session *s, const char *args, size_t len)
{
    struct smtpd_path path;
    size_t used;
    const char *why;

    if (!s->cfg->vrfy_enable) {
        smtpd_reply(s, 0, 252, "2.5.2",
                    "VRFY is disabled; send mail to attempt delivery");
        return;
    }
    if (smtpd_path_parse(args, len, SMTPD_PATH_ALLOW_POSTMASTER, &path,
                         &used, &why) != SMTPD_PATH_OK ||
        used != len) {
        smtpd_reply(s, 1, 501, "5.1.3", "Syntax: VRFY <address>");
        return;
    }
    if (smtpd_relay_check(&path, s->cfg->mydestination, 0, &why) !=
        SMTPD_RELAY_LOCAL) {
        smtpd_reply(s, 1, 554, "5.7.1", "<%s>: not one of our addresses",
                    path.addr);
        return;
    }
    smtpd_reply(s, 0, 252, "2.1.5", "Cannot verify <%s>; send mail to try",
                path.addr);
}

/* smtpd_cmd_expn - EXPN is not offered */
void smtpd_cmd_expn(struct smtpd_session *s, const char *args, size_t len)
{
    (void)args;
    (void)len;
    smtpd_reply(s, 0, 502, "5.5.1", "Error: command not implemented");
}

/* smtpd_cmd_help - HELP */
void smtpd_cmd_help(struct smtpd_session *s, const char *args, size_t len)
{
    (void)args;
    (void)len;
    smtpd_reply(s, 0, 214, "2.0.0",
                "Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT "
                "VRFY HELP%s",
                s->cfg->tls && !s->state.tls ? " STARTTLS" : "");
}

/* smtpd_cmd_starttls - RFC 3207; plaintext sent after it never counts */
void smtpd_cmd_starttls(struct smtpd_session *s, const char *args,
                        size_t len)
{
    (void)args;
    if (s->cfg->tls == 0) {
        smtpd_reply(s, 1, 502, "5.5.1", "Error: command not implemented");
        return;
    }
    if (len != 0) {
        smtpd_reply(s, 1, 501, "5.5.4", "Syntax: STARTTLS");
        return;
    }
    smtpd_reply(s, 0, 220, "2.0.0", "Ready to start TLS");
    if (vstream_flush(s->stream) < 0) {
        smtpd_session_end(s, SMTPD_SESSION_IO);
        return;
    }
    /* CVE-2011-0411: whatever the client pipelined in plaintext is dropped */
    vstream_discard_input(s->stream);
    s->tls = smtpd_tls_start(s->cfg->tls, s->stream, s->cfg->timeout,
                             s->why);
    if (s->tls == 0) {
        msg_warn("STARTTLS from %s: %s", s->client->addr,
                 vstring_str(s->why));
        smtpd_session_end(s, SMTPD_SESSION_IO);
        return;
    }
    smtpd_transaction_reset(s);
    s->helo[0] = 0;
    smtpd_state_tls(&s->state);
}
