/*
 * smtpd_script.h - the scripted client and fake backend that the smtpd
 * session suites share: a script is the bytes a client sends (pipelined, as
 * one stream) and the reply codes it must get back, in order.
 */
#ifndef SMTPD_SCRIPT_H
#define SMTPD_SCRIPT_H

#include <stddef.h>

#include "smtpd_backend.h"
#include "smtpd_session.h"

#define SCRIPT_MAX_REPLIES 40

/* What the fake backend saw and how it behaves. */
struct fake_backend {
    int begin_result;  /* SMTPD_BACKEND_* returned by begin */
    int write_fails;   /* write returns -1 */
    int commit_result; /* SMTPD_BACKEND_* returned by commit */
    const char *why;   /* reason given on failure */
    int begins, commits, aborts, writes;
    char sender[300];
    char rcpt[8][300];
    size_t nrcpt;
    struct smtpd_mail_params mail;
    struct smtpd_rcpt_params rparams[8];
    char content[65536];
    size_t content_len;
};

void fake_backend_init(struct fake_backend *fb, struct smtpd_backend *be);

/* The content the backend got, after the Received: header. */
const char *fake_backend_body(const struct fake_backend *fb);

/* A test configuration: mx.example.org, mydestination example.org and
 * example.net, mynetworks 127.0.0.0/8 and ::1, limits 512 / 10000 bytes /
 * 3 recipients / 5 errors / 5 s. */
void script_config(struct smtpd_config *cfg);

struct script_result {
    int how;                               /* SMTPD_SESSION_* */
    size_t nreplies;
    char replies[SCRIPT_MAX_REPLIES][520]; /* last line of each reply */
};

/*
 * Runs one session: client_addr connects, sends input[0 .. len-1] (then
 * closes, or keeps the connection open for linger seconds first), and the
 * replies are collected.
 */
void script_run(const struct smtpd_config *cfg, const char *client_addr,
                const char *input, size_t len, int linger,
                const struct smtpd_backend *be, struct script_result *res);

/*
 * 1 when the replies match expect (NULL-terminated): each expected string
 * must be a prefix of the corresponding reply ("250", "550 5.5.2"), and the
 * counts must agree. On a mismatch both lists are printed.
 */
int script_expect(const struct script_result *res, const char *const *expect);

#endif
