/*
 * test_cleanup_session.c - cleanup's session and cleanup_client.c
 * against each other: a forked child runs cleanup_session_run() on a real
 * private/cleanup socket in a temporary queue; the parent submits with
 * cleanup_client and reads what was committed with queue_file_read.
 * Covers: commit and reply, canonical headers and rewriting, the limits'
 * codes with nothing queued, a client that aborts, a server that dies
 * without replying (the client is told 4.3.0).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup_client.h"
#include "cleanup_state.h"
#include "dict.h"
#include "mail_proto.h"
#include "queue.h"
#include "queue_file.h"
#include "testkit.h"
#include "vstream.h"
#include "vstring.h"

static char *root;
static pid_t server;

/* listen_cleanup - root/private/cleanup */
static int listen_cleanup(void)
{
    struct sockaddr_un sun;
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    memset(&sun, 0, sizeof(sun));
    sun.sun_family = AF_UNIX;
    snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/private/cleanup", root);
    if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
        listen(fd, 5) < 0) {
        perror("listen");
        exit(2);
    }
    return fd;
}

/*
 * start_server - a child serving connections with cleanup_session_run;
 * mode 1: die (like SIGKILL) after reading the first bytes, no reply.
 */
static void start_server(const struct cleanup_limits *lim, int mode)
{
    static struct cleanup_rewrite rw;
    static struct dict *virt, *canon;
    struct cleanup_config cfg;
    struct vstring *why = vstring_alloc(10);
    int lfd = listen_cleanup(), fd;
    char byte;

    if ((server = fork()) != 0) {
        close(lfd);
        vstring_free(why);
        return;
    }
    cleanup_rewrite_init(&rw, "origin.example", "origin.example, localhost");
    virt = dict_create(DICT_SYNTAX_SPACE, DICT_FLAG_FOLD_KEYS, 0);
    dict_load_buffer(virt, "v", "team@origin.example a@x.example, b\n", 35,
                     why);
    rw.virtual_alias = virt;
    canon = dict_create(DICT_SYNTAX_SPACE, DICT_FLAG_FOLD_KEYS, 0);
    dict_load_buffer(canon, "c", "alice@origin.example ali@canon.example\n",
                     39, why);
    rw.canonical = canon;
    memset(&cfg, 0, sizeof(cfg));
    cfg.queue_dir = root;
    cfg.myhostname = "mx.example";
    cfg.limits = lim ? *lim : cleanup_default_limits;
    cfg.timeout = 5;
    cfg.rw = &rw;
    for (;;) {
        if ((fd = accept(lfd, 0, 0)) < 0)
            _exit(0);
        if (mode == 1) {
            (void)read(fd, &byte, 1);
            _exit(9);
        }
        struct vstream *s = vstream_fdopen(fd, VSTREAM_RW);
        vstream_set_timeout(s, 5);
        (void)cleanup_session_run(s, &cfg);
        (void)vstream_close(s);
    }
}

/* setup - a fresh queue */
static void setup(const struct cleanup_limits *lim, int mode)
{
    struct vstring *why = vstring_alloc(10), *p = vstring_alloc(10);

    root = testkit_tempdir();
    CU_ASSERT_EQUAL_FATAL(queue_dirs_create(root, -1, -1, why), 0);
    vstring_sprintf(p, "%s/private", root);
    mkdir(vstring_str(p), 0700);
    start_server(lim, mode);
    vstring_free(why);
    vstring_free(p);
}

/* stop_server - also the suite's cleanup, after a fatal assertion */
static int stop_server(void)
{
    if (server > 0) {
        kill(server, SIGTERM);
        waitpid(server, 0, 0);
    }
    server = 0;
    return 0;
}

/* teardown - stop the server, remove the queue */
static void teardown(void)
{
    stop_server();
    testkit_rmtree(root);
    free(root);
}

/* submit - one message; returns the CLEANUP_* result */
static int submit(const char *sender, const char **rcpts, const char *text,
                  int flags, struct vstring *id, struct vstring *why)
{
    struct cleanup_client *cc = cleanup_client_open(root, flags, 5, why);
    size_t i, len = strlen(text);

    CU_ASSERT_PTR_NOT_NULL_FATAL(cc);
    cleanup_client_attr(cc, MAIL_ATTR_PROTOCOL, "ESMTP");
    cleanup_client_sender(cc, sender);
    for (; rcpts && *rcpts; rcpts++)
        cleanup_client_rcpt(cc, *rcpts, "", "");
    for (i = 0; i < len; i += 5) /* lines cut across records */
        cleanup_client_content(cc, text + i, len - i < 5 ? len - i : 5);
    return cleanup_client_commit(cc, id, why);
}

/* incoming_count - committed files in incoming/ (and .part ones) */
static int incoming_count(int *parts)
{
    struct vstring *id = vstring_alloc(32), *why = vstring_alloc(10);
    struct queue_scan scan;
    int n = 0, is_part;

    *parts = 0;
    CU_ASSERT_EQUAL(queue_scan_open(&scan, root, QUEUE_INCOMING, why), 0);
    while (queue_scan_next(&scan, id, &is_part))
        *(is_part ? parts : &n) += 1;
    queue_scan_close(&scan);
    vstring_free(id);
    vstring_free(why);
    return n;
}

/* read_content - the whole content of a committed file */
static struct queue_message *read_message(const char *id, struct vstring *text)
{
    struct vstring *why = vstring_alloc(10), *chunk = vstring_alloc(100);
    struct queue_message *m;

    CU_ASSERT_EQUAL_FATAL(
        queue_file_read(root, QUEUE_INCOMING, id, 0, &m, why), QUEUE_FILE_OK);
    vstring_reset(text);
    CU_ASSERT_EQUAL(queue_message_rewind(m), 0);
    while (queue_message_next_chunk(m, chunk) == 1)
        vstring_append(text, vstring_str(chunk), vstring_len(chunk));
    vstring_free(why);
    vstring_free(chunk);
    return m;
}

/* test_commit - the happy path, rewriting and canonical headers */
static void test_commit(void)
{
    static const char *rcpts[] = {"bob", "team@origin.example", 0};
    struct vstring *id = vstring_alloc(32), *why = vstring_alloc(10);
    struct vstring *text = vstring_alloc(100);
    struct queue_message *m;
    int parts;

    setup(0, 0);
    CU_ASSERT_EQUAL(submit("alice", rcpts,
                           "To: bob\r\nBcc: secret@x.example\nSubject: s\n\n"
                           "body\nlast line without LF",
                           0, id, why),
                    CLEANUP_OK);
    CU_ASSERT_TRUE(queue_id_valid(vstring_str(id)));
    CU_ASSERT_EQUAL(incoming_count(&parts), 1);
    CU_ASSERT_EQUAL(parts, 0);
    m = read_message(vstring_str(id), text);
    CU_ASSERT_STRING_EQUAL(m->sender, "ali@canon.example"); /* canonical */
    CU_ASSERT_EQUAL_FATAL(m->rcpt_count, 3);
    CU_ASSERT_STRING_EQUAL(m->rcpts[0].address, "bob@origin.example");
    CU_ASSERT_STRING_EQUAL(m->rcpts[1].address, "a@x.example");
    CU_ASSERT_STRING_EQUAL(m->rcpts[2].address, "b@origin.example");
    CU_ASSERT_PTR_NOT_NULL(strstr(vstring_str(text), "To: bob@origin.example\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(vstring_str(text), "with ESMTP id "));
    CU_ASSERT_PTR_NOT_NULL(strstr(vstring_str(text), "From: ali@canon.example\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(vstring_str(text), "Message-ID: <"));
    CU_ASSERT_PTR_NULL(strstr(vstring_str(text), "secret"));
    CU_ASSERT_PTR_NOT_NULL(strstr(vstring_str(text),
                                  "\n\nbody\nlast line without LF\n"));
    queue_message_free(m);
    teardown();
    vstring_free(id);
    vstring_free(why);
    vstring_free(text);
}

struct limit_case {
    const char *text;
    size_t nrcpt;
    const char *code;
};

/* test_limits - each limit refused with its code, nothing queued */
static void test_limits(void)
{
    static const struct limit_case cases[] = {
        {"S: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n\nb\n", 1,
         "5.6.0 message line longer than 40 bytes"},
        {"A: 1\nB: 2\nC: 3\nD: 4\n\nb\n", 1, "5.6.0 more than 3 header fields"},
        {"S: 1\n\n0123456789012345678901234567890\n0123456789012345678901\n"
         "0123456789012345678901234567890\n0123456789\n",
         1, "5.3.4 message too big (more than 100 bytes)"},
        {"S: 1\n\nb\n", 3, "5.5.3 too many recipients"},
        {"S: 1\n\nb\n", 0, "5.5.1 no recipients"},
        {0, 0, 0},
    };
    static const char *rcpts[] = {"a@x.example", "b@x.example", "c@x.example",
                                  0};
    struct cleanup_limits lim = {40, 30, 3, 100, 2};
    struct vstring *id = vstring_alloc(32), *why = vstring_alloc(10);
    const char *some[4];
    const struct limit_case *c;
    int parts;
    size_t i;

    setup(&lim, 0);
    for (c = cases; c->text; c++) {
        for (i = 0; i < c->nrcpt; i++)
            some[i] = rcpts[i];
        some[c->nrcpt] = 0;
        CU_ASSERT_EQUAL(submit("a@x.example", some, c->text, 0, id, why),
                        CLEANUP_REJECT);
        CU_ASSERT_STRING_EQUAL(vstring_str(why), c->code);
    }
    CU_ASSERT_EQUAL(incoming_count(&parts), 0);
    CU_ASSERT_EQUAL(parts, 0);
    teardown();
    vstring_free(id);
    vstring_free(why);
}

/* test_extract - -t: recipients from the headers */
static void test_extract(void)
{
    struct vstring *id = vstring_alloc(32), *why = vstring_alloc(10);
    struct vstring *text = vstring_alloc(100);
    struct queue_message *m;

    setup(0, 0);
    CU_ASSERT_EQUAL(submit("", 0,
                           "To: Alice <alice@origin.example>\nCc: bob\n"
                           "Bcc: c@y.example\n\nb\n",
                           CLEANUP_FLAG_EXTRACT_RCPT, id, why),
                    CLEANUP_OK);
    m = read_message(vstring_str(id), text);
    CU_ASSERT_STRING_EQUAL(m->sender, "");
    CU_ASSERT_EQUAL_FATAL(m->rcpt_count, 3);
    CU_ASSERT_STRING_EQUAL(m->rcpts[0].address, "alice@origin.example");
    CU_ASSERT_STRING_EQUAL(m->rcpts[1].address, "bob@origin.example");
    CU_ASSERT_STRING_EQUAL(m->rcpts[2].address, "c@y.example");
    /* header addresses: canonical_maps keep the display name; a bare
     * name is qualified */
    CU_ASSERT_PTR_NOT_NULL(strstr(vstring_str(text),
                                  "To: Alice <ali@canon.example>\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(vstring_str(text),
                                  "Cc: bob@origin.example\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(vstring_str(text),
                                  "From: MAILER-DAEMON@mx.example\n"));
    queue_message_free(m);
    teardown();
    vstring_free(id);
    vstring_free(why);
    vstring_free(text);
}

/* test_abort_and_death - nothing queued, and the client hears 4.3.0 */
static void test_abort_and_death(void)
{
    static const char *rcpts[] = {"a@x.example", 0};
    struct vstring *id = vstring_alloc(32), *why = vstring_alloc(10);
    struct cleanup_client *cc;
    int parts;

    setup(0, 0);
    cc = cleanup_client_open(root, 0, 5, why);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cc);
    cleanup_client_sender(cc, "a@x.example");
    cleanup_client_rcpt(cc, "b@x.example", "", "");
    cleanup_client_content(cc, "S: 1\n\nbody\n", 12);
    cleanup_client_abort(cc);
    /* the next message is served: the server discarded the first */
    CU_ASSERT_EQUAL(submit("a@x.example", rcpts, "S: 2\n\nb\n", 0, id, why),
                    CLEANUP_OK);
    CU_ASSERT_EQUAL(incoming_count(&parts), 1);
    CU_ASSERT_EQUAL(parts, 0);
    teardown();

    setup(0, 1); /* a cleanup that dies before answering */
    CU_ASSERT_EQUAL(submit("a@x.example", rcpts, "S: 1\n\nb\n", 0, id, why),
                    CLEANUP_DEFER);
    CU_ASSERT_EQUAL(strncmp(vstring_str(why), "4.3.0 ", 6), 0);
    teardown();

    root = testkit_tempdir(); /* nobody listening */
    CU_ASSERT_PTR_NULL(cleanup_client_open(root, 0, 5, why));
    CU_ASSERT_EQUAL(strncmp(vstring_str(why), "4.3.0 cannot connect", 20), 0);
    testkit_rmtree(root);
    free(root);
    vstring_free(id);
    vstring_free(why);
}

static const struct testkit_case cases[] = {
    {"commit, rewriting, canonical headers", test_commit},
    {"limits refused with their codes, nothing queued", test_limits},
    {"-t recipients and the null sender", test_extract},
    {"client abort, server death, no server", test_abort_and_death},
    {0, 0},
};

TESTKIT_SUITE("cleanup_session", 0, stop_server, cases);
