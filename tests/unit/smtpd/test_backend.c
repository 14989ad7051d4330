/*
 * test_backend.c - the hand-off to the submission backend: "250 queued" only
 * after a successful commit, 451 4.3.0 when the backend fails, DSN
 * parameters carried in the envelope; plus configuration-dependent rules
 * (VRFY on, timeouts) and enhanced status codes on every reply.
 */
#include <stdio.h>
#include <string.h>

#include "smtpd_reply.h"
#include "smtpd_script.h"
#include "testkit.h"

#define CLIENT "192.0.2.7"
#define MSG                                                                    \
    "EHLO c.example.com\r\nMAIL FROM:<a@example.com>\r\n"                      \
    "RCPT TO:<u@example.org>\r\nDATA\r\nhello\r\n.\r\nQUIT\r\n"

/* A backend behaviour and the reply to the end of DATA that it must give. */
static const struct {
    const char *name;
    int begin_result, write_fails, commit_result;
    const char *why;
    const char *data_reply; /* reply to DATA (after 354 when begin is ok) */
    int begins, commits, aborts;
} failures[] = {
    {"commit defers (cleanup died)", 0, 0, SMTPD_BACKEND_DEFER, 0,
     "451 4.3.0 Error: queue file write error", 1, 0, 0},
    {"commit defers with cleanup's code", 0, 0, SMTPD_BACKEND_DEFER,
     "4.3.5 queue directory full", "451 4.3.5 Error: queue directory full", 1,
     0, 0},
    {"a code of the wrong class is text", 0, 0, SMTPD_BACKEND_DEFER,
     "5.3.5 oops", "451 4.3.0 Error: 5.3.5 oops", 1, 0, 0},
    {"commit rejects", 0, 0, SMTPD_BACKEND_REJECT, "content refused",
     "554 5.7.1 Error: content refused", 1, 0, 0},
    {"write fails: consumed, aborted", 0, 1, 0, 0,
     "451 4.3.0 Error: queue file write error", 1, 0, 1},
};

static void test_backend_failures(void)
{
    struct smtpd_config cfg;
    struct fake_backend fb;
    struct smtpd_backend be;
    struct script_result res;
    size_t i, k;
    char data_reply[64];

    script_config(&cfg);
    for (i = 0; i < sizeof(failures) / sizeof(failures[0]); i++) {
        fake_backend_init(&fb, &be);
        fb.begin_result = failures[i].begin_result;
        fb.write_fails = failures[i].write_fails;
        fb.commit_result = failures[i].commit_result;
        fb.why = failures[i].why;
        script_run(&cfg, CLIENT, MSG, strlen(MSG), 0, &be, &res);
        snprintf(data_reply, sizeof(data_reply), "%s",
                 failures[i].data_reply);
        {
            const char *expect[] = {"220", "250",      "250", "250",
                                    "354", data_reply, "221", 0};
            CU_ASSERT(script_expect(&res, expect));
        }
        CU_ASSERT_EQUAL(fb.begins, failures[i].begins);
        CU_ASSERT_EQUAL(fb.commits, failures[i].commits);
        CU_ASSERT_EQUAL(fb.aborts, failures[i].aborts);
        for (k = 0; k < res.nreplies; k++)
            CU_ASSERT(strncmp(res.replies[k], "250 2.0.0 Ok: queued", 20));
    }
}

static void test_begin_fails(void)
{
    struct smtpd_config cfg;
    struct fake_backend fb;
    struct smtpd_backend be;
    struct script_result res;
    static const char *const expect[] = {
        "220", "250", "250", "250", "451 4.3.0", "500 5.5.1", "500 5.5.1",
        "221", 0};

    script_config(&cfg);
    fake_backend_init(&fb, &be);
    fb.begin_result = SMTPD_BACKEND_DEFER;
    /* no 354, so "hello" and "." are read as (unknown) commands */
    script_run(&cfg, CLIENT, MSG, strlen(MSG), 0, &be, &res);
    CU_ASSERT(script_expect(&res, expect));
    CU_ASSERT_EQUAL(fb.commits + fb.aborts, 0);
}

static void test_dsn_params_reach_envelope(void)
{
    static const char in[] =
        "EHLO c.example.com\r\n"
        "MAIL FROM:<a@example.com> RET=HDRS ENVID=QQ+2Bid+3D1 SIZE=100 "
        "BODY=8BITMIME\r\n"
        "RCPT TO:<u@example.org> NOTIFY=SUCCESS,FAILURE "
        "ORCPT=rfc822;u+40example.org\r\n"
        "RCPT TO:<@example.org:v@example.net> NOTIFY=NEVER\r\n"
        "RCPT TO:<w@example.org> NOTIFY=NEVER,DELAY\r\n"
        "RCPT TO:<w@example.org> FOO=bar\r\n"
        "DATA\r\nx\r\n.\r\n";
    static const char *const expect[] = {
        "220", "250", "250 2.1.0", "250 2.1.5", "554 5.7.1", "501 5.5.4",
        "555 5.5.4", "354", "250 2.0.0", 0};
    struct smtpd_config cfg;
    struct fake_backend fb;
    struct smtpd_backend be;
    struct script_result res;

    script_config(&cfg);
    fake_backend_init(&fb, &be);
    script_run(&cfg, CLIENT, in, strlen(in), 0, &be, &res);
    CU_ASSERT(script_expect(&res, expect));
    CU_ASSERT_EQUAL(fb.commits, 1);
    CU_ASSERT_STRING_EQUAL(fb.sender, "a@example.com");
    CU_ASSERT_EQUAL(fb.mail.ret, SMTPD_RET_HDRS);
    CU_ASSERT_STRING_EQUAL(fb.mail.envid, "QQ+id=1");
    CU_ASSERT_EQUAL(fb.mail.size, 100);
    CU_ASSERT_EQUAL(fb.mail.body, SMTPD_BODY_8BITMIME);
    CU_ASSERT_EQUAL(fb.nrcpt, 1);
    CU_ASSERT_STRING_EQUAL(fb.rcpt[0], "u@example.org");
    CU_ASSERT_EQUAL(fb.rparams[0].notify,
                    SMTPD_NOTIFY_SUCCESS | SMTPD_NOTIFY_FAILURE);
    CU_ASSERT_STRING_EQUAL(fb.rparams[0].orcpt_type, "rfc822");
    CU_ASSERT_STRING_EQUAL(fb.rparams[0].orcpt_addr, "u@example.org");
}

static void test_source_route_from_trusted_is_dropped(void)
{
    static const char in[] = "EHLO c\r\nMAIL FROM:<@a.test,@b.test:x@c.test>\r\n"
                             "RCPT TO:<@example.org:v@other.test>\r\n"
                             "DATA\r\nx\r\n.\r\n";
    static const char *const expect[] = {"220", "250", "250", "250",
                                         "354", "250", 0};
    struct smtpd_config cfg;
    struct fake_backend fb;
    struct smtpd_backend be;
    struct script_result res;

    script_config(&cfg);
    fake_backend_init(&fb, &be);
    script_run(&cfg, "127.0.0.1", in, strlen(in), 0, &be, &res);
    CU_ASSERT(script_expect(&res, expect));
    CU_ASSERT_STRING_EQUAL(fb.sender, "x@c.test");
    CU_ASSERT_STRING_EQUAL(fb.rcpt[0], "v@other.test");
}

static void test_vrfy_enabled(void)
{
    static const char in[] = "VRFY <u@example.org>\r\nVRFY <u@other.test>\r\n"
                             "VRFY nobody\r\nVRFY <postmaster>\r\n";
    static const char *const expect[] = {"220", "252 2.1.5", "554 5.7.1",
                                         "501 5.1.3", "252 2.1.5", 0};
    struct smtpd_config cfg;
    struct fake_backend fb;
    struct smtpd_backend be;
    struct script_result res;

    script_config(&cfg);
    cfg.vrfy_enable = 1;
    fake_backend_init(&fb, &be);
    script_run(&cfg, CLIENT, in, strlen(in), 0, &be, &res);
    CU_ASSERT(script_expect(&res, expect));
}

static void test_timeout(void)
{
    static const char in[] = "EHLO c\r\nMAIL FROM:<a@example.com>\r\n";
    static const char *const expect[] = {"220", "250", "250",
                                         "421 4.4.2", 0};
    struct smtpd_config cfg;
    struct fake_backend fb;
    struct smtpd_backend be;
    struct script_result res;

    script_config(&cfg);
    cfg.timeout = 1;
    fake_backend_init(&fb, &be);
    script_run(&cfg, CLIENT, in, strlen(in), 3, &be, &res);
    CU_ASSERT(script_expect(&res, expect));
    CU_ASSERT_EQUAL(res.how, SMTPD_SESSION_TIMEOUT);
}

/* is_greeting_like - replies that RFC 2034 exempts from enhanced codes */
static int exempt(const char *reply)
{
    return strncmp(reply, "220 mx", 6) == 0 || strncmp(reply, "354", 3) == 0 ||
           strcmp(reply, "250 CHUNKING") == 0 ||
           strcmp(reply, "250 mx.example.org") == 0;
}

static void test_enhanced_codes_everywhere(void)
{
    static const char in[] =
        "NOOP\r\nFOO\r\nMAIL FROM:<a@b.test>\r\nHELO c\r\nEHLO c\r\n"
        "MAIL FROM:<a@b.test> X=1\r\nMAIL FROM:<a@b.test>\r\n"
        "RCPT TO:<x@other.test>\r\nRCPT TO:<u@example.org>\r\n"
        "VRFY x\r\nEXPN x\r\nHELP\r\nSTARTTLS\r\nDATA\r\nx\r\n.\r\n"
        "BDAT 2 LAST\r\nxy"
        "RSET\r\nQUIT\r\n";
    struct smtpd_config cfg;
    struct fake_backend fb;
    struct smtpd_backend be;
    struct script_result res;
    size_t i;
    char dsn[16];
    int code;

    script_config(&cfg);
    cfg.error_limit = 100;
    fake_backend_init(&fb, &be);
    script_run(&cfg, CLIENT, in, strlen(in), 0, &be, &res);
    CU_ASSERT_EQUAL(res.nreplies, 19);
    for (i = 0; i < res.nreplies; i++) {
        if (exempt(res.replies[i]))
            continue;
        CU_ASSERT_EQUAL_FATAL(
            sscanf(res.replies[i], "%3d %15s", &code, dsn), 2);
        if (!smtpd_reply_dsn_ok(code, dsn))
            fprintf(stderr, "no enhanced code: %s\n", res.replies[i]);
        CU_ASSERT(smtpd_reply_dsn_ok(code, dsn));
    }
}

static const struct testkit_case cases[] = {
    {"backend failures never give 250", test_backend_failures},
    {"backend begin failure: 451, no 354", test_begin_fails},
    {"DSN parameters reach the envelope", test_dsn_params_reach_envelope},
    {"source routes dropped for trusted clients",
     test_source_route_from_trusted_is_dropped},
    {"VRFY when enabled", test_vrfy_enabled},
    {"read deadline: 421 4.4.2", test_timeout},
    {"enhanced status codes on every reply", test_enhanced_codes_everywhere},
    {NULL, NULL},
};

TESTKIT_SUITE("smtpd_backend", NULL, NULL, cases)
