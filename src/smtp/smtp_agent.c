/*
 * smtp_agent.c - one delivery request of the smtp/lmtp agent, connection
 * finding and caching, TLS policy (smtp_agent.h).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bytes.h"
#include "deliver_request.h"
#include "dict.h"
#include "msg.h"
#include "mymalloc.h"
#include "queue_file.h"
#include "smtp_agent.h"
#include "smtp_connect.h"
#include "smtp_proto.h"
#include "smtp_tls.h"
#include "vstring.h"

/* The connection kept between requests. */
static struct {
    int open;
    struct smtp_session s;
    char nexthop[300];
    time_t idle_since;
    unsigned uses; /* transactions begun on it, this one included */
} cache;

/* msg_rewind, msg_next - the queue file as smtp_message content */
static int msg_rewind(void *ctx)
{
    return queue_message_rewind(ctx) < 0 ? -1 : 0;
}

static int msg_next(void *ctx, struct vstring *chunk)
{
    return queue_message_next_chunk(ctx, chunk);
}

/* measure - content size and whether any byte is 8-bit; -1 on error */
static int measure(struct queue_message *m, unsigned long long *size,
                   int *eightbit)
{
    struct vstring *chunk = vstring_alloc(8192);
    int r;

    *size = 0;
    *eightbit = 0;
    if (queue_message_rewind(m) < 0) {
        vstring_free(chunk);
        return -1;
    }
    while ((r = queue_message_next_chunk(m, chunk)) > 0) {
        *size += vstring_len(chunk);
        if (!*eightbit)
            *eightbit = bytes_8bit(vstring_str(chunk), vstring_len(chunk));
    }
    vstring_free(chunk);
    return r;
}

/* tls_level_for - the policy entry for this nexthop, else the default */
static int tls_level_for(const struct smtp_agent_config *cfg,
                         const char *nexthop, const struct smtp_nexthop *nh)
{
    const char *v = 0;
    char word[16];
    int level;

    if (cfg->tls_policy) {
        if ((v = dict_lookup(cfg->tls_policy, nexthop)) == 0 && nh->host[0])
            v = dict_lookup(cfg->tls_policy, nh->host);
    }
    if (v == 0)
        return cfg->tls_level;
    snprintf(word, sizeof(word), "%.*s", (int)strcspn(v, " \t,"), v);
    if ((level = smtp_tls_level(word)) < 0) {
        msg_warn("smtp_tls_policy_maps: bad level \"%s\" for %s: using "
                 "encrypt", v, nexthop);
        level = SMTP_TLS_ENCRYPT;
    }
    return level;
}

/* try_target - connect, greet, TLS as the level says: 0, 4 or 5 */
static int try_target(const struct smtp_agent_config *cfg,
                      const struct smtp_target *t, int level,
                      struct smtp_session *s, struct vstring *why)
{
    char peer[400];
    int fd, r;

    smtp_target_name(t, peer, sizeof(peer));
    if ((fd = smtp_connect_one(t, cfg->connect_timeout, why)) < 0) {
        snprintf(peer, sizeof(peer), "%s", vstring_str(why));
        vstring_sprintf(why, "4.4.1 %s", peer);
        return 4;
    }
    smtp_session_init(s, fd, cfg->lmtp, cfg->timeout, peer);
    if ((r = smtp_proto_greet(s, cfg->helo_name, why)) != 0)
        goto bad;
    if (level == SMTP_TLS_NONE || cfg->tls == 0 ||
        (level == SMTP_TLS_MAY && !(s->features & SMTP_FEAT_STARTTLS))) {
        if (level >= SMTP_TLS_ENCRYPT) {
            vstring_sprintf(why, "4.7.4 TLS is required, but unavailable");
            r = 4;
            goto bad;
        }
        return 0;
    }
    if (!(s->features & SMTP_FEAT_STARTTLS)) {
        vstring_sprintf(why, "4.7.4 TLS is required, but was not offered by "
                        "host %s", peer);
        r = 4;
        goto bad;
    }
    r = smtp_proto_starttls(s, cfg->tls, t->host,
                            level == SMTP_TLS_VERIFY ? t->host : 0,
                            cfg->helo_name, why);
    if (r == 0)
        return 0;
bad:
    smtp_session_close(s);
    return r;
}

/* open_session - the first target that works: 0, 4 or 5 with why */
static int open_session(const struct smtp_agent_config *cfg,
                        const char *nexthop, struct smtp_session *s,
                        struct vstring *why)
{
    struct smtp_nexthop nh;
    struct smtp_targets *tg;
    int r, level;
    size_t i;

    if (smtp_nexthop_parse(nexthop, cfg->default_port, !cfg->lmtp, &nh,
                           why) < 0) {
        vstring_sprintf(why, "4.3.5 malformed nexthop \"%s\"", nexthop);
        return 4;
    }
    level = tls_level_for(cfg, nexthop, &nh);
    tg = mymalloc(sizeof(*tg));
    if ((r = smtp_connect_resolve(&nh, tg, why)) != 0)
        goto out;
    r = 4;
    for (i = 0; i < tg->count && r != 0; i++) {
        r = try_target(cfg, &tg->t[i], level, s, why);
        if (r == 4 && level == SMTP_TLS_MAY &&
            strncmp(vstring_str(why), "4.7.5", 5) == 0) {
            msg_info("%s; trying without TLS", vstring_str(why));
            r = try_target(cfg, &tg->t[i], SMTP_TLS_NONE, s, why);
        }
    }
out:
    myfree(tg);
    return r;
}

/* smtp_agent_flush - QUIT the cached connection */
void smtp_agent_flush(const struct smtp_agent_config *cfg, int only_stale)
{
    if (!cache.open)
        return;
    if (only_stale && time(0) - cache.idle_since <= cfg->reuse_time)
        return;
    smtp_session_close(&cache.s);
    cache.open = 0;
}

/* get_session - the cached connection when it is for nexthop and alive,
 * else a new one: 0, 4 or 5 with why */
static int get_session(const struct smtp_agent_config *cfg,
                       const char *nexthop, struct vstring *why)
{
    int r;

    smtp_agent_flush(cfg, 1);
    if (cache.open && strcmp(cache.nexthop, nexthop) == 0 &&
        smtp_proto_idle_ok(&cache.s) == 0) {
        cache.uses++;
        return 0;
    }
    smtp_agent_flush(cfg, 0);
    if ((r = open_session(cfg, nexthop, &cache.s, why)) == 0) {
        cache.open = 1;
        cache.uses = 1;
        snprintf(cache.nexthop, sizeof(cache.nexthop), "%s", nexthop);
    }
    return r;
}

/* report - record and log one outcome */
static void report(struct deliver_request *req, size_t i, const char *relay,
                   const char *status, const char *action, const char *reason)
{
    char uses[32] = "";

    if (cache.open && cache.uses > 1)
        snprintf(uses, sizeof(uses), ", conn_use=%u", cache.uses);
    deliver_request_status(req, i, status, action, reason);
    msg_info("%s: to=<%s>, relay=%s%s, dsn=%s, status=%s (%s)",
             req->queue_id, req->rcpts[i].address, relay, uses, status,
             status[0] == '2' ? "sent" : status[0] == '4' ? "deferred"
                                                          : "bounced",
             reason);
}

/* report_all - one local outcome for every recipient ("4.4.1 why") */
static void report_all(struct deliver_request *req, const char *relay,
                       const char *why)
{
    char status[16];
    size_t i, n = strcspn(why, " ");
    const char *reason = why[n] ? why + n + 1 : why;

    snprintf(status, sizeof(status), "%.*s", (int)(n < 15 ? n : 15), why);
    if (status[0] != '4' && status[0] != '5')
        snprintf(status, sizeof(status), "4.3.0");
    for (i = 0; i < req->rcpt_count; i++)
        report(req, i, relay, status,
               status[0] == '4' ? "deferred" : "failed", reason);
}

/* send_message - the message over the cached session; a reused session
 * that broke before the server answered anything (it had closed while
 * idle) is replaced by a new one and the message sent again: no reply
 * means no 354, so no content went out. 0 when no new session could be
 * had (every recipient is reported then). */
static int send_message(const struct smtp_agent_config *cfg,
                        struct deliver_request *req,
                        const struct smtp_message *msg,
                        struct smtp_outcome *out)
{
    unsigned long replies = cache.s.replies;
    struct vstring *why;
    int reused = cache.uses > 1;

    smtp_proto_deliver(&cache.s, msg, out);
    if (!reused || !cache.s.broken || cache.s.replies != replies)
        return 1;
    msg_info("%s: connection to %s was closed while idle; connecting again",
             req->queue_id, cache.s.peer);
    smtp_agent_flush(cfg, 0);
    why = vstring_alloc(100);
    if (get_session(cfg, req->nexthop, why) != 0) {
        report_all(req, req->nexthop, vstring_str(why));
        vstring_free(why);
        return 0;
    }
    vstring_free(why);
    smtp_proto_deliver(&cache.s, msg, out);
    return 1;
}

/* transaction - the message over the cached session */
static void transaction(const struct smtp_agent_config *cfg,
                        struct deliver_request *req, struct queue_message *m,
                        unsigned long long size, int eightbit)
{
    struct smtp_rcpt *rc = mymalloc(sizeof(*rc) * (req->rcpt_count + 1));
    struct smtp_outcome *out = mymalloc(sizeof(*out) * (req->rcpt_count + 1));
    struct smtp_message msg;
    size_t i;

    for (i = 0; i < req->rcpt_count; i++) {
        rc[i].addr = req->rcpts[i].address;
        rc[i].notify = req->rcpts[i].notify;
        rc[i].orcpt = req->rcpts[i].orcpt;
    }
    msg.sender = req->sender;
    msg.envid = req->envid;
    msg.ret = req->ret;
    msg.nrcpt = req->rcpt_count;
    msg.rcpt = rc;
    msg.size = size;
    msg.eightbit = eightbit;
    msg.rewind = msg_rewind;
    msg.next_chunk = msg_next;
    msg.ctx = m;
    if (!send_message(cfg, req, &msg, out)) {
        myfree(rc);
        myfree(out);
        return;
    }
    for (i = 0; i < req->rcpt_count; i++)
        report(req, i, cache.s.peer, out[i].status, out[i].action,
               out[i].reason);
    if (cache.s.broken || cfg->reuse_time <= 0 ||
        smtp_proto_rset(&cache.s) < 0)
        smtp_agent_flush(cfg, 0);
    else
        cache.idle_since = time(0);
    myfree(rc);
    myfree(out);
}

/* smtp_agent_deliver - one request, every recipient settled */
void smtp_agent_deliver(const struct smtp_agent_config *cfg,
                        struct deliver_request *req)
{
    struct vstring *why = vstring_alloc(200);
    struct queue_message *m = 0;
    unsigned long long size;
    int eightbit, r;

    r = queue_file_read(cfg->queue_dir, req->queue_name, req->queue_file,
                        QUEUE_FILE_RDONLY, &m, why);
    if (r != QUEUE_FILE_OK) {
        msg_warn("%s: cannot read queue file: %s", req->queue_id,
                 vstring_str(why));
        report_all(req, "none", "4.3.0 cannot read the queue file");
    } else if (measure(m, &size, &eightbit) < 0) {
        report_all(req, "none", "4.3.0 cannot read the message content");
    } else if ((r = get_session(cfg, req->nexthop, why)) != 0) {
        report_all(req, req->nexthop, vstring_str(why));
    } else {
        transaction(cfg, req, m, size, eightbit);
    }
    if (m)
        queue_message_free(m);
    vstring_free(why);
}
