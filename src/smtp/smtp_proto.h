/*
 * smtp_proto.h - the client side of SMTP (RFC 5321) and LMTP (RFC 2033)
 * over one connected stream: greeting, EHLO/LHLO (HELO fallback), STARTTLS,
 * one mail transaction per call with PIPELINING (RFC 2920), SIZE (1870),
 * 8BITMIME (6152), DSN parameters (3461), then RSET for the next message or
 * QUIT.
 *
 * Where it sits: smtp_main.c connects (smtp_connect.h), opens a session
 * here, and for each delivery request calls smtp_proto_deliver(), which
 * fills one struct smtp_outcome per recipient. It needs no network and no
 * queue: the content comes through the message's next_chunk function, so a
 * unit test drives it over a socketpair with a scripted server.
 *
 * Outcomes (what qmgr records, mail_proto.h):
 *   2xx -> "relayed" (LMTP: "delivered"), 4xx -> "deferred",
 *   5xx -> "failed"; the reason quotes the server: "host X said: 550 5.1.1
 *   <u@example.com>: unknown user (in reply to RCPT TO command)". The
 *   status is the reply's enhanced code, else class.0.0.
 *   A connection lost or timed out before the final reply to the content
 *   defers every recipient not yet settled (4.4.2); the session is then
 *   broken and must be closed.
 * Decisions: an 8-bit body to a server without 8BITMIME is not converted:
 * every recipient fails with 5.6.3 (RFC 6152 allows either). A message
 * larger than the server's SIZE fails with 5.3.4 before MAIL is sent.
 *
 * Errors from the session-level calls (greet, starttls) are 0 on success,
 * else 4 or 5 (the class) with the reason, starting with an enhanced code,
 * in why.
 */
#ifndef SMTP_PROTO_H
#define SMTP_PROTO_H

#include <stddef.h>

#include "smtp_reply.h"

struct vstream;
struct vstring;
struct smtp_tls_client;
struct smtp_tls_conn;

#define SMTP_FEAT_ESMTP      (1u << 0)
#define SMTP_FEAT_PIPELINING (1u << 1)
#define SMTP_FEAT_SIZE       (1u << 2)
#define SMTP_FEAT_8BITMIME   (1u << 3)
#define SMTP_FEAT_STARTTLS   (1u << 4)
#define SMTP_FEAT_DSN        (1u << 5)
#define SMTP_FEAT_SMTPUTF8   (1u << 6)

struct smtp_session {
    struct vstream *stream;
    int lmtp;
    int timeout;
    unsigned features;             /* SMTP_FEAT_* from the last EHLO */
    unsigned long long size_limit; /* from SIZE; 0: none announced */
    char peer[300];                /* "host[addr]:port", for reasons */
    struct smtp_tls_conn *tls;
    struct smtp_reply reply;       /* the last reply */
    struct vstring *line;
    int broken;                    /* I/O or protocol error: close it */
    int dirty;                     /* a transaction began and has no end */
    unsigned long replies;         /* complete replies read so far */
};

struct smtp_rcpt {
    const char *addr;
    const char *notify; /* "SUCCESS,FAILURE", "NEVER" or "" */
    const char *orcpt;  /* "rfc822;addr" or "" */
};

struct smtp_message {
    const char *sender; /* "" for <> */
    const char *envid;  /* "" when none */
    const char *ret;    /* "FULL", "HDRS" or "" */
    size_t nrcpt;
    const struct smtp_rcpt *rcpt;
    unsigned long long size; /* content bytes (LF line ends) */
    int eightbit;            /* a byte above 0x7f in the content */
    /* content: rewind to the start, then chunks until 0; -1 on error */
    int (*rewind)(void *ctx);
    int (*next_chunk)(void *ctx, struct vstring *chunk);
    void *ctx;
};

#define SMTP_OUTCOME_REASON_MAX 1000

struct smtp_outcome {
    char status[16];  /* "2.0.0", "4.4.2", "5.1.1" */
    const char *action; /* relayed|delivered|deferred|failed */
    char reason[SMTP_OUTCOME_REASON_MAX + 1];
};

/* Takes over fd (a connected socket); peer names it in reasons. */
void smtp_session_init(struct smtp_session *s, int fd, int lmtp, int timeout,
                       const char *peer);
/* Sends QUIT when the session is healthy, then closes everything. */
void smtp_session_close(struct smtp_session *s);

/* Greeting and EHLO/LHLO (HELO when EHLO is refused; never for LMTP). */
int smtp_proto_greet(struct smtp_session *s, const char *helo_name,
                     struct vstring *why);
/* STARTTLS, handshake, EHLO again. verify_host NULL: no certificate check. */
int smtp_proto_starttls(struct smtp_session *s, struct smtp_tls_client *tls,
                        const char *sni_host, const char *verify_host,
                        const char *helo_name, struct vstring *why);
/* One transaction; out[i] for msg->rcpt[i], always all filled. */
void smtp_proto_deliver(struct smtp_session *s, const struct smtp_message *msg,
                        struct smtp_outcome *out);
/* Ends the transaction: RSET only when one is still open (a final reply
 * to the end of DATA ends it by itself). 0 when the session can be reused. */
int smtp_proto_rset(struct smtp_session *s);
/* Before an idle session is reused: 0 when the server has neither closed
 * it nor said anything (a 421) since; over TLS, whose records may arrive
 * unasked, an RSET answered 250. */
int smtp_proto_idle_ok(struct smtp_session *s);

/* ---- shared by smtp_proto.c and smtp_trans.c ---- */

/* Reads one complete reply into s->reply: its code, or -1 (broken). */
int smtp_proto_read_reply(struct smtp_session *s);
/* Sets o from s->reply, "in reply to <what>". */
void smtp_proto_outcome(const struct smtp_session *s, struct smtp_outcome *o,
                        const char *what);
/* Sets o to a local decision (status "4.4.2", reason as given). */
void smtp_outcome_set(struct smtp_outcome *o, const char *status,
                      const char *reason);
/* Formats o->reason (cut at SMTP_OUTCOME_REASON_MAX). */
void smtp_outcome_reason(struct smtp_outcome *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* "lost connection with X while <what>" (or the timeout version). */
void smtp_proto_lost(const struct smtp_session *s, struct smtp_outcome *o,
                     const char *what);

#endif
