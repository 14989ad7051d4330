/*
 * smtpd_session.h - one SMTP session, from greeting to QUIT, over a stream.
 *
 * smtpd_session_run() is the whole server side of RFC 5321 for one client:
 * it greets, reads commands (bounded, CRLF only), answers with enhanced
 * status codes, enforces the state machine, the limits and relay control,
 * receives DATA/BDAT content and hands accepted messages to a submission
 * backend (smtpd_backend.h). It needs no network: a unit test or a fuzzer
 * runs it over one end of a socketpair with a scripted client on the other
 * end and a fake backend; the daemon (smtpd_main.c) runs it over the
 * accepted connection with the cleanup client as backend.
 *
 * Decisions worth knowing:
 *   - a command line longer than line_limit gets 500 5.5.2; the rest of the
 *     line is skipped and the session goes on;
 *   - bare LF, bare CR or NUL in a command: 500 5.5.2, the session goes on;
 *   - every 5xx answer to a command counts as a hard error; at error_limit
 *     the session answers 421 4.7.0 and ends;
 *   - VRFY: with vrfy_enable off (the default) the answer is always
 *     252 2.5.2 (RFC 5321 7.3: a disabled VRFY must not look like either a
 *     verified or an unknown user); when on, a well-formed address in one
 *     of our domains also gets 252 (no user lookup in smtpd), anything else
 *     501/554;
 *   - EXPN: 502 5.5.1 always;
 *   - replies are flushed only when no more client input is buffered
 *     (RFC 2920 pipelining);
 *   - STARTTLS: after "220 2.0.0", any input already buffered is discarded
 *     before the handshake (CVE-2011-0411), and the client must send EHLO
 *     again.
 */
#ifndef SMTPD_SESSION_H
#define SMTPD_SESSION_H

#include <stddef.h>

#include "smtpd_backend.h"
#include "smtpd_netlist.h"

struct vstream;
struct smtpd_tls_server;

struct smtpd_config {
    const char *myhostname;            /* in the greeting and Received: */
    const char *const *mydestination;  /* our domains, NULL-terminated */
    const struct smtpd_netlist *mynetworks; /* trusted clients, or NULL */
    size_t line_limit;                 /* command line bytes with CRLF */
    unsigned long long message_size_limit; /* 0: none */
    unsigned rcpt_limit;               /* recipients per message */
    unsigned error_limit;              /* hard errors per session */
    int timeout;                       /* seconds for every read */
    int vrfy_enable;
    struct smtpd_tls_server *tls;      /* NULL: no STARTTLS offered */
};

/* Defaults: line_limit 2048, size 10240000, rcpt_limit 1000,
 * error_limit 20, timeout 300, vrfy off, no TLS, "localhost". */
void smtpd_config_defaults(struct smtpd_config *cfg);

struct smtpd_client {
    const char *addr; /* numeric, e.g. "192.0.2.7" or "2001:db8::1" */
    const char *name; /* verified name or "unknown" */
};

/* How a session ended. */
#define SMTPD_SESSION_QUIT    0 /* QUIT answered */
#define SMTPD_SESSION_EOF     1 /* the client went away */
#define SMTPD_SESSION_TIMEOUT 2 /* a read hit the deadline; 421 sent */
#define SMTPD_SESSION_ERRORS  3 /* error_limit reached; 421 sent */
#define SMTPD_SESSION_IO      4 /* read/write error, TLS failure */

int smtpd_session_run(struct vstream *stream, const struct smtpd_config *cfg,
                      const struct smtpd_client *client,
                      const struct smtpd_backend *backend);

#endif
