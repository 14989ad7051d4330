/*
 * test_smtp_dns.c - MX answers in wire format, built here byte by byte:
 * preference order, Null MX (RFC 7505), NXDOMAIN, SERVFAIL, no MX,
 * CNAME skipped, truncated answers, the bound on kept exchangers; and the
 * nexthop syntax of smtp_connect.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtp_connect.h"
#include "smtp_dns.h"
#include "testkit.h"
#include "vstring.h"

struct wire {
    unsigned char buf[4096];
    size_t len;
};

static void put8(struct wire *w, unsigned v)
{
    w->buf[w->len++] = (unsigned char)v;
}

static void put16(struct wire *w, unsigned v)
{
    put8(w, v >> 8);
    put8(w, v & 0xff);
}

/* put_name - "a.b" as labels; "." is the root */
static void put_name(struct wire *w, const char *name)
{
    const char *p = name, *dot;

    while (*p && strcmp(p, ".") != 0) {
        dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        put8(w, (unsigned)n);
        memcpy(w->buf + w->len, p, n);
        w->len += n;
        p += n + (dot ? 1 : 0);
    }
    put8(w, 0);
}

/* start - header and the question for example.com MX */
static void start(struct wire *w, unsigned rcode, unsigned ancount)
{
    w->len = 0;
    put16(w, 0x1234);
    put16(w, 0x8180 | rcode); /* QR, RD, RA */
    put16(w, 1);
    put16(w, ancount);
    put16(w, 0);
    put16(w, 0);
    put_name(w, "example.com");
    put16(w, 15);
    put16(w, 1);
}

/* add_rr - an answer owned by the question name (pointer 0xc00c) */
static void add_mx(struct wire *w, unsigned pref, const char *host)
{
    size_t rdlen_at;

    put16(w, 0xc00c);
    put16(w, 15);
    put16(w, 1);
    put16(w, 0);
    put16(w, 300);
    rdlen_at = w->len;
    put16(w, 0);
    put16(w, pref);
    put_name(w, host);
    w->buf[rdlen_at] = (unsigned char)((w->len - rdlen_at - 2) >> 8);
    w->buf[rdlen_at + 1] = (unsigned char)((w->len - rdlen_at - 2) & 0xff);
}

static void add_cname(struct wire *w, const char *target)
{
    size_t rdlen_at;

    put16(w, 0xc00c);
    put16(w, 5);
    put16(w, 1);
    put16(w, 0);
    put16(w, 300);
    rdlen_at = w->len;
    put16(w, 0);
    put_name(w, target);
    w->buf[rdlen_at + 1] = (unsigned char)(w->len - rdlen_at - 2);
}

static void test_order(void)
{
    struct wire w;
    struct smtp_mx_list l;

    start(&w, 0, 4);
    add_mx(&w, 20, "mx2.example.com");
    add_mx(&w, 10, "mx1.example.com");
    add_cname(&w, "other.example.com");
    add_mx(&w, 20, "mx3.example.com");
    CU_ASSERT_EQUAL(smtp_dns_parse_mx(w.buf, w.len, &l), SMTP_DNS_OK);
    CU_ASSERT_EQUAL(l.count, 3);
    CU_ASSERT_STRING_EQUAL(l.mx[0].name, "mx1.example.com");
    CU_ASSERT_EQUAL(l.mx[0].pref, 10);
    CU_ASSERT_STRING_EQUAL(l.mx[1].name, "mx2.example.com"); /* stable */
    CU_ASSERT_STRING_EQUAL(l.mx[2].name, "mx3.example.com");
}

static void test_null_mx(void)
{
    struct wire w;
    struct smtp_mx_list l;

    start(&w, 0, 1);
    add_mx(&w, 0, ".");
    CU_ASSERT_EQUAL(smtp_dns_parse_mx(w.buf, w.len, &l), SMTP_DNS_NULLMX);
    CU_ASSERT_EQUAL(l.count, 0);
    /* a "." among real exchangers is never tried, the others are */
    start(&w, 0, 2);
    add_mx(&w, 0, ".");
    add_mx(&w, 10, "mx.example.com");
    CU_ASSERT_EQUAL(smtp_dns_parse_mx(w.buf, w.len, &l), SMTP_DNS_OK);
    CU_ASSERT_EQUAL(l.count, 1);
    CU_ASSERT_STRING_EQUAL(l.mx[0].name, "mx.example.com");
}

static void test_rcodes(void)
{
    struct wire w;
    struct smtp_mx_list l;

    start(&w, 3, 0);
    CU_ASSERT_EQUAL(smtp_dns_parse_mx(w.buf, w.len, &l), SMTP_DNS_NXDOMAIN);
    start(&w, 2, 0);
    CU_ASSERT_EQUAL(smtp_dns_parse_mx(w.buf, w.len, &l), SMTP_DNS_RETRY);
    start(&w, 5, 0);
    CU_ASSERT_EQUAL(smtp_dns_parse_mx(w.buf, w.len, &l), SMTP_DNS_RETRY);
    start(&w, 0, 0);
    CU_ASSERT_EQUAL(smtp_dns_parse_mx(w.buf, w.len, &l), SMTP_DNS_NODATA);
    start(&w, 0, 1);
    add_cname(&w, "x.example.net");
    CU_ASSERT_EQUAL(smtp_dns_parse_mx(w.buf, w.len, &l), SMTP_DNS_NODATA);
}

static void test_malformed(void)
{
    struct wire w;
    struct smtp_mx_list l;
    size_t cut;

    start(&w, 0, 1);
    add_mx(&w, 10, "mx.example.com");
    for (cut = 0; cut < w.len; cut++)
        CU_ASSERT_NOT_EQUAL(smtp_dns_parse_mx(w.buf, cut, &l), SMTP_DNS_OK);
    /* an answer count larger than the records present */
    start(&w, 0, 2);
    add_mx(&w, 10, "mx.example.com");
    CU_ASSERT_EQUAL(smtp_dns_parse_mx(w.buf, w.len, &l), SMTP_DNS_BAD);
    /* a compression pointer that loops onto itself */
    start(&w, 0, 1);
    add_mx(&w, 10, "m");
    w.buf[w.len - 3] = 0xc0;
    w.buf[w.len - 2] = (unsigned char)(w.len - 3);
    w.buf[w.len - 1] = 0;
    CU_ASSERT_NOT_EQUAL(smtp_dns_parse_mx(w.buf, w.len, &l), SMTP_DNS_OK);
}

static void test_bound(void)
{
    struct wire w;
    struct smtp_mx_list l;
    char name[32];
    unsigned i;

    start(&w, 0, 30);
    for (i = 0; i < 30; i++) {
        snprintf(name, sizeof(name), "mx%u.example.com", i);
        add_mx(&w, 100 - i, name); /* best ones come last */
    }
    CU_ASSERT_EQUAL(smtp_dns_parse_mx(w.buf, w.len, &l), SMTP_DNS_OK);
    CU_ASSERT_EQUAL(l.count, SMTP_DNS_MAX_MX);
    CU_ASSERT_EQUAL(l.mx[0].pref, 71);
    CU_ASSERT_STRING_EQUAL(l.mx[0].name, "mx29.example.com");
    CU_ASSERT_EQUAL(l.mx[SMTP_DNS_MAX_MX - 1].pref, 90);
}

static void test_nexthop(void)
{
    static const struct {
        const char *text;
        int mx_allowed;
        int ok;
        int kind;
        const char *host;
        unsigned port;
    } t[] = {
        {"example.com", 1, 0, SMTP_NEXTHOP_MX, "example.com", 25},
        {"example.com:2525", 1, 0, SMTP_NEXTHOP_MX, "example.com", 2525},
        {"[127.0.0.1]:2526", 1, 0, SMTP_NEXTHOP_HOST, "127.0.0.1", 2526},
        {"[mx.example.com]", 1, 0, SMTP_NEXTHOP_HOST, "mx.example.com", 25},
        {"[::1]:24", 1, 0, SMTP_NEXTHOP_HOST, "::1", 24},
        {"inet:localhost:24", 0, 0, SMTP_NEXTHOP_HOST, "localhost", 24},
        {"host.example", 0, 0, SMTP_NEXTHOP_HOST, "host.example", 25},
        {"unix:/run/lmtp", 0, 0, SMTP_NEXTHOP_UNIX, "", 25},
        {"unix:relative", 0, -1, 0, 0, 0},
        {"[127.0.0.1", 1, -1, 0, 0, 0},
        {"[127.0.0.1]x", 1, -1, 0, 0, 0},
        {"[127.0.0.1]:0", 1, -1, 0, 0, 0},
        {"[127.0.0.1]:65536", 1, -1, 0, 0, 0},
        {"[127.0.0.1]:25x", 1, -1, 0, 0, 0},
        {"example.com:", 1, -1, 0, 0, 0},
        {"", 1, -1, 0, 0, 0},
        {"a b", 1, -1, 0, 0, 0},
        {"user@example.com", 1, -1, 0, 0, 0},
    };
    struct smtp_nexthop nh;
    struct vstring *why = vstring_alloc(10);
    size_t i;

    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        int r = smtp_nexthop_parse(t[i].text, 25, t[i].mx_allowed, &nh, why);

        CU_ASSERT_EQUAL(r, t[i].ok);
        if (r != t[i].ok)
            fprintf(stderr, "nexthop case %zu (%s): %d\n", i, t[i].text, r);
        if (r == 0 && t[i].ok == 0) {
            CU_ASSERT_EQUAL(nh.kind, t[i].kind);
            CU_ASSERT_STRING_EQUAL(nh.host, t[i].host);
            CU_ASSERT_EQUAL(nh.port, t[i].port);
        }
    }
    CU_ASSERT_EQUAL(smtp_nexthop_parse("unix:/run/lmtp", 25, 0, &nh, why), 0);
    CU_ASSERT_STRING_EQUAL(nh.path, "/run/lmtp");
    vstring_free(why);
}

static void test_literal_resolve(void)
{
    struct smtp_nexthop nh;
    struct smtp_targets *tg = malloc(sizeof(*tg));
    struct vstring *why = vstring_alloc(10);
    char name[300];

    CU_ASSERT_EQUAL(smtp_nexthop_parse("[127.0.0.1]:2526", 25, 1, &nh, why), 0);
    CU_ASSERT_EQUAL(smtp_connect_resolve(&nh, tg, why), 0);
    CU_ASSERT_EQUAL(tg->count, 1);
    CU_ASSERT_STRING_EQUAL(smtp_target_name(&tg->t[0], name, sizeof(name)),
                           "127.0.0.1[127.0.0.1]:2526");
    free(tg);
    vstring_free(why);
}

static const struct testkit_case cases[] = {
    {"MX preference order, CNAME skipped", test_order},
    {"Null MX", test_null_mx},
    {"NXDOMAIN, SERVFAIL, no MX", test_rcodes},
    {"truncated and malformed answers", test_malformed},
    {"at most SMTP_DNS_MAX_MX, the best kept", test_bound},
    {"nexthop syntax", test_nexthop},
    {"an address literal needs no DNS", test_literal_resolve},
    {NULL, NULL},
};
TESTKIT_SUITE("smtp_dns", NULL, NULL, cases);
