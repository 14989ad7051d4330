/*
 * test_smtp_reply.c - the client's reply parser as a table: single and
 * multi-line replies, 3-digit codes only, continuation mismatch, garbage,
 * the line and text bounds; the enhanced-status-code extractor.
 */
#include <string.h>

#include "smtp_reply.h"
#include "testkit.h"

/* feed_all - lines separated by '|'; the last result */
static int feed_all(struct smtp_reply *r, const char *lines)
{
    const char *p = lines, *bar;
    int res = SMTP_REPLY_BAD;

    smtp_reply_init(r);
    for (;;) {
        bar = strchr(p, '|');
        res = smtp_reply_feed(r, p, bar ? (size_t)(bar - p) : strlen(p));
        if (bar == 0 || res != SMTP_REPLY_MORE)
            break;
        p = bar + 1;
    }
    return res;
}

static void test_table(void)
{
    static const struct {
        const char *lines;
        int result;
        int code;
        const char *text;
        const char *dsn;
    } t[] = {
        {"250 ok", SMTP_REPLY_DONE, 250, "ok", ""},
        {"250", SMTP_REPLY_DONE, 250, "", ""},
        {"220 mx.example ESMTP", SMTP_REPLY_DONE, 220, "mx.example ESMTP", ""},
        {"250-mx|250-PIPELINING|250 SIZE 100", SMTP_REPLY_DONE, 250,
         "mx\nPIPELINING\nSIZE 100", ""},
        {"550 5.1.1 <u@x>: unknown", SMTP_REPLY_DONE, 550,
         "5.1.1 <u@x>: unknown", "5.1.1"},
        {"550-5.1.1 first|550 5.1.1 second", SMTP_REPLY_DONE, 550,
         "5.1.1 first\n5.1.1 second", "5.1.1"},
        {"451 5.1.1 wrong class", SMTP_REPLY_DONE, 451, "5.1.1 wrong class",
         ""},
        {"452 4.5.3 too many", SMTP_REPLY_DONE, 452, "4.5.3 too many", "4.5.3"},
        {"250 2.0.0", SMTP_REPLY_DONE, 250, "2.0.0", "2.0.0"},
        {"250-a|251 b", SMTP_REPLY_BAD, 250, 0, 0},      /* code mismatch */
        {"25 ok", SMTP_REPLY_BAD, 0, 0, 0},              /* 2 digits */
        {"2500 ok", SMTP_REPLY_BAD, 0, 0, 0},            /* 4 digits */
        {"150 ok", SMTP_REPLY_BAD, 0, 0, 0},             /* 1xx */
        {"650 ok", SMTP_REPLY_BAD, 0, 0, 0},             /* 6xx */
        {"270 ok", SMTP_REPLY_BAD, 0, 0, 0},             /* second digit */
        {"250_ok", SMTP_REPLY_BAD, 0, 0, 0},             /* separator */
        {"", SMTP_REPLY_BAD, 0, 0, 0},
        {"hello world", SMTP_REPLY_BAD, 0, 0, 0},
        {"250-a|garbage", SMTP_REPLY_BAD, 250, 0, 0},
        {"250 caf\xc3\xa9\x01", SMTP_REPLY_DONE, 250, "caf???", ""},
        {"250-", SMTP_REPLY_MORE, 250, "", ""},
    };
    struct smtp_reply r;
    size_t i;
    int res;

    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        res = feed_all(&r, t[i].lines);
        CU_ASSERT_EQUAL(res, t[i].result);
        if (res != t[i].result)
            fprintf(stderr, "case %zu (%s): got %d\n", i, t[i].lines, res);
        if (t[i].result == SMTP_REPLY_DONE) {
            CU_ASSERT_EQUAL(r.code, t[i].code);
            CU_ASSERT_STRING_EQUAL(r.text, t[i].text);
            if (strcmp(r.text, t[i].text))
                fprintf(stderr, "case %zu: text [%s]\n", i, r.text);
            CU_ASSERT_STRING_EQUAL(r.dsn, t[i].dsn);
        }
    }
}

static void test_feed_after_end(void)
{
    struct smtp_reply r;

    smtp_reply_init(&r);
    CU_ASSERT_EQUAL(smtp_reply_feed(&r, "250 ok", 6), SMTP_REPLY_DONE);
    CU_ASSERT_EQUAL(smtp_reply_feed(&r, "250 ok", 6), SMTP_REPLY_BAD);
    smtp_reply_init(&r);
    CU_ASSERT_EQUAL(smtp_reply_feed(&r, "x", 1), SMTP_REPLY_BAD);
    CU_ASSERT_EQUAL(smtp_reply_feed(&r, "250 ok", 6), SMTP_REPLY_BAD);
}

static void test_too_many_lines(void)
{
    struct smtp_reply r;
    unsigned i;

    smtp_reply_init(&r);
    for (i = 0; i < SMTP_REPLY_LINES_MAX; i++)
        CU_ASSERT_EQUAL(smtp_reply_feed(&r, "250-x", 5), SMTP_REPLY_MORE);
    CU_ASSERT_EQUAL(smtp_reply_feed(&r, "250 x", 5), SMTP_REPLY_BAD);
}

static void test_text_bound(void)
{
    static char line[SMTP_REPLY_LINE_MAX];
    struct smtp_reply r;
    int i;

    memset(line, 'a', sizeof(line));
    memcpy(line, "250-", 4);
    smtp_reply_init(&r);
    for (i = 0; i < 5; i++)
        CU_ASSERT_EQUAL(smtp_reply_feed(&r, line, sizeof(line)),
                        SMTP_REPLY_MORE);
    line[3] = ' ';
    CU_ASSERT_EQUAL(smtp_reply_feed(&r, line, sizeof(line)), SMTP_REPLY_DONE);
    CU_ASSERT_EQUAL(r.len, SMTP_REPLY_TEXT_MAX);
    CU_ASSERT_EQUAL(strlen(r.text), SMTP_REPLY_TEXT_MAX);
}

static void test_dsn(void)
{
    static const struct {
        const char *text;
        int cls;
        const char *dsn;
    } t[] = {
        {"5.1.1 x", 5, "5.1.1"},   {"5.1.10 x", 5, "5.1.10"},
        {"5.123.456", 5, "5.123.456"}, {"5.1234.1 x", 5, ""},
        {"5.1.1234", 5, ""},       {"5.1.1x", 5, ""},
        {"4.1.1 x", 5, ""},        {"5..1 x", 5, ""},
        {"5.1. x", 5, ""},         {"x5.1.1", 5, ""},
        {"2.0.0", 2, "2.0.0"},     {"", 2, ""},
    };
    char out[SMTP_REPLY_DSN_MAX + 1];
    size_t i;

    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        CU_ASSERT_EQUAL(smtp_reply_dsn(t[i].text, strlen(t[i].text), t[i].cls,
                                       out),
                        strlen(t[i].dsn));
        CU_ASSERT_STRING_EQUAL(out, t[i].dsn);
    }
}

static const struct testkit_case cases[] = {
    {"reply table", test_table},
    {"feeding after the end is refused", test_feed_after_end},
    {"too many lines", test_too_many_lines},
    {"text is bounded", test_text_bound},
    {"enhanced status codes", test_dsn},
    {NULL, NULL},
};
TESTKIT_SUITE("smtp_reply", NULL, NULL, cases);
