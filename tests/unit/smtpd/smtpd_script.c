/*
 * smtpd_script.c - scripted client over a socketpair and a fake submission
 * backend, for the session suites (smtpd_script.h).
 *
 * A child process writes the client's bytes (so that a long script never
 * blocks against an unread socket); the session runs in the test process,
 * so the fake backend's record is visible afterwards.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "smtpd_netlist.h"
#include "smtpd_script.h"
#include "vstream.h"
#include "vstring.h"

/* fb_begin - remember the envelope */
static int fb_begin(void *ctx, const struct smtpd_envelope *env,
                    struct vstring *queue_id, struct vstring *why)
{
    struct fake_backend *fb = ctx;
    size_t i;

    fb->begins++;
    if (fb->begin_result != SMTPD_BACKEND_OK) {
        vstring_sprintf(why, "%s", fb->why ? fb->why : "");
        return fb->begin_result;
    }
    snprintf(fb->sender, sizeof(fb->sender), "%s", env->sender);
    fb->nrcpt = env->nrcpt;
    for (i = 0; i < env->nrcpt && i < 8; i++) {
        snprintf(fb->rcpt[i], sizeof(fb->rcpt[i]), "%s", env->rcpt[i].addr);
        fb->rparams[i] = env->rcpt[i].params;
    }
    fb->mail = *env->mail;
    fb->content_len = 0;
    vstring_sprintf(queue_id, "Q%d", fb->begins);
    return SMTPD_BACKEND_OK;
}

/* fb_write - collect content */
static int fb_write(void *ctx, const char *buf, size_t len)
{
    struct fake_backend *fb = ctx;

    fb->writes++;
    if (fb->write_fails)
        return -1;
    if (fb->content_len + len < sizeof(fb->content)) {
        memcpy(fb->content + fb->content_len, buf, len);
        fb->content_len += len;
        fb->content[fb->content_len] = 0;
    }
    return 0;
}

/* fb_commit - succeed or fail as told */
static int fb_commit(void *ctx, struct vstring *queue_id, struct vstring *why)
{
    struct fake_backend *fb = ctx;

    (void)queue_id;
    if (fb->commit_result != SMTPD_BACKEND_OK) {
        vstring_sprintf(why, "%s", fb->why ? fb->why : "");
        return fb->commit_result;
    }
    fb->commits++;
    return SMTPD_BACKEND_OK;
}

/* fb_abort - count */
static void fb_abort(void *ctx)
{
    ((struct fake_backend *)ctx)->aborts++;
}

/* fake_backend_init - a backend that accepts everything */
void fake_backend_init(struct fake_backend *fb, struct smtpd_backend *be)
{
    memset(fb, 0, sizeof(*fb));
    be->ctx = fb;
    be->begin = fb_begin;
    be->write = fb_write;
    be->commit = fb_commit;
    be->abort = fb_abort;
    be->queued = 0;
}

/* fake_backend_body - skip our Received: header (it ends at a line that
 * does not start with a tab) */
const char *fake_backend_body(const struct fake_backend *fb)
{
    const char *p = fb->content;

    if (strncmp(p, "Received: ", 10) != 0)
        return p;
    while ((p = strstr(p, "\r\n")) != 0) {
        p += 2;
        if (*p != '\t')
            return p;
    }
    return "";
}

static struct smtpd_netlist script_nets;
static const char *const script_dest[] = {"example.org", "example.net", 0};

/* script_config - the configuration the session tests start from */
void script_config(struct smtpd_config *cfg)
{
    struct vstring *why = vstring_alloc(64);

    smtpd_config_defaults(cfg);
    if (script_nets.count == 0 &&
        smtpd_netlist_parse(&script_nets, "127.0.0.0/8, [::1]/128", why) < 0)
        fprintf(stderr, "script_config: %s\n", vstring_str(why));
    vstring_free(why);
    cfg->myhostname = "mx.example.org";
    cfg->mydestination = script_dest;
    cfg->mynetworks = &script_nets;
    cfg->line_limit = 512;
    cfg->message_size_limit = 10000;
    cfg->rcpt_limit = 3;
    cfg->error_limit = 5;
    cfg->timeout = 5;
}

/* client_child - write the script, linger, leave */
static void client_child(int fd, const char *input, size_t len, int linger)
{
    size_t off = 0;
    ssize_t n;

    signal(SIGPIPE, SIG_IGN);
    while (off < len && (n = write(fd, input + off, len - off)) > 0)
        off += (size_t)n;
    if (linger)
        sleep((unsigned)linger);
    shutdown(fd, SHUT_WR);
    _exit(0);
}

/* collect - split the reply stream into replies (their last lines) */
static void collect(int fd, struct script_result *res)
{
    static char buf[1 << 16];
    size_t len = 0;
    ssize_t n;
    char *line, *end;

    while (len < sizeof(buf) - 1 &&
           (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
        len += (size_t)n;
    buf[len] = 0;
    for (line = buf; (end = strstr(line, "\r\n")) != 0; line = end + 2) {
        *end = 0;
        if (strlen(line) >= 4 && line[3] == '-')
            continue;
        if (res->nreplies < SCRIPT_MAX_REPLIES) {
            size_t k = strlen(line);

            if (k >= sizeof(res->replies[0]))
                k = sizeof(res->replies[0]) - 1;
            memcpy(res->replies[res->nreplies], line, k);
            res->replies[res->nreplies++][k] = 0;
        }
    }
}

/* script_run - one whole session against a scripted client */
void script_run(const struct smtpd_config *cfg, const char *client_addr,
                const char *input, size_t len, int linger,
                const struct smtpd_backend *be, struct script_result *res)
{
    int sv[2];
    pid_t pid;
    struct vstream *stream;
    struct smtpd_client client = {client_addr, "unknown"};

    memset(res, 0, sizeof(*res));
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
        return;
    if ((pid = fork()) == 0) {
        close(sv[0]);
        client_child(sv[1], input, len, linger);
    }
    stream = vstream_fdopen(sv[0], VSTREAM_RW);
    res->how = smtpd_session_run(stream, cfg, &client, be);
    vstream_close(stream);
    collect(sv[1], res);
    close(sv[1]);
    waitpid(pid, 0, 0);
}

/* script_expect - compare replies with the expected prefixes */
int script_expect(const struct script_result *res, const char *const *expect)
{
    size_t i;
    int ok = 1;

    for (i = 0; expect[i] != 0; i++)
        if (i >= res->nreplies ||
            strncmp(res->replies[i], expect[i], strlen(expect[i])) != 0)
            ok = 0;
    if (i != res->nreplies)
        ok = 0;
    if (!ok) {
        fprintf(stderr, "\nexpected:");
        for (i = 0; expect[i] != 0; i++)
            fprintf(stderr, " [%s]", expect[i]);
        fprintf(stderr, "\ngot:");
        for (i = 0; i < res->nreplies; i++)
            fprintf(stderr, " [%s]", res->replies[i]);
        fprintf(stderr, "\n");
    }
    return ok;
}
