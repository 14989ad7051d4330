/*
 * test_cleanup_rcpts.c - recipients for "sendmail -t": which fields count,
 * and the address-list extraction over address.h.
 */
#include <stdio.h>
#include <string.h>

#include "cleanup_canon.h"
#include "testkit.h"
#include "vstring.h"

struct split_case {
    const char *value;
    const char *addrs; /* joined by " | " */
};

static const struct split_case split_cases[] = {
    {"a@b", "a@b"},
    {"a@b, c@d", "a@b | c@d"},
    {"Alice <a@b>, \"Smith, John\" <j@s>", "a@b | j@s"},
    {"a@b (comment, with comma), c@d", "a@b | c@d"},
    {"(nested (comment)) x@y", "x@y"},
    {"undisclosed-recipients:;", ""},
    {"team: a@b, c@d;, e@f", "a@b | c@d | e@f"},
    {"<@relay.test,@other:user@host>", "user@host"},
    {"\"quoted,local\"@host", "\"quoted,local\"@host"},
    {" , ,", ""},
    {"", ""},
    {0, 0},
};

/* test_split - split_cases */
static void test_split(void)
{
    const struct split_case *c;
    struct cleanup_addrs a;
    struct vstring *got = vstring_alloc(64);
    size_t i;

    for (c = split_cases; c->value; c++) {
        cleanup_addrs_init(&a);
        CU_ASSERT_EQUAL(cleanup_addrlist_extract(c->value, &a, 100), 0);
        vstring_reset(got);
        for (i = 0; i < a.count; i++)
            vstring_sprintf_append(got, "%s%s", i ? " | " : "", a.addr[i]);
        CU_ASSERT_STRING_EQUAL(vstring_str(got), c->addrs);
        if (strcmp(vstring_str(got), c->addrs))
            fprintf(stderr, "%s -> %s\n", c->value, vstring_str(got));
        cleanup_addrs_free(&a);
    }
    vstring_free(got);
}

struct rcpt_case {
    const char *msg;
    const char *rcpts;
};

static const struct rcpt_case rcpt_cases[] = {
    {"To: a@b\nCc: c@d,\n e@f\nBcc: g@h\nFrom: x@y\nReply-To: r@s\n\nTo: "
     "no@body\n",
     "a@b | c@d | e@f | g@h"},
    {"To: old@b\nResent-To: new@b\nResent-Bcc: hidden@b\nCc: old2@b\n\n",
     "new@b | hidden@b"},
    {"Subject: none\n\n", ""},
    {"to: lower@case\n\n", "lower@case"},
    {0, 0},
};

/* test_recipients - which fields -t reads */
static void test_recipients(void)
{
    const struct rcpt_case *c;
    static const struct cleanup_canon k = {0, "d", "q", "h", "s@h", 0};
    struct cleanup_addrs a;
    struct vstring *out = vstring_alloc(64), *got = vstring_alloc(64);
    size_t i;

    for (c = rcpt_cases; c->msg; c++) {
        cleanup_addrs_init(&a);
        CU_ASSERT_EQUAL(
            cleanup_message(c->msg, strlen(c->msg), 0, &k, out, &a, got), 0);
        vstring_reset(got);
        for (i = 0; i < a.count; i++)
            vstring_sprintf_append(got, "%s%s", i ? " | " : "", a.addr[i]);
        CU_ASSERT_STRING_EQUAL(vstring_str(got), c->rcpts);
        /* and the Bcc fields never reach the queued text */
        CU_ASSERT_PTR_NULL(strstr(vstring_str(out), "Bcc:"));
        cleanup_addrs_free(&a);
    }
    vstring_free(out);
    vstring_free(got);
}

static const struct testkit_case cases[] = {
    {"address-list extraction (address.h)", test_split},
    {"-t recipients: To/Cc/Bcc or Resent-*", test_recipients},
    {0, 0},
};

TESTKIT_SUITE("cleanup_rcpts", 0, 0, cases);
