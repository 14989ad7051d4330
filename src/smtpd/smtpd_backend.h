/*
 * smtpd_backend.h - where an accepted message goes: the submission backend.
 *
 * The session engine (smtpd_session.h) knows nothing of queues. When a
 * client has given MAIL, at least one RCPT and then DATA (or its first BDAT
 * chunk), the session calls the backend:
 *
 *   begin(ctx, env, queue_id, why)   once per message, with the whole
 *                                    envelope; the backend may store a
 *                                    queue id in queue_id (shown in the
 *                                    250 reply); the trace header is the
 *                                    backend's, built from the envelope's
 *                                    helo, client and protocol (cleanup:
 *                                    one Received: per hop);
 *   write(ctx, buf, len)             the content, any number of times:
 *                                    the message exactly as it
 *                                    will be queued: lines end in CR LF,
 *                                    dot-stuffing removed, no NUL, no bare
 *                                    CR or LF, the last line ends in CR LF;
 *   commit(ctx, queue_id, why)       the content is complete: make the
 *                                    message durable (cleanup: write, fsync,
 *                                    rename, fsync the directory) and only
 *                                    then return SMTPD_BACKEND_OK;
 *   abort(ctx)                       forget the message (bad content, size,
 *                                    client gone, write failure, RSET);
 *   queued(ctx, queue_id)            optional (NULL): called once the 250
 *                                    went out, for what can wait until the
 *                                    client has its answer (the log line).
 *
 * Contract: after a successful begin, exactly one of commit or abort is
 * called, and no other begin comes first. After a failed begin neither is
 * called. The session sends "250 2.0.0 Ok: queued as ID" only after commit
 * returned SMTPD_BACKEND_OK; SMTPD_BACKEND_DEFER (cleanup failed or died)
 * gives 451 4.3.0 and SMTPD_BACKEND_REJECT gives 554 5.7.1, each with the
 * backend's reason. A write that fails (-1) makes the session consume the
 * rest of the data, call abort and answer 451 4.3.0: a half-written message
 * is never committed. The envelope and everything it points to stay valid
 * only during begin: the backend copies what it keeps.
 *
 * The real daemon plugs in the cleanup client (src/smtpd/smtpd_main.c, to
 * come); unit tests and fuzzers plug in a fake.
 */
#ifndef SMTPD_BACKEND_H
#define SMTPD_BACKEND_H

#include <stddef.h>

#include "smtpd_params.h"

struct vstring;

#define SMTPD_BACKEND_OK     0
#define SMTPD_BACKEND_DEFER  1 /* 451 4.3.0: try again later */
#define SMTPD_BACKEND_REJECT 2 /* 554 5.7.1: permanent */

struct smtpd_rcpt {
    char *addr; /* "local@domain" or "postmaster"; source route removed */
    struct smtpd_rcpt_params params; /* NOTIFY, ORCPT */
};

struct smtpd_envelope {
    const char *client_addr; /* numeric address of the client */
    const char *client_name; /* its verified name, or "unknown" */
    const char *helo;        /* the EHLO/HELO argument */
    const char *protocol;    /* "SMTP", "ESMTP" or "ESMTPS" (RFC 3848) */
    const char *sender;      /* "" for the null sender <> */
    const struct smtpd_mail_params *mail; /* SIZE, BODY, SMTPUTF8, RET,
                                           * ENVID */
    size_t nrcpt;                         /* >= 1 */
    const struct smtpd_rcpt *rcpt;
};

struct smtpd_backend {
    void *ctx;
    int (*begin)(void *ctx, const struct smtpd_envelope *env,
                 struct vstring *queue_id, struct vstring *why);
    int (*write)(void *ctx, const char *buf, size_t len);
    int (*commit)(void *ctx, struct vstring *queue_id, struct vstring *why);
    void (*abort)(void *ctx);
    void (*queued)(void *ctx, const char *queue_id); /* or NULL */
};

#endif
