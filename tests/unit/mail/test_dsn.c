/*
 * test_dsn.c - the DSN writer: structure of RFC 3464 reports, RET handling,
 * and sanitising of values that came from remote servers.
 */
#include <string.h>

#include "dsn.h"
#include "testkit.h"
#include "vstring.h"

static const char original[] =
    "From: alice@example.org\nTo: bob@remote.test\nSubject: hi\n\nbody line\n";

static const struct dsn_rcpt one_rcpt[] = {
    {"bob@remote.test", "rfc822;bob@remote.test", "failed", "5.1.1",
     "550 5.1.1 <bob@remote.test>: user unknown", "mx.remote.test"}};

/* base_report - a complete failed-delivery report */
static struct dsn_report base_report(void)
{
    struct dsn_report r = {
        DSN_FAILED, DSN_RET_DEFAULT, "mail.example.org",
        "MAILER-DAEMON@mail.example.org", "alice@example.org", "00AB12",
        "env-1", "Sun, 29 Nov 2026 12:00:00 +0000",
        "Sun, 29 Nov 2026 12:05:00 +0000", "<dsn.00AB12@mail.example.org>",
        "00AB12.boundary/mail.example.org", original, sizeof(original) - 1,
        1 << 20, one_rcpt, 1};
    return r;
}

static int contains(const struct vstring *v, const char *needle)
{
    return strstr(vstring_str(v), needle) != 0;
}

static void test_failed_report_structure(void)
{
    struct vstring *out = vstring_alloc(100);
    struct dsn_report r = base_report();

    CU_ASSERT_EQUAL_FATAL(dsn_write(out, &r), 0);
    CU_ASSERT(contains(out, "Content-Type: multipart/report; "
                            "report-type=delivery-status;"));
    CU_ASSERT(contains(out, "Content-Type: message/delivery-status\n\n"
                            "Reporting-MTA: dns; mail.example.org\n"));
    CU_ASSERT(contains(out, "Original-Envelope-Id: env-1\n"));
    CU_ASSERT(contains(out, "\nOriginal-Recipient: rfc822;bob@remote.test\n"
                            "Final-Recipient: rfc822; bob@remote.test\n"
                            "Action: failed\nStatus: 5.1.1\n"
                            "Remote-MTA: dns; mx.remote.test\n"
                            "Diagnostic-Code: smtp; 550 5.1.1"));
    CU_ASSERT(contains(out, "Content-Type: message/rfc822\n\nFrom: alice"));
    CU_ASSERT(contains(out, "body line\n"));
    CU_ASSERT(contains(out, "Auto-Submitted: auto-replied\n"));
    CU_ASSERT(contains(out, "\n--00AB12.boundary/mail.example.org--\n"));
    vstring_free(out);
}

static void test_ret_hdrs_and_size_limit(void)
{
    struct vstring *out = vstring_alloc(100);
    struct dsn_report r = base_report();

    r.ret = DSN_RET_HDRS;
    CU_ASSERT_EQUAL_FATAL(dsn_write(out, &r), 0);
    CU_ASSERT(contains(out, "Content-Type: text/rfc822-headers\n"));
    CU_ASSERT(!contains(out, "body line"));
    r = base_report();
    r.full_limit = 10;
    CU_ASSERT_EQUAL_FATAL(dsn_write(out, &r), 0);
    CU_ASSERT(contains(out, "text/rfc822-headers"));
    CU_ASSERT(!contains(out, "body line"));
    vstring_free(out);
}

static void test_delayed_subject(void)
{
    struct vstring *out = vstring_alloc(100);
    struct dsn_report r = base_report();
    struct dsn_rcpt delayed = one_rcpt[0];

    delayed.action = "delayed";
    delayed.status = "4.4.1";
    r.kind = DSN_DELAYED;
    r.rcpts = &delayed;
    CU_ASSERT_EQUAL_FATAL(dsn_write(out, &r), 0);
    CU_ASSERT(contains(out, "Subject: Delayed Mail"));
    CU_ASSERT(contains(out, "Action: delayed\nStatus: 4.4.1\n"));
    vstring_free(out);
}

static void test_hostile_remote_reply_sanitised(void)
{
    struct vstring *out = vstring_alloc(100);
    struct dsn_report r = base_report();
    struct dsn_rcpt evil = one_rcpt[0];
    char long_reply[2000];

    evil.diagnostic = "550 no\r\nBcc: victim@x\n--00AB12.boundary";
    r.rcpts = &evil;
    CU_ASSERT_EQUAL_FATAL(dsn_write(out, &r), 0);
    CU_ASSERT(!contains(out, "\nBcc: victim"));
    CU_ASSERT(contains(out, "Diagnostic-Code: smtp; 550 no  Bcc: victim@x"));
    memset(long_reply, 'x', sizeof(long_reply) - 1);
    long_reply[sizeof(long_reply) - 1] = 0;
    evil.diagnostic = long_reply;
    CU_ASSERT_EQUAL_FATAL(dsn_write(out, &r), 0);
    CU_ASSERT(contains(out, "smtp; xxx"));
    CU_ASSERT(strstr(vstring_str(out), "smtp; x") != 0
              && strspn(strstr(vstring_str(out), "smtp; x") + 6, "x")
                     == DSN_FIELD_MAX);
    vstring_free(out);
}

static void test_unusable_reports_refused(void)
{
    struct vstring *out = vstring_alloc(100);
    struct dsn_report r = base_report();

    r.rcpt_count = 0;
    CU_ASSERT_EQUAL(dsn_write(out, &r), -1);
    r = base_report();
    r.boundary = "body line";
    CU_ASSERT_EQUAL(dsn_write(out, &r), -1);
    r = base_report();
    r.to = 0;
    CU_ASSERT_EQUAL(dsn_write(out, &r), -1);
    vstring_free(out);
}

static const struct testkit_case cases[] = {
    {"failed report has RFC 3464 structure", test_failed_report_structure},
    {"RET=HDRS and the size limit return headers only", test_ret_hdrs_and_size_limit},
    {"delay warning", test_delayed_subject},
    {"hostile remote reply cannot inject fields", test_hostile_remote_reply_sanitised},
    {"unusable reports refused", test_unusable_reports_refused},
    {0, 0}};

TESTKIT_SUITE("dsn", 0, 0, cases)
