/*
 * test_smtp_proto.c - the client's protocol engine against a scripted
 * server on the other end of a socketpair (a forked child): greeting and
 * EHLO/HELO, pipelined and lock-step transactions, 4xx/5xx per recipient,
 * a connection dropped in DATA, LMTP per-recipient replies, 8BITMIME and
 * SIZE refusals, dot-stuffing across chunk boundaries, malformed replies.
 *
 * A script is a list of steps: "S:text" the server sends text + CR LF,
 * "C:prefix" it reads one line that must start with prefix, "D" it reads
 * content up to the lone dot, "d:N" it reads N content lines and hangs up,
 * "X" it hangs up. The child writes every line it read into a transcript
 * that the test checks too.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "smtp_proto.h"
#include "smtp_script.h"
#include "testkit.h"
#include "vstring.h"

struct mem {
    const char *data;
    size_t pos;
};

static int mem_rewind(void *ctx)
{
    ((struct mem *)ctx)->pos = 0;
    return 0;
}

/* mem_next - 7 bytes at a time, so lines straddle chunks */
static int mem_next(void *ctx, struct vstring *chunk)
{
    struct mem *m = ctx;
    size_t left = strlen(m->data) - m->pos, n = left > 7 ? 7 : left;

    vstring_set(chunk, m->data + m->pos, n);
    m->pos += n;
    return n > 0;
}

struct run {
    int greet;                    /* smtp_proto_greet result */
    struct smtp_outcome out[4];
    char transcript[8192];
    unsigned features;
};

/* run - one session: greet, deliver msg (if greet ok), close */
static void run(const char *const *script, int lmtp,
                const struct smtp_message *msg, struct run *res)
{
    int sv[2];
    FILE *tr = tmpfile();
    pid_t pid;
    struct smtp_session s;
    struct vstring *why = vstring_alloc(100);
    size_t n;

    memset(res, 0, sizeof(*res));
    signal(SIGPIPE, SIG_IGN);
    CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    fflush(0);
    if ((pid = fork()) == 0) {
        close(sv[0]);
        script_server(sv[1], script, tr);
    }
    close(sv[1]);
    smtp_session_init(&s, sv[0], lmtp, 5, "mx.test[192.0.2.1]:25");
    res->greet = smtp_proto_greet(&s, "client.test", why);
    res->features = s.features;
    if (res->greet == 0 && msg)
        smtp_proto_deliver(&s, msg, res->out);
    smtp_session_close(&s);
    waitpid(pid, 0, 0);
    rewind(tr);
    n = fread(res->transcript, 1, sizeof(res->transcript) - 1, tr);
    res->transcript[n] = 0;
    fclose(tr);
    vstring_free(why);
}

static const struct smtp_rcpt two[] = {
    {"a@example.com", "", ""},
    {"b@example.com", "SUCCESS,FAILURE", "rfc822;b+x@example.com"},
};

static struct mem body = {"Subject: t\n\n.leading dot\nlast\n", 0};

static const struct smtp_message msg2 = {
    "s@example.org", "", "", 2, two, 30, 0, mem_rewind, mem_next, &body};

#define EHLO_PIPE "S:250-mx.test\r\n250-PIPELINING\r\n250-SIZE 1000\r\n" \
                  "250 DSN"

static void test_pipelined_ok(void)
{
    static const char *const script[] = {
        "S:220 mx.test ESMTP", "C:EHLO client.test", EHLO_PIPE,
        "C:MAIL FROM:<s@example.org> SIZE=30", "C:RCPT TO:<a@example.com>",
        "C:RCPT TO:<b@example.com> NOTIFY=SUCCESS,FAILURE "
        "ORCPT=rfc822;b+2Bx@example.com",
        "C:DATA", "S:250 2.1.0 ok", "S:250 2.1.5 ok", "S:250 2.1.5 ok",
        "S:354 go", "D", "S:250 2.0.0 queued as X", "C:QUIT", "S:221 bye",
        0};
    struct run r;

    run(script, 0, &msg2, &r);
    CU_ASSERT_EQUAL(r.greet, 0);
    CU_ASSERT(r.features & SMTP_FEAT_PIPELINING);
    CU_ASSERT_PTR_NULL(strstr(r.transcript, "MISMATCH"));
    CU_ASSERT_STRING_EQUAL(r.out[0].status, "2.0.0");
    CU_ASSERT_STRING_EQUAL(r.out[0].action, "relayed");
    CU_ASSERT_STRING_EQUAL(r.out[1].action, "relayed");
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out[0].reason, "queued as X"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.transcript, "data:..leading dot\r\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.transcript, "data:last\r\ndata:.\r\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.transcript, "QUIT"));
}

static void test_rcpt_5xx_4xx(void)
{
    static const char *const script[] = {
        "S:220 mx.test", "C:EHLO", EHLO_PIPE, "C:MAIL", "C:RCPT", "C:RCPT",
        "C:DATA", "S:250 ok", "S:550-5.1.1 <a@example.com>: no such user",
        "S:550 5.1.1 try again never", "S:450 4.2.0 greylisted",
        "S:554 5.5.1 no valid recipients", "C:QUIT", "S:221 bye", 0};
    struct run r;

    run(script, 0, &msg2, &r);
    CU_ASSERT_PTR_NULL(strstr(r.transcript, "MISMATCH"));
    CU_ASSERT_STRING_EQUAL(r.out[0].status, "5.1.1");
    CU_ASSERT_STRING_EQUAL(r.out[0].action, "failed");
    CU_ASSERT_STRING_EQUAL(r.out[0].reason,
                           "host mx.test[192.0.2.1]:25 said: 550 5.1.1 "
                           "<a@example.com>: no such user 5.1.1 try again "
                           "never (in reply to RCPT TO command)");
    CU_ASSERT_STRING_EQUAL(r.out[1].status, "4.2.0");
    CU_ASSERT_STRING_EQUAL(r.out[1].action, "deferred");
    CU_ASSERT_PTR_NULL(strstr(r.transcript, "data:"));
}

static void test_mail_4xx(void)
{
    static const char *const script[] = {
        "S:220 mx.test", "C:EHLO", EHLO_PIPE, "C:MAIL", "C:RCPT", "C:RCPT",
        "C:DATA", "S:451 4.3.0 try later", "S:503 5.5.1 no MAIL",
        "S:503 5.5.1 no MAIL", "S:503 5.5.1 no rcpt", "C:QUIT", "S:221", 0};
    struct run r;

    run(script, 0, &msg2, &r);
    CU_ASSERT_STRING_EQUAL(r.out[0].status, "4.3.0");
    CU_ASSERT_STRING_EQUAL(r.out[1].action, "deferred");
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out[1].reason, "(in reply to MAIL FROM"));
}

static void test_drop_in_data(void)
{
    static const char *const script[] = {
        "S:220 mx.test", "C:EHLO", EHLO_PIPE, "C:MAIL", "C:RCPT", "C:RCPT",
        "C:DATA", "S:250 ok", "S:250 ok", "S:250 ok", "S:354 go", "d:1", 0};
    struct run r;

    run(script, 0, &msg2, &r);
    CU_ASSERT_STRING_EQUAL(r.out[0].status, "4.4.2");
    CU_ASSERT_STRING_EQUAL(r.out[0].action, "deferred");
    CU_ASSERT_STRING_EQUAL(r.out[1].action, "deferred");
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out[1].reason, "lost connection"));
    CU_ASSERT_PTR_NULL(strstr(r.transcript, "QUIT"));
}

static void test_lockstep_helo(void)
{
    static const char *const script[] = {
        "S:220 old.test", "C:EHLO", "S:502 5.5.2 what?", "C:HELO client.test",
        "S:250 old.test", "C:MAIL FROM:<s@example.org>\r", "S:250 ok",
        "C:RCPT TO:<a@example.com>\r", "S:250 ok",
        "C:RCPT TO:<b@example.com>\r", "S:250 ok", "C:DATA", "S:354 go", "D",
        "S:250 ok", "C:QUIT", "S:221", 0};
    struct run r;

    run(script, 0, &msg2, &r);
    CU_ASSERT_EQUAL(r.greet, 0);
    CU_ASSERT_EQUAL(r.features, 0);
    CU_ASSERT_PTR_NULL(strstr(r.transcript, "MISMATCH"));
    CU_ASSERT_STRING_EQUAL(r.out[0].status, "2.0.0");
    CU_ASSERT_STRING_EQUAL(r.out[1].action, "relayed");
}

static void test_lmtp(void)
{
    static const char *const script[] = {
        "S:220 lmtp.test LMTP", "C:LHLO client.test",
        "S:250-lmtp.test\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES",
        "C:MAIL", "C:RCPT", "C:RCPT", "C:DATA", "S:250 ok", "S:250 ok",
        "S:250 ok", "S:354 go", "D", "S:250 2.1.5 delivered a",
        "S:452 4.2.2 mailbox full", "C:QUIT", "S:221", 0};
    struct run r;

    run(script, 1, &msg2, &r);
    CU_ASSERT_PTR_NULL(strstr(r.transcript, "MISMATCH"));
    CU_ASSERT_STRING_EQUAL(r.out[0].action, "delivered");
    CU_ASSERT_STRING_EQUAL(r.out[0].status, "2.1.5");
    CU_ASSERT_STRING_EQUAL(r.out[1].action, "deferred");
    CU_ASSERT_STRING_EQUAL(r.out[1].status, "4.2.2");
}

static void test_8bit_and_size(void)
{
    static const char *const no8[] = {
        "S:220 mx.test", "C:EHLO", "S:250-mx.test\r\n250 SIZE 10", "C:QUIT",
        "S:221", 0};
    static struct mem b8 = {"Subject: caf\xc3\xa9\n\nx\n", 0};
    struct smtp_message m = {"s@example.org", "", "", 2, two, 20, 1,
                             mem_rewind, mem_next, &b8};
    struct run r;

    run(no8, 0, &m, &r);
    CU_ASSERT_STRING_EQUAL(r.out[0].status, "5.6.3");
    CU_ASSERT_STRING_EQUAL(r.out[1].action, "failed");
    CU_ASSERT_PTR_NULL(strstr(r.transcript, "MAIL"));
    m.eightbit = 0;
    run(no8, 0, &m, &r);
    CU_ASSERT_STRING_EQUAL(r.out[0].status, "5.3.4");
    CU_ASSERT_PTR_NULL(strstr(r.transcript, "MAIL"));
}

static void test_8bitmime_param(void)
{
    static const char *const script[] = {
        "S:220 mx.test", "C:EHLO",
        "S:250-mx.test\r\n250-8BITMIME\r\n250 PIPELINING",
        "C:MAIL FROM:<s@example.org> BODY=8BITMIME", "C:RCPT", "C:RCPT",
        "C:DATA", "S:250 ok", "S:250 ok", "S:250 ok", "S:354 go", "D",
        "S:250 ok", "C:QUIT", "S:221", 0};
    static struct mem b8 = {"Subject: caf\xc3\xa9\n\nx", 0};
    struct smtp_message m = {"s@example.org", "", "", 2, two, 20, 1,
                             mem_rewind, mem_next, &b8};
    struct run r;

    run(script, 0, &m, &r);
    CU_ASSERT_PTR_NULL(strstr(r.transcript, "MISMATCH"));
    CU_ASSERT_STRING_EQUAL(r.out[0].action, "relayed");
    /* a last line without LF still ends in CR LF before the dot */
    CU_ASSERT_PTR_NOT_NULL(strstr(r.transcript, "data:x\r\ndata:.\r\n"));
}

static void test_greeting_failures(void)
{
    static const char *const busy[] = {"S:421 4.3.2 busy", 0};
    static const char *const refuse[] = {"S:554 5.7.1 go away", 0};
    static const char *const garbage[] = {"S:hello there", 0};
    static const char *const mismatch[] = {"S:220-a", "S:250 b", 0};
    static const char *const silent[] = {"X", 0};
    struct run r;

    run(busy, 0, 0, &r);
    CU_ASSERT_EQUAL(r.greet, 4);
    run(refuse, 0, 0, &r);
    CU_ASSERT_EQUAL(r.greet, 5);
    run(garbage, 0, 0, &r);
    CU_ASSERT_EQUAL(r.greet, 4);
    run(mismatch, 0, 0, &r);
    CU_ASSERT_EQUAL(r.greet, 4);
    run(silent, 0, 0, &r);
    CU_ASSERT_EQUAL(r.greet, 4);
}

static const struct testkit_case cases[] = {
    {"pipelined transaction, DSN parameters, dot-stuffing", test_pipelined_ok},
    {"5xx and 4xx on RCPT", test_rcpt_5xx_4xx},
    {"4xx on MAIL defers everyone", test_mail_4xx},
    {"connection dropped in DATA defers everyone", test_drop_in_data},
    {"HELO fallback and lock-step without PIPELINING", test_lockstep_helo},
    {"LMTP: one reply per recipient", test_lmtp},
    {"8-bit to a 7-bit server and SIZE refused locally", test_8bit_and_size},
    {"BODY=8BITMIME when offered", test_8bitmime_param},
    {"greeting 4xx, 5xx, garbage, mismatch, silence", test_greeting_failures},
    {NULL, NULL},
};
TESTKIT_SUITE("smtp_proto", NULL, NULL, cases);
