/*
 * test_smtp_agent.c - the delivery agent from a committed queue file to a
 * scripted server on a loopback port: outcomes per recipient, connection
 * reuse for a second request to the same nexthop (no RSET after a finished
 * transaction, no new greeting), RSET after an unfinished one, a reused
 * session the server closed replaced by a new one,
 * a refused connection deferred with 4.4.1, mandatory TLS to a server
 * without STARTTLS deferred with 4.7.4, and an unreadable queue file.
 *
 * deliver_request_status() is defined here (the agent's only use of the
 * delivery protocol module), so the suite needs no qmgr.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "deliver_request.h"
#include "mymalloc.h"
#include "queue.h"
#include "queue_file.h"
#include "smtp_agent.h"
#include "smtp_script.h"
#include "smtp_tls.h"
#include "testkit.h"
#include "vstring.h"

void deliver_request_status(struct deliver_request *req, size_t i,
                            const char *dsn_status, const char *dsn_action,
                            const char *reason)
{
    struct deliver_rcpt *r = &req->rcpts[i];

    myfree(r->dsn_status);
    myfree(r->dsn_action);
    myfree(r->reason);
    r->dsn_status = mystrdup(dsn_status);
    r->dsn_action = mystrdup(dsn_action);
    r->reason = mystrdup(reason);
}

/* make_queue_file - a committed file in root/active; its id into id */
static void make_queue_file(const char *root, char *id, size_t size)
{
    struct vstring *why = vstring_alloc(10), *rc = vstring_alloc(10);
    struct queue_file *qf;

    qf = queue_file_create(root, QUEUE_ACTIVE, 0600, why);
    CU_ASSERT_PTR_NOT_NULL_FATAL(qf);
    snprintf(id, size, "%s", queue_file_id(qf));
    queue_file_put_str(qf, REC_TIME, "1700000000.000000");
    queue_file_put_str(qf, REC_SENDER, "s@example.org");
    record_rcpt_encode(rc, "a@example.com", "", "");
    queue_file_put(qf, REC_RCPT, vstring_str(rc), vstring_len(rc));
    record_rcpt_encode(rc, "b@example.com", "", "");
    queue_file_put(qf, REC_RCPT, vstring_str(rc), vstring_len(rc));
    queue_file_put(qf, REC_MESSAGE, "", 0);
    queue_file_put_str(qf, REC_CONTENT, "Subject: hi\n\nbody\n");
    queue_file_put(qf, REC_CONTENT_END, "", 0);
    CU_ASSERT_EQUAL_FATAL(queue_file_commit(qf, why), 0);
    vstring_free(why);
    vstring_free(rc);
}

/* request - a request as qmgr would send it */
static struct deliver_request *request(const char *id, const char *nexthop)
{
    struct deliver_request *req = mymalloc(sizeof(*req));
    static const char *const to[] = {"a@example.com", "b@example.com"};
    size_t i;

    memset(req, 0, sizeof(*req));
    req->queue_name = mystrdup(QUEUE_ACTIVE);
    req->queue_id = mystrdup(id);
    req->queue_file = mystrdup(id);
    req->sender = mystrdup("s@example.org");
    req->envid = mystrdup("");
    req->ret = mystrdup("");
    req->nexthop = mystrdup(nexthop);
    req->rcpt_count = 2;
    req->rcpts = mymalloc(sizeof(*req->rcpts) * 2);
    memset(req->rcpts, 0, sizeof(*req->rcpts) * 2);
    for (i = 0; i < 2; i++) {
        req->rcpts[i].address = mystrdup(to[i]);
        req->rcpts[i].orcpt = mystrdup("");
        req->rcpts[i].notify = mystrdup("");
    }
    return req;
}

static void request_free(struct deliver_request *req)
{
    size_t i;

    for (i = 0; i < req->rcpt_count; i++) {
        struct deliver_rcpt *r = &req->rcpts[i];

        myfree(r->address), myfree(r->orcpt), myfree(r->notify);
        myfree(r->dsn_status), myfree(r->dsn_action), myfree(r->reason);
    }
    myfree(req->rcpts);
    myfree(req->queue_name), myfree(req->queue_id), myfree(req->queue_file);
    myfree(req->sender);
    myfree(req->envid), myfree(req->ret), myfree(req->nexthop);
    myfree(req);
}

/* listener - a loopback port whose connections, one after the other, are
 * served by scripts[0], scripts[1], ... in a child */
static pid_t listener_n(const char *const *const *scripts, FILE *tr,
                        char *nexthop, size_t size)
{
    struct sockaddr_in sin;
    socklen_t len = sizeof(sin);
    int lfd = socket(AF_INET, SOCK_STREAM, 0), fd;
    pid_t pid, one;

    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CU_ASSERT_FATAL(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) == 0);
    CU_ASSERT_FATAL(listen(lfd, 5) == 0);
    getsockname(lfd, (struct sockaddr *)&sin, &len);
    snprintf(nexthop, size, "[127.0.0.1]:%u", ntohs(sin.sin_port));
    fflush(0);
    if ((pid = fork()) == 0) {
        for (; *scripts; scripts++) {
            fd = accept(lfd, 0, 0);
            if ((one = fork()) == 0)
                script_server(fd, *scripts, tr);
            close(fd);
            waitpid(one, 0, 0);
        }
        _exit(0);
    }
    close(lfd);
    return pid;
}

/* listener - a loopback port served once by script in a child */
static pid_t listener(const char *const *script, FILE *tr, char *nexthop,
                      size_t size)
{
    const char *const *scripts[] = {script, 0};

    return listener_n(scripts, tr, nexthop, size);
}

static void config(struct smtp_agent_config *cfg, const char *root)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->queue_dir = root;
    cfg->helo_name = "client.test";
    cfg->connect_timeout = 5;
    cfg->timeout = 5;
    cfg->reuse_time = 5;
    cfg->tls_level = SMTP_TLS_MAY;
    cfg->default_port = 25;
}

/* prepare - root/active with one committed message (its id into id),
 * the agent's configuration, SIGPIPE ignored */
static void prepare(const char *root, char *id, size_t size,
                    struct smtp_agent_config *cfg)
{
    char path[512];

    signal(SIGPIPE, SIG_IGN);
    snprintf(path, sizeof(path), "%s/active", root);
    mkdir(path, 0700);
    make_queue_file(root, id, size);
    config(cfg, root);
}

/* finish - QUIT, wait for the scripted server, read its transcript into
 * buf: every line as the script wanted, and a QUIT */
static void finish(const struct smtp_agent_config *cfg, pid_t pid, FILE *tr,
                   char *buf, size_t size)
{
    size_t n;

    smtp_agent_flush(cfg, 0);
    waitpid(pid, 0, 0);
    rewind(tr);
    n = fread(buf, 1, size - 1, tr);
    buf[n] = 0;
    CU_ASSERT_PTR_NULL(strstr(buf, "MISMATCH"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "QUIT"));
}

#define EHLO "S:250-mx.test\r\n250 PIPELINING"

static void test_two_requests_one_connection(void)
{
    static const char *const script[] = {
        "S:220 mx.test", "C:EHLO client.test", EHLO, "C:MAIL", "C:RCPT",
        "C:RCPT", "C:DATA", "S:250 ok", "S:250 ok",
        "S:550 5.1.1 no such user", "S:354 go", "D", "S:250 2.0.0 queued",
        "C:MAIL", "C:RCPT", "C:RCPT", "C:DATA", "S:250 ok", "S:250 ok",
        "S:451 4.2.0 later", "S:354 go", "D", "S:250 2.0.0 queued", "C:QUIT",
        "S:221", 0};
    char *root = testkit_tempdir(), id[64], nexthop[64];
    FILE *tr = tmpfile();
    struct smtp_agent_config cfg;
    struct deliver_request *req;
    pid_t pid;
    char transcript[8192];

    prepare(root, id, sizeof(id), &cfg);
    pid = listener(script, tr, nexthop, sizeof(nexthop));
    req = request(id, nexthop);
    smtp_agent_deliver(&cfg, req);
    CU_ASSERT_STRING_EQUAL(req->rcpts[0].dsn_status, "2.0.0");
    CU_ASSERT_STRING_EQUAL(req->rcpts[0].dsn_action, "relayed");
    CU_ASSERT_STRING_EQUAL(req->rcpts[1].dsn_status, "5.1.1");
    CU_ASSERT_STRING_EQUAL(req->rcpts[1].dsn_action, "failed");
    CU_ASSERT_PTR_NOT_NULL(strstr(req->rcpts[1].reason,
                                  "said: 550 5.1.1 no such user (in reply "
                                  "to RCPT TO command)"));
    request_free(req);
    req = request(id, nexthop); /* the same nexthop: no new connection */
    smtp_agent_deliver(&cfg, req);
    CU_ASSERT_STRING_EQUAL(req->rcpts[0].dsn_action, "relayed");
    CU_ASSERT_STRING_EQUAL(req->rcpts[1].dsn_status, "4.2.0");
    CU_ASSERT_STRING_EQUAL(req->rcpts[1].dsn_action, "deferred");
    request_free(req);
    finish(&cfg, pid, tr, transcript, sizeof(transcript));
    CU_ASSERT_PTR_NOT_NULL(strstr(transcript, "data:body\r\n"));
    fclose(tr);
    testkit_rmtree(root);
    free(root);
}

static void test_refused_and_tls_required(void)
{
    static const char *const script[] = {
        "S:220 mx.test", "C:EHLO", EHLO, "C:QUIT", "S:221", 0};
    char *root = testkit_tempdir(), id[64], nexthop[64];
    FILE *tr = tmpfile();
    struct smtp_agent_config cfg;
    struct deliver_request *req;
    pid_t pid;

    prepare(root, id, sizeof(id), &cfg);
    /* a port nobody listens on: bind, read the port, close */
    pid = listener((const char *const[]){"X", 0}, tr, nexthop,
                   sizeof(nexthop));
    kill(pid, SIGKILL);
    waitpid(pid, 0, 0);
    req = request(id, nexthop);
    smtp_agent_deliver(&cfg, req);
    CU_ASSERT_STRING_EQUAL(req->rcpts[0].dsn_status, "4.4.1");
    CU_ASSERT_STRING_EQUAL(req->rcpts[1].dsn_action, "deferred");
    CU_ASSERT_PTR_NOT_NULL(strstr(req->rcpts[0].reason, "refused"));
    request_free(req);
    /* encrypt to a server without STARTTLS */
    cfg.tls_level = SMTP_TLS_ENCRYPT;
    cfg.tls = smtp_tls_client_create("", 0);
    pid = listener(script, tr, nexthop, sizeof(nexthop));
    req = request(id, nexthop);
    smtp_agent_deliver(&cfg, req);
    CU_ASSERT_STRING_EQUAL(req->rcpts[0].dsn_status, "4.7.4");
    CU_ASSERT_STRING_EQUAL(req->rcpts[1].dsn_action, "deferred");
    request_free(req);
    waitpid(pid, 0, 0);
    smtp_tls_client_free(cfg.tls);
    /* a queue file that is not there */
    req = request("0123456789ABCDEF0123456", nexthop);
    smtp_agent_deliver(&cfg, req);
    CU_ASSERT_STRING_EQUAL(req->rcpts[0].dsn_status, "4.3.0");
    request_free(req);
    fclose(tr);
    testkit_rmtree(root);
    free(root);
}

/* one request to nexthop: every recipient's DSN status, "a b" */
static void deliver_expect(const struct smtp_agent_config *cfg, const char *id,
                           const char *nexthop, const char *want0,
                           const char *want1)
{
    struct deliver_request *req = request(id, nexthop);

    smtp_agent_deliver(cfg, req);
    CU_ASSERT_STRING_EQUAL(req->rcpts[0].dsn_status, want0);
    CU_ASSERT_STRING_EQUAL(req->rcpts[1].dsn_status, want1);
    request_free(req);
}

static void test_rset_only_when_open_and_stale_reuse(void)
{
    /* MAIL refused: the open transaction ends with RSET; then the server
     * drops the idle session at the client's next MAIL (unanswered) */
    static const char *const refused[] = {
        "S:220 mx.test", "C:EHLO", EHLO, "C:MAIL", "C:RCPT", "C:RCPT",
        "C:DATA", "S:452 4.3.1 full", "S:503 5.5.1 MAIL first",
        "S:503 5.5.1 MAIL first", "S:503 5.5.1 MAIL first", "C:RSET",
        "S:250 ok", "C:MAIL", "X", 0};
    /* the message again, at once, on a new connection; then it hangs up
     * while idle; the third request needs a third connection */
    static const char *const fresh[] = {
        "S:220 mx.test", "C:EHLO", EHLO, "C:MAIL", "C:RCPT", "C:RCPT",
        "C:DATA", "S:250 ok", "S:250 ok", "S:250 ok", "S:354 go", "D",
        "S:250 2.0.0 queued", "X", 0};
    static const char *const last[] = {
        "S:220 mx.test", "C:EHLO", EHLO, "C:MAIL", "C:RCPT", "C:RCPT",
        "C:DATA", "S:250 ok", "S:250 ok", "S:250 ok", "S:354 go", "D",
        "S:250 2.0.0 queued", "C:QUIT", "S:221", 0};
    const char *const *scripts[] = {refused, fresh, last, 0};
    char *root = testkit_tempdir(), id[64], nexthop[64];
    FILE *tr = tmpfile();
    struct smtp_agent_config cfg;
    char transcript[8192];
    pid_t pid;

    prepare(root, id, sizeof(id), &cfg);
    pid = listener_n(scripts, tr, nexthop, sizeof(nexthop));
    deliver_expect(&cfg, id, nexthop, "4.3.1", "4.3.1");
    deliver_expect(&cfg, id, nexthop, "2.0.0", "2.0.0");
    deliver_expect(&cfg, id, nexthop, "2.0.0", "2.0.0");
    finish(&cfg, pid, tr, transcript, sizeof(transcript));
    CU_ASSERT_PTR_NOT_NULL(strstr(transcript, "RSET"));
    fclose(tr);
    testkit_rmtree(root);
    free(root);
}

static const struct testkit_case cases[] = {
    {"RSET only after an unfinished transaction; a reused session the "
     "server closed is replaced",
     test_rset_only_when_open_and_stale_reuse},
    {"two requests, one connection, per-recipient outcomes",
     test_two_requests_one_connection},
    {"refused connection, TLS required, missing queue file",
     test_refused_and_tls_required},
    {NULL, NULL},
};
TESTKIT_SUITE("smtp_agent", NULL, NULL, cases);
