/*
 * test_cleanup_headers.c - header parsing and canonicalisation: messages
 * in, queued text out, limits with their RFC 3463 reasons, and the
 * recipients sendmail -t takes from the headers.
 */
#include <stdio.h>
#include <string.h>

#include "cleanup_canon.h"
#include "testkit.h"
#include "vstring.h"

static const struct cleanup_canon canon = {
    "Received: by mail.example.org (Sluice) id 4AB12",
    "Sun, 29 Nov 2026 12:00:00 +0000",
    "4AB12",
    "mail.example.org",
    "alice@example.org",
    0};

#define ADDED                                                                  \
    "Date: Sun, 29 Nov 2026 12:00:00 +0000\n"                                  \
    "Message-ID: <4AB12@mail.example.org>\n"
#define RCVD "Received: by mail.example.org (Sluice) id 4AB12\n"

struct msg_case {
    const char *what;
    const char *in;
    const char *out;
};

static const struct msg_case msg_cases[] = {
    {"complete message, CRLF in, LF out",
     "From: a@b\r\nDate: x\r\nMessage-ID: <1@b>\r\nTo: c@d\r\n\r\nbody\r\n",
     RCVD "From: a@b\nDate: x\nMessage-ID: <1@b>\nTo: c@d\n\nbody\n"},
    {"missing Date, Message-ID, From are added", "To: bob\n\nhi\n",
     RCVD "To: bob\n" ADDED "From: alice@example.org\n\nhi\n"},
    {"folding kept",
     "Subject: one\n  two\n\tthree\nFrom: a\nDate: d\nMessage-ID: m\n\nb\n",
     RCVD
     "Subject: one\n  two\n\tthree\nFrom: a\nDate: d\nMessage-ID: m\n\nb\n"},
    {"mbox From line dropped",
     "From alice Sun Nov 29 12:00:00 2026\nFrom: a\nDate: d\nMessage-ID: m\n"
     "\nb\n",
     RCVD "From: a\nDate: d\nMessage-ID: m\n\nb\n"},
    {"non-header line ends headers, separator inserted",
     "From: a\nDate: d\nMessage-ID: m\nthis is body\nmore\n",
     RCVD "From: a\nDate: d\nMessage-ID: m\n\nthis is body\nmore\n"},
    {"no headers at all", "just a body line\n",
     RCVD ADDED "From: alice@example.org\n\njust a body line\n"},
    {"leading continuation is body", " indented\n",
     RCVD ADDED "From: alice@example.org\n\n indented\n"},
    {"Bcc and Resent-Bcc removed",
     "From: a\nDate: d\nMessage-ID: m\nBcc: x@y,\n z@w\nResent-bcc: q\n"
     "To: t\n\nb\n",
     RCVD "From: a\nDate: d\nMessage-ID: m\nTo: t\n\nb\n"},
    {"headers only, no final newline", "From: a\nDate: d\nMessage-ID: m",
     RCVD "From: a\nDate: d\nMessage-ID: m\n\n"},
    {"lone CR: space in a header, data in the body",
     "From: a\nDate: d\nMessage-ID: m\nSubject: x\ry\n\nb\rc\r\n",
     RCVD "From: a\nDate: d\nMessage-ID: m\nSubject: x y\n\nb\rc\n"},
    {"blank before colon is a field", "From : a\nDate: d\nMessage-ID: m\n\nb\n",
     RCVD "From : a\nDate: d\nMessage-ID: m\n\nb\n"},
    {"empty message", "", RCVD ADDED "From: alice@example.org\n\n"},
    {0, 0, 0},
};

/* test_messages - msg_cases */
static void test_messages(void)
{
    const struct msg_case *c;
    struct vstring *out = vstring_alloc(256), *why = vstring_alloc(64);
    int rc;

    for (c = msg_cases; c->what; c++) {
        rc = cleanup_message(c->in, strlen(c->in), 0, &canon, out, 0, why);
        CU_ASSERT_EQUAL(rc, 0);
        CU_ASSERT_STRING_EQUAL(vstring_str(out), c->out);
        if (rc || strcmp(vstring_str(out), c->out))
            fprintf(stderr, "%s:\n%s|%s\n", c->what, vstring_str(out),
                    vstring_str(why));
    }
    vstring_free(out);
    vstring_free(why);
}

struct from_case {
    const char *sender, *fullname, *from;
};

static const struct from_case from_cases[] = {
    {"alice@example.org", "Cron Daemon",
     "From: Cron Daemon <alice@example.org>\n"},
    {"a@b", "Smith, John", "From: \"Smith, John\" <a@b>\n"},
    {"a@b", "say \"hi\"", "From: \"say \\\"hi\\\"\" <a@b>\n"},
    {"a@b", "evil\nBcc: x@y", "From: \"evilBcc: x@y\" <a@b>\n"},
    {"a@b\r\nX: y", 0, "From: a@bX: y\n"},
    {"", "ignored", "From: MAILER-DAEMON@mail.example.org\n"},
    {0, 0, 0},
};

/* test_from_header - a missing From: built from the envelope */
static void test_from_header(void)
{
    const struct from_case *c;
    struct cleanup_canon k = canon;
    struct vstring *out = vstring_alloc(256), *why = vstring_alloc(64);

    for (c = from_cases; c->sender; c++) {
        k.sender = c->sender;
        k.fullname = c->fullname;
        CU_ASSERT_EQUAL(cleanup_message("x\n", 2, 0, &k, out, 0, why), 0);
        CU_ASSERT_PTR_NOT_NULL(strstr(vstring_str(out), c->from));
        if (!strstr(vstring_str(out), c->from))
            fprintf(stderr, "got %s\n", vstring_str(out));
    }
    vstring_free(out);
    vstring_free(why);
}

struct limit_case {
    const char *what;
    struct cleanup_limits lim;
    const char *in;
    const char *reason;
};

static const struct limit_case limit_cases[] = {
    {"line length in headers",
     {10, 100, 10, 1000, 10},
     "Subject: 0123456789\n\nb\n",
     "5.6.0 message line longer than 10 bytes"},
    {"line length in body",
     {10, 100, 10, 1000, 10},
     "S: x\n\n01234567890\n",
     "5.6.0 message line longer than 10 bytes"},
    {"line length at the limit is fine, one more is not",
     {10, 100, 10, 1000, 10},
     "S: 345678\n\n0123456789\n01234567890\n",
     "longer than 10"},
    {"field size with folding",
     {100, 20, 10, 1000, 10},
     "Subject: 0123456789\n 0123456789\n\nb\n",
     "5.6.0 header field Subject longer than 20 bytes"},
    {"field count",
     {100, 100, 2, 1000, 10},
     "A: 1\nB: 2\nC: 3\n\nb\n",
     "5.6.0 more than 2 header fields"},
    {"message size",
     {100, 100, 10, 20, 10},
     "A: 1\n\n0123456789\n01234\n",
     "5.3.4 message too big (more than 20 bytes)"},
    {"NUL in headers",
     {100, 100, 10, 1000, 10},
     "A: 1\0x\n\nb\n",
     "5.6.0 NUL byte in header section"},
    {"recipient limit",
     {100, 100, 10, 1000, 2},
     "To: a, b\nCc: c\n\nb\n",
     "5.5.3 too many recipients (more than 2)"},
    {0, {0, 0, 0, 0, 0}, 0, 0},
};

/* test_limits - limit_cases, each refused with its reason */
static void test_limits(void)
{
    const struct limit_case *c;
    struct vstring *out = vstring_alloc(256), *why = vstring_alloc(64);
    struct cleanup_addrs rcpts;
    size_t len;

    for (c = limit_cases; c->what; c++) {
        len = strlen(c->in);
        if (strstr(c->what, "NUL"))
            len = 10;
        cleanup_addrs_init(&rcpts);
        vstring_reset(why);
        CU_ASSERT_EQUAL(
            cleanup_message(c->in, len, &c->lim, &canon, out, &rcpts, why), -1);
        CU_ASSERT_PTR_NOT_NULL(strstr(vstring_str(why), c->reason));
        if (!strstr(vstring_str(why), c->reason))
            fprintf(stderr, "%s: %s\n", c->what, vstring_str(why));
        cleanup_addrs_free(&rcpts);
    }
    vstring_free(out);
    vstring_free(why);
}

/* test_streaming_verdicts - what each line means to the caller */
static void test_streaming_verdicts(void)
{
    static const struct {
        const char *line;
        enum cleanup_line verdict;
    } steps[] = {
        {"From someone", CLEANUP_LINE_HEADER},
        {"To: a", CLEANUP_LINE_HEADER},
        {" b", CLEANUP_LINE_HEADER},
        {"not: a header? yes it is", CLEANUP_LINE_HEADER},
        {"plain text", CLEANUP_LINE_BODY_FIRST},
        {"", CLEANUP_LINE_BODY},
        {"Subject: body now", CLEANUP_LINE_BODY},
        {0, 0},
    };
    struct cleanup_msg m;
    struct vstring *why = vstring_alloc(32), *v = vstring_alloc(32);
    int i;

    cleanup_msg_init(&m, 0);
    for (i = 0; steps[i].line; i++)
        CU_ASSERT_EQUAL(
            cleanup_msg_line(&m, steps[i].line, strlen(steps[i].line), why),
            steps[i].verdict);
    CU_ASSERT_EQUAL(m.count, 2);
    CU_ASSERT_EQUAL(cleanup_msg_find(&m, "to", 0), 0);
    cleanup_field_value(m.fields, v);
    CU_ASSERT_STRING_EQUAL(vstring_str(v), "a b");
    cleanup_field_set_value(&m, 0, "rewritten@example.org");
    CU_ASSERT_STRING_EQUAL(m.fields[0].text, "To: rewritten@example.org\n");
    CU_ASSERT_EQUAL(cleanup_msg_end(&m, why), 0);
    cleanup_msg_free(&m);
    /* after an error every line repeats it */
    cleanup_msg_init(&m, 0);
    CU_ASSERT_EQUAL(cleanup_msg_line(&m, "A: \0", 4, why), CLEANUP_LINE_ERROR);
    CU_ASSERT_EQUAL(cleanup_msg_line(&m, "ok", 2, why), CLEANUP_LINE_ERROR);
    CU_ASSERT_PTR_NOT_NULL(strstr(vstring_str(why), "NUL byte"));
    CU_ASSERT_EQUAL(cleanup_msg_end(&m, why), -1);
    cleanup_msg_free(&m);
    vstring_free(why);
    vstring_free(v);
}

static const struct testkit_case cases[] = {
    {"messages in, queued text out", test_messages},
    {"a missing From: from the envelope, injection-proof", test_from_header},
    {"limits refuse with RFC 3463 reasons", test_limits},
    {"line-by-line verdicts, field access and rewrite",
     test_streaming_verdicts},
    {0, 0},
};

TESTKIT_SUITE("cleanup_headers", 0, 0, cases);
