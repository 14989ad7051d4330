/*
 * test_qmgr_pure.c - the pure parts of qmgr as a specification: back-off
 * (doubling from the message's age, clamped), lifetime and delay-warning
 * arithmetic, cutting recipients into jobs per destination, destination
 * limits, and the per-run routing cache.
 */
#include <stdio.h>
#include <string.h>

#include "testkit.h"
#include "mymalloc.h"
#include "vstring.h"

#include "resolve_addr.h"

#include "deliver_request.h"
#include "qmgr.h"

struct backoff_case {
    long now, arrival, min, max, expect;
};

static const struct backoff_case backoff_cases[] = {
    {1000, 1000, 300, 4000, 300},   /* first deferral: the minimum */
    {1300, 1000, 300, 4000, 300},   /* age == min */
    {1600, 1000, 300, 4000, 600},   /* then the age: the wait doubles */
    {2200, 1000, 300, 4000, 1200},
    {3400, 1000, 300, 4000, 2400},
    {5800, 1000, 300, 4000, 4000},  /* clamped to the maximum */
    {900000, 1000, 300, 4000, 4000},
    {500, 1000, 300, 4000, 300},    /* clock went back */
    {10, 0, 5, 5, 5},               /* min == max */
};

static void test_backoff_table(void)
{
    size_t i;

    for (i = 0; i < sizeof(backoff_cases) / sizeof(backoff_cases[0]); i++) {
        const struct backoff_case *c = backoff_cases + i;

        CU_ASSERT_EQUAL(qmgr_backoff(c->now, c->arrival, c->min, c->max),
                        c->expect);
    }
}

static void bad_range(void *arg)
{
    (void)arg;
    qmgr_backoff(10, 0, 10, 5);
}

static void zero_min(void *arg)
{
    (void)arg;
    qmgr_backoff(10, 0, 0, 5);
}

static void test_backoff_contract(void)
{
    CU_ASSERT_NOT_EQUAL(testkit_expect_exit(bad_range, 0), -1);
    CU_ASSERT_NOT_EQUAL(testkit_expect_exit(zero_min, 0), -1);
}

static void test_backoff_sequence_reaches_max(void)
{
    long t = 0, steps = 0, wait;

    /* simulate tries: each one at the time the previous back-off named */
    while ((wait = qmgr_backoff(t, 0, 300, 4000)) < 4000 && steps < 50) {
        t += wait;
        steps++;
    }
    CU_ASSERT(steps > 3 && steps < 10);
    CU_ASSERT_EQUAL(qmgr_backoff(t, 0, 300, 4000), 4000);
}

static void test_lifetime_and_warning(void)
{
    CU_ASSERT_FALSE(qmgr_expired(1000 + 431999, 1000, 432000));
    CU_ASSERT_TRUE(qmgr_expired(1000 + 432000, 1000, 432000));
    CU_ASSERT_TRUE(qmgr_expired(1000, 1000, 0));
    CU_ASSERT_FALSE(qmgr_warn_due(1000 + 14399, 1000, 14400, 0));
    CU_ASSERT_TRUE(qmgr_warn_due(1000 + 14400, 1000, 14400, 0));
    CU_ASSERT_FALSE(qmgr_warn_due(1000 + 14400, 1000, 14400, 1)); /* once */
    CU_ASSERT_FALSE(qmgr_warn_due(999999, 1000, 0, 0));           /* never */
}

/* fake_message - a message with n recipients, none done */
static struct qmgr_message *fake_message(size_t n)
{
    struct qmgr_message *m = mymalloc(sizeof(*m));

    memset(m, 0, sizeof(*m));
    m->rcpt_count = n;
    m->rcpts = mymalloc(n * sizeof(*m->rcpts));
    memset(m->rcpts, 0, n * sizeof(*m->rcpts));
    return m;
}

static void test_jobs_cut_by_recipient_limit(void)
{
    struct qmgr_message *m = fake_message(5);
    size_t idx[5] = {0, 1, 2, 3, 4}, sizes[3] = {2, 2, 1}, k = 0;
    struct qmgr_dest *d;
    struct qmgr_job *j, *next;

    qmgr.rcpt_limit = 2;
    qmgr.default_concurrency = 7;
    qmgr.local_concurrency = 2;
    d = qmgr_dest_find("smtp", "example.com", "a@example.com");
    CU_ASSERT_PTR_EQUAL(qmgr_dest_find("smtp", "example.com", "b@example.com"), d);
    CU_ASSERT_PTR_NOT_EQUAL(qmgr_dest_find("smtp", "example.org", "c@example.org"), d);
    CU_ASSERT_PTR_NOT_EQUAL(qmgr_dest_find("lmtp", "example.com", "a@example.com"), d);
    CU_ASSERT_EQUAL(d->limit, 7);
    qmgr_sched_add(m, d, idx, 5);
    for (j = d->head; j; j = next, k++) {
        next = j->next;
        CU_ASSERT(k < 3);
        if (k < 3)
            CU_ASSERT_EQUAL(j->count, sizes[k]);
        CU_ASSERT_PTR_EQUAL(j->msg, m);
        CU_ASSERT_EQUAL(j->idx[0], 2 * k); /* order kept */
        qmgr_job_free(j);
    }
    CU_ASSERT_EQUAL(k, 3);
    d->head = d->tail = 0;
    while (qmgr.dests)
        qmgr_dest_release(qmgr.dests);
    myfree(m->rcpts);
    myfree(m);
}

/* forget_dests - release every destination (they hold no jobs here) */
static void forget_dests(void)
{
    while (qmgr.dests)
        qmgr_dest_release(qmgr.dests);
}

/* assert_shared_dest - ann@ and bob@ of domain share one destination of
 * transport, which takes rcpt_limit recipients a request */
static void assert_shared_dest(const char *transport, const char *domain,
                               int rcpt_limit)
{
    char ann[100], bob[100];
    struct qmgr_dest *d;

    snprintf(ann, sizeof(ann), "ann@%s", domain);
    snprintf(bob, sizeof(bob), "bob@%s", domain);
    d = qmgr_dest_find(transport, domain, ann);
    CU_ASSERT_PTR_EQUAL(qmgr_dest_find(transport, domain, bob), d);
    CU_ASSERT_EQUAL(d->rcpt_limit, rcpt_limit);
}

/* local_destination_recipient_limit = 1: a destination per recipient, so
 * the local concurrency limit is one of deliveries to the same mailbox */
static void test_local_dest_per_recipient(void)
{
    struct qmgr_dest *a, *b;

    qmgr.rcpt_limit = 50;
    qmgr.local_rcpt_limit = 1;
    qmgr.local_concurrency = 2;
    a = qmgr_dest_find("local", "host.test", "ann@host.test");
    b = qmgr_dest_find("local", "host.test", "bob@host.test");
    CU_ASSERT_PTR_NOT_EQUAL(a, b);
    CU_ASSERT_PTR_EQUAL(qmgr_dest_find("local", "host.test", "ann@host.test"), a);
    CU_ASSERT_EQUAL(a->rcpt_limit, 1);
    CU_ASSERT_EQUAL(a->limit, 2);
    CU_ASSERT_STRING_EQUAL(a->nexthop, "host.test"); /* what the agent gets */
    CU_ASSERT(qmgr_dest_is(a, "local", "host.test", "ann@host.test"));
    CU_ASSERT(!qmgr_dest_is(a, "local", "host.test", "bob@host.test"));
    /* virtual keeps the default recipient limit: one per domain */
    assert_shared_dest("virtual", "v.test", 50);
    forget_dests();
    /* a larger local limit: one destination for all local mail again */
    qmgr.local_rcpt_limit = 10;
    assert_shared_dest("local", "host.test", 10);
    forget_dests();
    qmgr.local_rcpt_limit = 1;
}

static void test_local_limit(void)
{
    qmgr.default_concurrency = 20;
    qmgr.local_concurrency = 2;
    CU_ASSERT_EQUAL(qmgr_dest_limit("local"), 2);
    CU_ASSERT_EQUAL(qmgr_dest_limit("virtual"), 2);
    CU_ASSERT_EQUAL(qmgr_dest_limit("smtp"), 20);
    qmgr.local_concurrency = 0;
    CU_ASSERT_EQUAL(qmgr_dest_limit("local"), 1);
}

static void test_batch_size(void)
{
    /* a job that finds a free connection goes alone */
    CU_ASSERT_EQUAL(qmgr_batch_size(1, 20, 8), 1);
    CU_ASSERT_EQUAL(qmgr_batch_size(16, 20, 8), 1);
    CU_ASSERT_EQUAL(qmgr_batch_size(20, 20, 8), 1);
    /* more waiting than free: shared out, rounded up, at most the limit */
    CU_ASSERT_EQUAL(qmgr_batch_size(21, 20, 8), 2);
    CU_ASSERT_EQUAL(qmgr_batch_size(3, 2, 16), 2);
    CU_ASSERT_EQUAL(qmgr_batch_size(100, 1, 16), 16);
    CU_ASSERT_EQUAL(qmgr_batch_size(100, 2, 64), 50);
    /* limit 1: never a batch; nothing queued or no free slot: still 1 */
    CU_ASSERT_EQUAL(qmgr_batch_size(100, 1, 1), 1);
    CU_ASSERT_EQUAL(qmgr_batch_size(0, 2, 8), 1);
    CU_ASSERT_EQUAL(qmgr_batch_size(5, 0, 8), 5);
    /* the limits of each transport */
    qmgr.local_batch_limit = 16;
    qmgr.default_batch_limit = 1000;
    CU_ASSERT_EQUAL(qmgr_dest_batch_limit("local"), 16);
    CU_ASSERT_EQUAL(qmgr_dest_batch_limit("smtp"), DELIVER_REQUEST_BATCH_MAX);
    qmgr.default_batch_limit = 0;
    CU_ASSERT_EQUAL(qmgr_dest_batch_limit("smtp"), 1);
}

static void test_route_cache(void)
{
    struct resolve_conf conf;
    struct vstring *why = vstring_alloc(10);
    const char *t, *h, *r, *t2;

    CU_ASSERT_EQUAL_FATAL(resolve_conf_init(&conf, "test.example", "", "",
                                            "test.example", "local", "virtual",
                                            "smtp", "", why),
                          0);
    qmgr.resolve = &conf;
    CU_ASSERT_EQUAL(qmgr_route("a@test.example", &t, &h, &r), 0);
    CU_ASSERT_STRING_EQUAL(t, "local");
    CU_ASSERT_EQUAL(qmgr_route("a@test.example", &t2, &h, &r), 0);
    CU_ASSERT_PTR_EQUAL(t, t2); /* the cached answer */
    CU_ASSERT_EQUAL(qmgr_route("b@far.example", &t, &h, &r), 0);
    CU_ASSERT_STRING_EQUAL(h, "far.example");
    CU_ASSERT_EQUAL(qmgr_route("bad@@x", &t, &h, &r), 5);
    CU_ASSERT_STRING_EQUAL(t, "error");
    CU_ASSERT_EQUAL(strncmp(r, "5.1.3", 5), 0);
    qmgr_route_clear();
    resolve_conf_free(&conf);
    qmgr.resolve = 0;
    vstring_free(why);
}

/* collect - the names qmgr_trigger_parse hands on, joined with ',' */
static void collect(const char *name, void *ctx)
{
    struct vstring *names = ctx;

    if (vstring_len(names) > 0)
        vstring_append_str(names, ",");
    vstring_append_str(names, name);
}

#define N1 "6B0DC89636F1200636C0016"
#define N2 "6B0DC89637432006360001E"

/* The trigger bytes: one-byte requests, hand-offs by name, and a hint cut
 * by the end of a read at every point, finished by the next read. */
static void test_trigger_parse(void)
{
    static const char stream[] = "AS" N1 "FWS" N2 "A?";
    struct vstring *names = vstring_alloc(64);
    struct qmgr_trigger_carry carry = {{0}, 0};
    struct qmgr_trigger_read req = {0, 0, 0};
    size_t cut, len = sizeof(stream) - 1;

    qmgr_trigger_parse(stream, len, &carry, &req, collect, names);
    CU_ASSERT_STRING_EQUAL(vstring_str(names), N1 "," N2);
    CU_ASSERT(req.flush == 1 && req.wakeup == 1 && req.unknown == 1);
    CU_ASSERT_EQUAL(carry.len, 0);
    for (cut = 0; cut <= len; cut++) {
        struct qmgr_trigger_read r = {0, 0, 0};

        vstring_truncate(names, 0);
        qmgr_trigger_parse(stream, cut, &carry, &r, collect, names);
        qmgr_trigger_parse(stream + cut, len - cut, &carry, &r, collect, names);
        CU_ASSERT_STRING_EQUAL(vstring_str(names), N1 "," N2);
        CU_ASSERT(r.flush == 1 && r.wakeup == 1 && r.unknown == 1);
        CU_ASSERT_EQUAL(carry.len, 0);
    }
    /* one byte at a time */
    vstring_truncate(names, 0);
    for (cut = 0; cut < len; cut++)
        qmgr_trigger_parse(stream + cut, 1, &carry, &req, collect, names);
    CU_ASSERT_STRING_EQUAL(vstring_str(names), N1 "," N2);
    /* a name is passed as read, however odd: qmgr_take_spare checks it */
    vstring_truncate(names, 0);
    qmgr_trigger_parse("S../../../../../../../etc", 25, &carry, &req, collect,
                       names);
    CU_ASSERT_STRING_EQUAL(vstring_str(names), "../../../../../../../et");
    CU_ASSERT_EQUAL(carry.len, 0);
    vstring_free(names);
}

static const struct testkit_case cases[] = {
    {"back-off table", test_backoff_table},
    {"back-off range contract", test_backoff_contract},
    {"back-off doubles to the maximum", test_backoff_sequence_reaches_max},
    {"lifetime and delay warning", test_lifetime_and_warning},
    {"jobs cut by recipient limit", test_jobs_cut_by_recipient_limit},
    {"local transports get the local limit", test_local_limit},
    {"local destination per recipient", test_local_dest_per_recipient},
    {"routing cache", test_route_cache},
    {"jobs per request: waiting over free, within the limit", test_batch_size},
    {"trigger bytes: requests, hints, hints cut by a read", test_trigger_parse},
    {NULL, NULL},
};
TESTKIT_SUITE("qmgr", NULL, NULL, cases);
