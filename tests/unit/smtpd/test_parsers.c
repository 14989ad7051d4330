/*
 * test_parsers.c - the pure parsers of smtpd as tables: command lines,
 * paths, ESMTP parameters and xtext, the DATA and BDAT scanners, network
 * lists, reply formatting and the state table.
 */
#include <string.h>

#include "smtpd_bdat.h"
#include "smtpd_cmd.h"
#include "smtpd_data.h"
#include "smtpd_netlist.h"
#include "smtpd_params.h"
#include "smtpd_path.h"
#include "smtpd_relay.h"
#include "smtpd_reply.h"
#include "smtpd_state.h"
#include "testkit.h"
#include "vstring.h"

static void test_check_line(void)
{
    static const struct {
        const char *line;
        size_t len;
        enum smtpd_line_status st;
        size_t textlen;
    } t[] = {
        {"NOOP\r\n", 6, SMTPD_LINE_OK, 4},
        {"\r\n", 2, SMTPD_LINE_OK, 0},
        {"NOOP\n", 5, SMTPD_LINE_BARE_LF, 4},
        {"\n", 1, SMTPD_LINE_BARE_LF, 0},
        {"NO\rOP\r\n", 7, SMTPD_LINE_BARE_CR, 5},
        {"NO\nOP\r\n", 7, SMTPD_LINE_BARE_LF, 5},
        {"NO\0OP\r\n", 7, SMTPD_LINE_NUL, 7},
        {"NOOP", 4, SMTPD_LINE_NO_EOL, 4},
        {"NOOP\r", 5, SMTPD_LINE_NO_EOL, 5},
    };
    size_t i, n;

    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        CU_ASSERT_EQUAL(smtpd_cmd_check_line(t[i].line, t[i].len, &n),
                        t[i].st);
        if (t[i].st == SMTPD_LINE_OK || t[i].st == SMTPD_LINE_BARE_LF)
            CU_ASSERT(n == t[i].textlen || t[i].st != SMTPD_LINE_OK);
    }
}

static void test_split(void)
{
    static const struct {
        const char *text;
        enum smtpd_verb verb;
        const char *args;
    } t[] = {
        {"EHLO a.b", SMTPD_VERB_EHLO, "a.b"},
        {"ehlo   a.b  ", SMTPD_VERB_EHLO, "a.b"},
        {"Mail FROM:<>", SMTPD_VERB_MAIL, "FROM:<>"},
        {"QUIT", SMTPD_VERB_QUIT, ""},
        {"StartTLS", SMTPD_VERB_STARTTLS, ""},
        {"STARTTLSX", SMTPD_VERB_UNKNOWN, ""},
        {"MAIL:FROM", SMTPD_VERB_UNKNOWN, ""},
        {"DAT", SMTPD_VERB_UNKNOWN, ""},
        {"", SMTPD_VERB_UNKNOWN, ""},
        {" NOOP", SMTPD_VERB_UNKNOWN, ""},
    };
    struct smtpd_cmd cmd;
    size_t i;

    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        smtpd_cmd_split(t[i].text, strlen(t[i].text), &cmd);
        CU_ASSERT_EQUAL(cmd.verb, t[i].verb);
        if (cmd.verb != SMTPD_VERB_UNKNOWN) {
            CU_ASSERT_EQUAL(cmd.args_len, strlen(t[i].args));
            CU_ASSERT(strncmp(t[i].text + cmd.args_off, t[i].args,
                              cmd.args_len) == 0);
        }
    }
    CU_ASSERT_STRING_EQUAL(smtpd_cmd_name(SMTPD_VERB_BDAT), "BDAT");
}

static void test_path(void)
{
    static const struct {
        const char *text;
        int flags;
        int result;
        const char *addr, *domain;
        unsigned out;
    } t[] = {
        {"<a@b.c>", 0, 0, "a@b.c", "b.c", 0},
        {"<a.b-c+d@x-y.example>", 0, 0, "a.b-c+d@x-y.example", "x-y.example",
         0},
        {"<>", SMTPD_PATH_ALLOW_NULL, 0, "", "", SMTPD_PATH_NULL},
        {"<>", 0, SMTPD_PATH_ERR_SYNTAX, "", "", 0},
        {"<Postmaster>", SMTPD_PATH_ALLOW_POSTMASTER, 0, "Postmaster", "",
         SMTPD_PATH_POSTMASTER},
        {"<postmaster>", 0, SMTPD_PATH_ERR_SYNTAX, "", "", 0},
        {"a@b.c", 0, SMTPD_PATH_ERR_SYNTAX, "", "", 0},
        {"<a@b.c", 0, SMTPD_PATH_ERR_SYNTAX, "", "", 0},
        {"<a@b.c.>", 0, SMTPD_PATH_ERR_SYNTAX, "", "", 0},
        {"<a@-b.c>", 0, SMTPD_PATH_ERR_SYNTAX, "", "", 0},
        {"<a@b-.c>", 0, SMTPD_PATH_ERR_SYNTAX, "", "", 0},
        {"<a..b@c>", 0, SMTPD_PATH_ERR_SYNTAX, "", "", 0},
        {"<.a@c>", 0, SMTPD_PATH_ERR_SYNTAX, "", "", 0},
        {"<a@b@c>", 0, SMTPD_PATH_ERR_SYNTAX, "", "", 0},
        {"<a>", 0, SMTPD_PATH_ERR_SYNTAX, "", "", 0},
        {"<a b@c>", 0, SMTPD_PATH_ERR_SYNTAX, "", "", 0},
        {"<\"a b\"@c>", 0, 0, "\"a b\"@c", "c", SMTPD_PATH_QUOTED},
        {"<\"a@x\"@c>", 0, 0, "\"a@x\"@c", "c",
         SMTPD_PATH_QUOTED | SMTPD_PATH_AT},
        {"<\"a\\@x\"@c>", 0, 0, "\"a\\@x\"@c", "c",
         SMTPD_PATH_QUOTED | SMTPD_PATH_AT},
        {"<a%b@c>", 0, 0, "a%b@c", "c", SMTPD_PATH_PERCENT},
        {"<b!a@c>", 0, 0, "b!a@c", "c", SMTPD_PATH_BANG},
        {"<@r1,@r2:a@c>", 0, 0, "a@c", "c", SMTPD_PATH_ROUTE},
        {"<@r1:@r2:a@c>", 0, SMTPD_PATH_ERR_SYNTAX, "", "", 0},
        {"<a@[192.0.2.1]>", 0, 0, "a@[192.0.2.1]", "[192.0.2.1]",
         SMTPD_PATH_LITERAL},
        {"<a@[IPv6:2001:db8::1]>", 0, 0, "a@[IPv6:2001:db8::1]",
         "[IPv6:2001:db8::1]", SMTPD_PATH_LITERAL},
        {"<a@[300.0.0.1]>", 0, SMTPD_PATH_ERR_SYNTAX, "", "", 0},
        {"<\xc3\xa4@b.c>", 0, SMTPD_PATH_ERR_UTF8, "", "", 0},
        {"<\xc3\xa4@b.c>", SMTPD_PATH_ALLOW_UTF8, 0, "\xc3\xa4@b.c", "b.c",
         SMTPD_PATH_UTF8},
        {"<\xc0\xa4@b.c>", SMTPD_PATH_ALLOW_UTF8, SMTPD_PATH_ERR_SYNTAX, "",
         "", 0},
        {"<a@b.c> SIZE=1", 0, 0, "a@b.c", "b.c", 0},
        {"<12345678901234567890123456789012345678901234567890123456789012345"
         "@b.c>",
         0, SMTPD_PATH_ERR_LENGTH, "", "", 0},
    };
    struct smtpd_path p;
    size_t i, used;
    const char *why;
    int r;

    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        r = smtpd_path_parse(t[i].text, strlen(t[i].text), t[i].flags, &p,
                             &used, &why);
        CU_ASSERT_EQUAL(r, t[i].result);
        if (r != t[i].result)
            fprintf(stderr, "path %s: %d (%s)\n", t[i].text, r, why);
        if (r != 0) {
            CU_ASSERT_PTR_NOT_NULL(why);
            continue;
        }
        CU_ASSERT_STRING_EQUAL(p.addr, t[i].addr);
        CU_ASSERT_STRING_EQUAL(p.domain, t[i].domain);
        CU_ASSERT_EQUAL(p.flags, t[i].out);
        CU_ASSERT_EQUAL(t[i].text[used - 1], '>');
    }
}

static void test_relay_decision(void)
{
    static const char *const dest[] = {"example.org", "[192.0.2.1]", 0};
    static const struct {
        const char *path;
        int trusted;
        int verdict;
    } t[] = {
        {"<u@example.org>", 0, SMTPD_RELAY_LOCAL},
        {"<u@EXAMPLE.org>", 0, SMTPD_RELAY_LOCAL},
        {"<u@sub.example.org>", 0, SMTPD_RELAY_DENIED},
        {"<u@other.test>", 0, SMTPD_RELAY_DENIED},
        {"<u@other.test>", 1, SMTPD_RELAY_ALLOWED},
        {"<u%other.test@example.org>", 0, SMTPD_RELAY_DENIED},
        {"<other.test!u@example.org>", 0, SMTPD_RELAY_DENIED},
        {"<\"u@other.test\"@example.org>", 0, SMTPD_RELAY_DENIED},
        {"<@example.org:u@example.org>", 0, SMTPD_RELAY_DENIED},
        {"<u%other.test@example.org>", 1, SMTPD_RELAY_LOCAL},
        {"<u@[192.0.2.1]>", 0, SMTPD_RELAY_LOCAL},
        {"<u@[192.0.2.2]>", 0, SMTPD_RELAY_DENIED},
        {"<postmaster>", 0, SMTPD_RELAY_LOCAL},
    };
    struct smtpd_path p;
    size_t i, used;
    const char *why;

    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        CU_ASSERT_EQUAL_FATAL(smtpd_path_parse(t[i].path, strlen(t[i].path),
                                               SMTPD_PATH_ALLOW_POSTMASTER,
                                               &p, &used, &why),
                              0);
        CU_ASSERT_EQUAL(smtpd_relay_check(&p, dest, t[i].trusted, &why),
                        t[i].verdict);
    }
    CU_ASSERT_EQUAL(smtpd_relay_check(&p, 0, 0, &why), SMTPD_RELAY_LOCAL);
}

static void test_mail_params(void)
{
    static const struct {
        const char *text;
        int result;
    } t[] = {
        {"", SMTPD_PARAM_OK},
        {" SIZE=123 BODY=8bitmime", SMTPD_PARAM_OK},
        {" size=0  body=7BIT  SMTPUTF8", SMTPD_PARAM_OK},
        {" RET=FULL ENVID=abc+2B", SMTPD_PARAM_OK},
        {" SIZE=12x", SMTPD_PARAM_SYNTAX},
        {" SIZE=123456789012345678901", SMTPD_PARAM_SYNTAX},
        {" SIZE=99999999999999999999", SMTPD_PARAM_SYNTAX},
        {" SIZE=18446744073709551616", SMTPD_PARAM_SYNTAX},
        {" SIZE", SMTPD_PARAM_SYNTAX},
        {" SIZE=1 SIZE=2", SMTPD_PARAM_SYNTAX},
        {" BODY=BINARYMIME", SMTPD_PARAM_UNKNOWN},
        {" RET=ALL", SMTPD_PARAM_SYNTAX},
        {" ENVID=a+0A", SMTPD_PARAM_SYNTAX},
        {" ENVID=a+4", SMTPD_PARAM_SYNTAX},
        {" SMTPUTF8=yes", SMTPD_PARAM_SYNTAX},
        {" AUTH=<>", SMTPD_PARAM_UNKNOWN},
        {" -X=1", SMTPD_PARAM_SYNTAX},
        {" SIZE=", SMTPD_PARAM_SYNTAX},
        {" SIZE==1", SMTPD_PARAM_SYNTAX},
    };
    struct smtpd_mail_params p;
    const char *why;
    size_t i;
    int r;

    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        r = smtpd_params_mail(t[i].text, strlen(t[i].text), &p, &why);
        if (r != t[i].result)
            fprintf(stderr, "mail params [%s]: %d\n", t[i].text, r);
        CU_ASSERT_EQUAL(r, t[i].result);
        CU_ASSERT(r == SMTPD_PARAM_OK || why != 0);
    }
    static const char max[] = " SIZE=18446744073709551615 RET=hdrs ENVID=x+3Dy";

    CU_ASSERT_EQUAL(smtpd_params_mail(max, strlen(max), &p, &why), 0);
    CU_ASSERT_EQUAL(p.size, 18446744073709551615ULL);
    CU_ASSERT_EQUAL(p.ret, SMTPD_RET_HDRS);
    CU_ASSERT_STRING_EQUAL(p.envid, "x=y");
}

static void test_rcpt_params(void)
{
    static const struct {
        const char *text;
        int result;
        unsigned notify;
    } t[] = {
        {" NOTIFY=NEVER", SMTPD_PARAM_OK, SMTPD_NOTIFY_NEVER},
        {" NOTIFY=delay,Failure", SMTPD_PARAM_OK,
         SMTPD_NOTIFY_DELAY | SMTPD_NOTIFY_FAILURE},
        {" NOTIFY=NEVER,DELAY", SMTPD_PARAM_SYNTAX, 0},
        {" NOTIFY=SUCCESS,SUCCESS", SMTPD_PARAM_SYNTAX, 0},
        {" NOTIFY=SUCCESS,", SMTPD_PARAM_SYNTAX, 0},
        {" NOTIFY=SOMETIMES", SMTPD_PARAM_SYNTAX, 0},
        {" NOTIFY=DELAY NOTIFY=DELAY", SMTPD_PARAM_SYNTAX, 0},
        {" ORCPT=rfc822;a+40b", SMTPD_PARAM_OK, 0},
        {" ORCPT=rfc822", SMTPD_PARAM_SYNTAX, 0},
        {" ORCPT=;a", SMTPD_PARAM_SYNTAX, 0},
        {" ORCPT=rfc822;", SMTPD_PARAM_SYNTAX, 0},
        {" ORCPT=rfc822;a+00", SMTPD_PARAM_SYNTAX, 0},
        {" ORCPT=rfc822;a ORCPT=rfc822;b", SMTPD_PARAM_SYNTAX, 0},
        {" SIZE=1", SMTPD_PARAM_UNKNOWN, 0},
    };
    struct smtpd_rcpt_params p;
    const char *why;
    size_t i;
    int r;

    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        r = smtpd_params_rcpt(t[i].text, strlen(t[i].text), &p, &why);
        if (r != t[i].result)
            fprintf(stderr, "rcpt params [%s]: %d\n", t[i].text, r);
        CU_ASSERT_EQUAL(r, t[i].result);
        if (r == SMTPD_PARAM_OK)
            CU_ASSERT_EQUAL(p.notify, t[i].notify);
    }
}

static void test_xtext(void)
{
    char out[8];

    CU_ASSERT_EQUAL(smtpd_xtext_decode("a+2Bb", 5, out, sizeof(out)), 3);
    CU_ASSERT_STRING_EQUAL(out, "a+b");
    CU_ASSERT_EQUAL(smtpd_xtext_decode("+20", 3, out, sizeof(out)), 1);
    CU_ASSERT_EQUAL(smtpd_xtext_decode("a=b", 3, out, sizeof(out)), -1);
    CU_ASSERT_EQUAL(smtpd_xtext_decode("+7F", 3, out, sizeof(out)), -1);
    CU_ASSERT_EQUAL(smtpd_xtext_decode("+G0", 3, out, sizeof(out)), -1);
    CU_ASSERT_EQUAL(smtpd_xtext_decode("12345678", 8, out, sizeof(out)), -1);
    CU_ASSERT_EQUAL(smtpd_xtext_decode("1234567", 7, out, sizeof(out)), 7);
}

/* scan_all - feed a whole DATA stream split at `cut`; returns used bytes */
static size_t scan_all(struct smtpd_data *d, const char *in, size_t len,
                       size_t cut, struct vstring *content)
{
    char out[256];
    size_t n, used, total = 0;
    size_t piece;

    vstring_reset(content);
    while (total < len && !smtpd_data_done(d)) {
        piece = len - total < cut ? len - total : cut;
        used = smtpd_data_scan(d, in + total, piece, out, &n);
        vstring_append(content, out, n);
        total += used;
    }
    return total;
}

static void test_data_scanner(void)
{
    static const struct {
        const char *in;
        const char *content; /* NULL: refused */
        unsigned errors;
        size_t used; /* bytes up to the end marker; 0 = all, no end */
    } t[] = {
        {".\r\n", "", 0, 3},
        {"a\r\n.\r\nNEXT", "a\r\n", 0, 6},
        {"..a\r\n.b\r\n.\r\n", ".a\r\nb\r\n", 0, 12},
        {"a\n.\n", 0, SMTPD_DATA_BARE_LF, 0},
        {"a\n.\r\n", 0, SMTPD_DATA_BARE_LF, 0},
        {"a\r\n.\n", 0, SMTPD_DATA_BARE_LF, 0},
        {"a\r.\r\n", 0, SMTPD_DATA_BARE_CR, 0},
        {"a\r\n.\r.\r\n", 0, SMTPD_DATA_BARE_CR, 0},
        {"a\n\r\n.\r\n", 0, SMTPD_DATA_BARE_LF, 7},
        {"a\0b\r\n.\r\n", 0, SMTPD_DATA_NUL, 8},
        {"a\r\r\n.\r\n", 0, SMTPD_DATA_BARE_CR, 7},
    };
    struct smtpd_data d;
    struct vstring *content = vstring_alloc(64);
    size_t i, cut, len, used;

    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        len = strlen(t[i].in);
        if (t[i].errors == SMTPD_DATA_NUL)
            len = 8;
        for (cut = 1; cut <= len; cut++) {
            smtpd_data_init(&d, 0);
            used = scan_all(&d, t[i].in, len, cut, content);
            CU_ASSERT_EQUAL(d.errors, t[i].errors);
            if (t[i].used != 0) {
                CU_ASSERT(smtpd_data_done(&d));
                CU_ASSERT_EQUAL(used, t[i].used);
            } else {
                CU_ASSERT(!smtpd_data_done(&d));
            }
            if (t[i].content != 0)
                CU_ASSERT_STRING_EQUAL(vstring_str(content), t[i].content);
        }
    }
    smtpd_data_init(&d, 4);
    scan_all(&d, "abc\r\nd\r\n.\r\n", 11, 11, content);
    CU_ASSERT_EQUAL(d.errors, SMTPD_DATA_TOO_BIG);
    CU_ASSERT(smtpd_data_done(&d));
    vstring_free(content);
}

static void test_bdat(void)
{
    static const struct {
        const char *args;
        int result;
        unsigned long long size;
        int last;
    } t[] = {
        {"0 LAST", 0, 0, 1},     {"100", 0, 100, 0}, {"7  last", 0, 7, 1},
        {"", -1, 0, 0},          {"x", -1, 0, 0},    {"10 LASTX", -1, 0, 0},
        {"-1", -1, 0, 0},        {"1 2", -1, 0, 0},
        {"1234567890123456789", -1, 0, 0},
    };
    struct smtpd_bdat b;
    unsigned long long size;
    int last, crlf;
    size_t i;

    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        CU_ASSERT_EQUAL(smtpd_bdat_parse(t[i].args, strlen(t[i].args), &size,
                                         &last),
                        t[i].result);
        if (t[i].result == 0) {
            CU_ASSERT_EQUAL(size, t[i].size);
            CU_ASSERT_EQUAL(last, t[i].last);
        }
    }
    smtpd_bdat_init(&b, 0);
    smtpd_bdat_scan(&b, "ab\r", 3);
    smtpd_bdat_scan(&b, "\ncd", 3);
    CU_ASSERT_EQUAL(smtpd_bdat_finish(&b, &crlf), 0);
    CU_ASSERT_EQUAL(crlf, 1);
    smtpd_bdat_init(&b, 0);
    smtpd_bdat_scan(&b, "ab\r", 3);
    CU_ASSERT_EQUAL(smtpd_bdat_finish(&b, &crlf), SMTPD_BDAT_BARE_CR);
    smtpd_bdat_init(&b, 3);
    smtpd_bdat_scan(&b, "ab\r\n", 4);
    CU_ASSERT_EQUAL(smtpd_bdat_finish(&b, &crlf), SMTPD_BDAT_TOO_BIG);
}

static void test_netlist(void)
{
    static const struct {
        const char *list, *addr;
        int match;
    } t[] = {
        {"10.0.0.0/8", "10.200.1.1", 1},
        {"10.0.0.0/8", "11.0.0.1", 0},
        {"192.0.2.0/25", "192.0.2.127", 1},
        {"192.0.2.0/25", "192.0.2.128", 0},
        {"192.0.2.7", "192.0.2.7", 1},
        {"192.0.2.7", "192.0.2.8", 0},
        {"0.0.0.0/0", "203.0.113.5", 1},
        {"[2001:db8::]/32", "2001:db8:ffff::1", 1},
        {"2001:db8::/32", "2001:db9::1", 0},
        {"::1/128", "::1", 1},
        {"127.0.0.0/8", "::ffff:127.1.2.3", 1},
        {"127.0.0.0/8", "::1", 0},
        {"127.0.0.0/8", "not-an-address", 0},
    };
    static const char *const bad[] = {"10.1.2.3/8", "10.0.0.0/33",
                                      "10.0.0.0/", "bogus", "::1/129",
                                      "10.0.0.0/8x"};
    struct smtpd_netlist list;
    struct vstring *why = vstring_alloc(64);
    size_t i;

    smtpd_netlist_init(&list);
    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        CU_ASSERT_EQUAL_FATAL(smtpd_netlist_parse(&list, t[i].list, why), 0);
        CU_ASSERT_EQUAL(smtpd_netlist_match(&list, t[i].addr), t[i].match);
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CU_ASSERT_EQUAL(smtpd_netlist_parse(&list, bad[i], why), -1);
        CU_ASSERT_EQUAL(list.count, 0);
        CU_ASSERT_PTR_NOT_NULL(strstr(vstring_str(why), bad[i]));
    }
    smtpd_netlist_free(&list);
    vstring_free(why);
}

static void test_reply_format(void)
{
    struct vstring *v = vstring_alloc(64);

    smtpd_reply_line(v, 250, 1, 0, "mx");
    smtpd_reply_line(v, 550, 0, "5.7.1", "bad\r\n250 ok \x80");
    CU_ASSERT_STRING_EQUAL(vstring_str(v),
                           "250-mx\r\n550 5.7.1 bad??250 ok ?\r\n");
    CU_ASSERT(smtpd_reply_dsn_ok(451, "4.3.0"));
    CU_ASSERT(smtpd_reply_dsn_ok(250, "2.123.999"));
    CU_ASSERT(!smtpd_reply_dsn_ok(451, "5.3.0"));
    CU_ASSERT(!smtpd_reply_dsn_ok(250, "2.1"));
    CU_ASSERT(!smtpd_reply_dsn_ok(250, "2.1.0x"));
    CU_ASSERT(!smtpd_reply_dsn_ok(250, "2.1234.0"));
    vstring_free(v);
}

/* bad_reply - a reply code out of range is a bug */
static void bad_reply(void *arg)
{
    smtpd_reply_line(arg, 99, 0, 0, "x");
}

static void test_reply_panics(void)
{
    struct vstring *v = vstring_alloc(64);

    CU_ASSERT_EQUAL(testkit_expect_exit(bad_reply, v), 2);
    vstring_free(v);
}

static void test_state_table(void)
{
    struct smtpd_state st;

    smtpd_state_init(&st, 0, 0);
    CU_ASSERT_EQUAL(st.rcpt_limit, 1);
    CU_ASSERT_PTR_NOT_NULL(smtpd_state_check(&st, SMTPD_VERB_MAIL));
    CU_ASSERT_PTR_NULL(smtpd_state_check(&st, SMTPD_VERB_NOOP));
    CU_ASSERT_PTR_NULL(smtpd_state_check(&st, SMTPD_VERB_STARTTLS));
    smtpd_state_helo(&st, 1);
    CU_ASSERT_PTR_NULL(smtpd_state_check(&st, SMTPD_VERB_MAIL));
    CU_ASSERT_PTR_NOT_NULL(smtpd_state_check(&st, SMTPD_VERB_RCPT));
    smtpd_state_mail(&st);
    CU_ASSERT_PTR_NOT_NULL(smtpd_state_check(&st, SMTPD_VERB_MAIL));
    CU_ASSERT_PTR_NOT_NULL(smtpd_state_check(&st, SMTPD_VERB_DATA));
    CU_ASSERT_PTR_NOT_NULL(smtpd_state_check(&st, SMTPD_VERB_STARTTLS));
    CU_ASSERT_EQUAL(smtpd_state_rcpt(&st), 0);
    CU_ASSERT_EQUAL(smtpd_state_rcpt(&st), -1);
    CU_ASSERT_PTR_NULL(smtpd_state_check(&st, SMTPD_VERB_DATA));
    smtpd_state_bdat(&st);
    CU_ASSERT_PTR_NOT_NULL(smtpd_state_check(&st, SMTPD_VERB_DATA));
    CU_ASSERT_PTR_NOT_NULL(smtpd_state_check(&st, SMTPD_VERB_EHLO));
    CU_ASSERT_PTR_NULL(smtpd_state_check(&st, SMTPD_VERB_BDAT));
    smtpd_state_reset(&st);
    CU_ASSERT_EQUAL(st.phase, SMTPD_PHASE_READY);
    smtpd_state_tls(&st);
    CU_ASSERT_PTR_NOT_NULL(smtpd_state_check(&st, SMTPD_VERB_STARTTLS));
    CU_ASSERT_PTR_NOT_NULL(smtpd_state_check(&st, SMTPD_VERB_MAIL));
    CU_ASSERT_EQUAL(smtpd_state_error(&st), 1);
}

static const struct testkit_case cases[] = {
    {"command line endings", test_check_line},
    {"verb and argument split", test_split},
    {"RFC 5321 paths", test_path},
    {"relay decision", test_relay_decision},
    {"MAIL parameters", test_mail_params},
    {"RCPT parameters", test_rcpt_params},
    {"xtext", test_xtext},
    {"DATA scanner at every split point", test_data_scanner},
    {"BDAT arguments and chunk checks", test_bdat},
    {"network lists", test_netlist},
    {"reply formatting", test_reply_format},
    {"bad reply code panics", test_reply_panics},
    {"state table", test_state_table},
    {NULL, NULL},
};

TESTKIT_SUITE("smtpd_parsers", NULL, NULL, cases)
