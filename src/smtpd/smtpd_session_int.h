/*
 * smtpd_session_int.h - what the session's own files share: the session
 * structure, reply helpers and the command handlers. Not for other modules;
 * the public interface is smtpd_session.h.
 */
#ifndef SMTPD_SESSION_INT_H
#define SMTPD_SESSION_INT_H

#include "smtpd_backend.h"
#include "smtpd_bdat.h"
#include "smtpd_params.h"
#include "smtpd_path.h"
#include "smtpd_session.h"
#include "smtpd_state.h"

struct smtpd_tls_conn;

struct smtpd_session {
    struct vstream *stream;
    const struct smtpd_config *cfg;
    const struct smtpd_client *client;
    const struct smtpd_backend *backend;
    struct smtpd_state state;
    struct vstring *line;     /* the command line being handled */
    struct vstring *reply;    /* reply bytes being built */
    struct vstring *text;     /* reply text being built */
    struct vstring *why;      /* reasons from the backend */
    struct vstring *queue_id; /* from the backend */
    char helo[256];
    int trusted;              /* client in mynetworks */
    int done;                 /* end the session: SMTPD_SESSION_* + 1 */
    /* the transaction */
    char *sender;
    struct smtpd_mail_params mail;
    struct smtpd_rcpt *rcpt;
    size_t nrcpt;
    int in_message;           /* backend begin succeeded, no commit/abort */
    int write_failed;         /* a backend write failed */
    struct smtpd_bdat bdat;
    struct smtpd_tls_conn *tls;
};

/* A handler gets the argument text (no verb, no CRLF, trimmed). */
typedef void (*smtpd_handler_fn)(struct smtpd_session *s, const char *args,
                                 size_t len);

/* Sends one reply; error = 1 counts a hard error (and may end the session). */
void smtpd_reply(struct smtpd_session *s, int error, int code,
                 const char *dsn, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Appends one line of a multi-line reply without sending it yet. */
void smtpd_reply_more(struct smtpd_session *s, int code, const char *text);
/* Drops the transaction (aborting a message in progress). */
void smtpd_transaction_reset(struct smtpd_session *s);
/* Ends the session with `how` (SMTPD_SESSION_*). */
void smtpd_session_end(struct smtpd_session *s, int how);
/* The protocol name for Received: and the envelope (RFC 3848). */
const char *smtpd_protocol(const struct smtpd_session *s);

void smtpd_cmd_ehlo(struct smtpd_session *, const char *, size_t);
void smtpd_cmd_helo(struct smtpd_session *, const char *, size_t);
void smtpd_cmd_mail(struct smtpd_session *, const char *, size_t);
void smtpd_cmd_rcpt(struct smtpd_session *, const char *, size_t);
void smtpd_cmd_rset(struct smtpd_session *, const char *, size_t);
void smtpd_cmd_noop(struct smtpd_session *, const char *, size_t);
void smtpd_cmd_quit(struct smtpd_session *, const char *, size_t);
void smtpd_cmd_vrfy(struct smtpd_session *, const char *, size_t);
void smtpd_cmd_expn(struct smtpd_session *, const char *, size_t);
void smtpd_cmd_help(struct smtpd_session *, const char *, size_t);
void smtpd_cmd_starttls(struct smtpd_session *, const char *, size_t);
void smtpd_cmd_data(struct smtpd_session *, const char *, size_t);
void smtpd_cmd_bdat(struct smtpd_session *, const char *, size_t);

#endif
