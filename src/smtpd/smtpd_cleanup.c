/*
 * smtpd_cleanup.c - smtpd's submission backend over the cleanup client
 * (smtpd_cleanup.h).
 */
#include <stdio.h>
#include <string.h>

#include "cleanup_client.h"
#include "fi_point.h"
#include "mail_proto.h"
#include "msg.h"
#include "mymalloc.h"
#include "smtpd_cleanup.h"
#include "vstring.h"

#define CONTENT_PIECE 4096

struct smtpd_cleanup {
    char *queue_dir;
    int timeout;
    struct cleanup_client *cc;
    int failed;           /* a write to cleanup failed */
    char log[700];        /* "client=..., helo=..., from=<>, nrcpt=N" */
};

/* smtpd_cleanup_notify - NOTIFY bits to "SUCCESS,FAILURE,DELAY"/"NEVER" */
void smtpd_cleanup_notify(unsigned notify, char *buf, size_t size)
{
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = {{SMTPD_NOTIFY_NEVER, "NEVER"},
                 {SMTPD_NOTIFY_SUCCESS, "SUCCESS"},
                 {SMTPD_NOTIFY_FAILURE, "FAILURE"},
                 {SMTPD_NOTIFY_DELAY, "DELAY"}};
    size_t i, len = 0;

    buf[0] = 0;
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if ((notify & names[i].bit) == 0)
            continue;
        len += (size_t)snprintf(buf + len, len < size ? size - len : 0, "%s%s",
                                len ? "," : "", names[i].name);
        if (len >= size) {
            buf[size - 1] = 0;
            break;
        }
    }
}

/* send_attrs - the 'A' records of the envelope */
static int send_attrs(struct cleanup_client *cc,
                      const struct smtpd_envelope *env)
{
    const struct smtpd_mail_params *m = env->mail;
    int r = 0;

    r |= cleanup_client_attr(cc, MAIL_ATTR_CLIENT_ADDR, env->client_addr);
    r |= cleanup_client_attr(cc, MAIL_ATTR_CLIENT_NAME, env->client_name);
    r |= cleanup_client_attr(cc, MAIL_ATTR_HELO, env->helo);
    r |= cleanup_client_attr(cc, MAIL_ATTR_PROTOCOL, env->protocol);
    if (m->body != SMTPD_BODY_NONE)
        r |= cleanup_client_attr(cc, MAIL_ATTR_BODY_TYPE,
                                 m->body == SMTPD_BODY_8BITMIME ? "8BITMIME"
                                                                : "7BIT");
    if (m->smtputf8)
        r |= cleanup_client_attr(cc, MAIL_ATTR_SMTPUTF8, "yes");
    if (m->envid[0])
        r |= cleanup_client_attr(cc, MAIL_ATTR_ENVID, m->envid);
    if (m->ret != SMTPD_RET_NONE)
        r |= cleanup_client_attr(cc, MAIL_ATTR_RET,
                                 m->ret == SMTPD_RET_FULL ? "FULL" : "HDRS");
    return r;
}

/* send_rcpts - every recipient with NOTIFY and ORCPT */
static int send_rcpts(struct cleanup_client *cc,
                      const struct smtpd_envelope *env)
{
    char notify[64], orcpt[SMTPD_ADDRTYPE_MAX + SMTPD_ORCPT_MAX + 2];
    const struct smtpd_rcpt_params *p;
    size_t i;
    int r = 0;

    for (i = 0; i < env->nrcpt; i++) {
        p = &env->rcpt[i].params;
        smtpd_cleanup_notify(p->notify, notify, sizeof(notify));
        if (p->orcpt_type[0])
            snprintf(orcpt, sizeof(orcpt), "%s;%s", p->orcpt_type,
                     p->orcpt_addr);
        else
            orcpt[0] = 0;
        r |= cleanup_client_rcpt(cc, env->rcpt[i].addr, notify, orcpt);
    }
    return r;
}

/* cleanup_begin - connect to cleanup, send the envelope */
static int cleanup_begin(void *ctx, const struct smtpd_envelope *env,
                         struct vstring *queue_id, struct vstring *why)
{
    struct smtpd_cleanup *sc = ctx;

    (void)queue_id; /* cleanup names the file only when it commits */
    if (sc->cc != 0)
        msg_panic("smtpd_cleanup: begin while a message is open");
    sc->cc = cleanup_client_open(sc->queue_dir, 0, sc->timeout, why);
    if (sc->cc == 0) {
        msg_warn("%s", vstring_str(why));
        return SMTPD_BACKEND_DEFER;
    }
    sc->failed = 0;
    snprintf(sc->log, sizeof(sc->log),
             "client=%.100s[%.64s], helo=<%.100s>, from=<%.300s>, nrcpt=%zu",
             env->client_name, env->client_addr, env->helo, env->sender,
             env->nrcpt);
    if (send_attrs(sc->cc, env) < 0 ||
        cleanup_client_sender(sc->cc, env->sender) < 0 ||
        send_rcpts(sc->cc, env) < 0)
        sc->failed = 1; /* commit will say why; DATA still gets 354 */
    return SMTPD_BACKEND_OK;
}

/* cleanup_write - content without the CR of CR LF (the DATA scanner lets
 * a CR through only before LF, so every CR goes), copied a run at a time
 * into records of CONTENT_PIECE bytes */
static int cleanup_write(void *ctx, const char *buf, size_t len)
{
    struct smtpd_cleanup *sc = ctx;
    const char *end = buf + len, *cr;
    char out[CONTENT_PIECE];
    size_t n, o = 0;

    while (buf < end && !sc->failed) {
        cr = memchr(buf, '\r', (size_t)(end - buf));
        n = (size_t)((cr ? cr : end) - buf);
        if (n > sizeof(out) - o)
            n = sizeof(out) - o;
        memcpy(out + o, buf, n);
        o += n;
        buf += n + (buf + n == cr);
        if (o == sizeof(out)) {
            if (cleanup_client_content(sc->cc, out, o) < 0)
                sc->failed = 1;
            o = 0;
        }
    }
    if (o > 0 && !sc->failed && cleanup_client_content(sc->cc, out, o) < 0)
        sc->failed = 1;
    return sc->failed ? -1 : 0;
}

/* cleanup_commit - cleanup's verdict decides the reply */
static int cleanup_commit(void *ctx, struct vstring *queue_id,
                          struct vstring *why)
{
    struct smtpd_cleanup *sc = ctx;
    struct cleanup_client *cc = sc->cc;
    int r;

    sc->cc = 0;
    FI_POINT("smtpd.before_commit");
    r = cleanup_client_commit(cc, queue_id, why);
    if (r == CLEANUP_OK) {
        FI_POINT("smtpd.before_250");
        return SMTPD_BACKEND_OK;
    }
    msg_warn("cleanup refused or failed (%s): %s",
             r == CLEANUP_REJECT ? "reject" : "defer", vstring_str(why));
    return r == CLEANUP_REJECT ? SMTPD_BACKEND_REJECT : SMTPD_BACKEND_DEFER;
}

/* cleanup_queued - the log line of a queued message, after its 250 */
static void cleanup_queued(void *ctx, const char *queue_id)
{
    struct smtpd_cleanup *sc = ctx;

    msg_info("%s: %s", queue_id, sc->log);
}

/* cleanup_abort - nothing is queued */
static void cleanup_abort(void *ctx)
{
    struct smtpd_cleanup *sc = ctx;

    if (sc->cc)
        cleanup_client_abort(sc->cc);
    sc->cc = 0;
}

/* smtpd_cleanup_create - the backend's call table over a fresh context */
struct smtpd_cleanup *smtpd_cleanup_create(const char *queue_dir, int timeout,
                                           struct smtpd_backend *backend)
{
    struct smtpd_cleanup *sc = mymalloc(sizeof(*sc));

    memset(sc, 0, sizeof(*sc));
    sc->queue_dir = mystrdup(queue_dir);
    sc->timeout = timeout;
    backend->ctx = sc;
    backend->begin = cleanup_begin;
    backend->write = cleanup_write;
    backend->commit = cleanup_commit;
    backend->abort = cleanup_abort;
    backend->queued = cleanup_queued;
    return sc;
}

/* smtpd_cleanup_free - forget the backend (aborting an open message) */
void smtpd_cleanup_free(struct smtpd_cleanup *sc)
{
    cleanup_abort(sc);
    myfree(sc->queue_dir);
    myfree(sc);
}
