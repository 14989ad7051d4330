/*
 * test_deliver_request.c - the agent side of the delivery protocol over a
 * socketpair: a request round trip, the reply, order and bound checks.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testkit.h"

#include "attr.h"
#include "deliver_request.h"
#include "mail_proto.h"
#include "vstream.h"
#include "vstring.h"

#define ID "0123456789ABCDEF0123456"

struct pair {
    struct vstream *qmgr;  /* the test, playing qmgr */
    struct vstream *agent; /* the side under test */
};

static void pair_open(struct pair *p)
{
    int sv[2];

    CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    p->qmgr = vstream_fdopen(sv[0], VSTREAM_RW);
    p->agent = vstream_fdopen(sv[1], VSTREAM_RW);
    vstream_set_timeout(p->qmgr, 5);
    vstream_set_timeout(p->agent, 5);
}

static void pair_close(struct pair *p)
{
    vstream_close(p->qmgr);
    vstream_close(p->agent);
}

static void add_head(struct attr_list *l)
{
    attr_list_add(l, MAIL_ATTR_QUEUE_NAME, "active");
    attr_list_add(l, MAIL_ATTR_QUEUE_ID, ID);
    attr_list_add(l, MAIL_ATTR_QUEUE_FILE, ID);
    attr_list_add(l, MAIL_ATTR_CONTENT_OFFSET, "120");
    attr_list_add(l, MAIL_ATTR_SENDER, "");
    attr_list_add(l, MAIL_ATTR_ENVID, "env 1");
    attr_list_add(l, MAIL_ATTR_RET, "HDRS");
    attr_list_add(l, MAIL_ATTR_NEXTHOP, "example.org");
    attr_list_add(l, MAIL_ATTR_ARRIVAL_TIME, "1700000000");
}

static void add_rcpt(struct attr_list *l, const char *addr, long off)
{
    attr_list_add(l, MAIL_ATTR_RCPT, addr);
    attr_list_add_long(l, MAIL_ATTR_RCPT_OFFSET, off);
    attr_list_add(l, MAIL_ATTR_ORCPT, "rfc822;x@y");
    attr_list_add(l, MAIL_ATTR_NOTIFY, "FAILURE");
}

/* read_one - the next request, or NULL (why) */
static struct deliver_request *read_one(struct vstream *agent,
                                        struct vstring *why)
{
    struct deliver_request *req;

    (void)deliver_request_next(agent, &req, why);
    return req;
}

static void test_round_trip(void)
{
    struct pair p;
    struct attr_list *l = attr_list_alloc();
    struct vstring *why = vstring_alloc(10);
    struct deliver_request *req;

    pair_open(&p);
    add_head(l);
    add_rcpt(l, "a@example.org", 40);
    add_rcpt(l, "b@example.org", 70);
    add_rcpt(l, "c@example.org", 99);
    CU_ASSERT_FATAL(attr_write(p.qmgr, l) == 0);
    req = read_one(p.agent, why);
    CU_ASSERT_PTR_NOT_NULL_FATAL(req);
    CU_ASSERT_STRING_EQUAL(req->queue_id, ID);
    CU_ASSERT_STRING_EQUAL(req->queue_file, ID);
    CU_ASSERT_EQUAL(req->content_offset, 120);
    CU_ASSERT_STRING_EQUAL(req->sender, "");
    CU_ASSERT_STRING_EQUAL(req->envid, "env 1");
    CU_ASSERT_STRING_EQUAL(req->ret, "HDRS");
    CU_ASSERT_EQUAL(req->arrival_time, 1700000000L);
    CU_ASSERT_EQUAL_FATAL(req->rcpt_count, 3);
    CU_ASSERT_STRING_EQUAL(req->rcpts[1].address, "b@example.org");
    CU_ASSERT_EQUAL(req->rcpts[2].offset, 99);
    CU_ASSERT_STRING_EQUAL(req->rcpts[0].notify, "FAILURE");

    /* Outcomes for 0 and 2 only; 1 is left out (qmgr defers it). */
    deliver_request_status(req, 2, "5.1.1", "failed", "unknown user");
    deliver_request_status(req, 0, "4.2.0", "deferred", "first try");
    deliver_request_status(req, 0, "2.0.0", "delivered", "ok\nline2");
    CU_ASSERT(deliver_request_reply(p.agent, req) == 0);
    CU_ASSERT_FATAL(attr_read(p.qmgr, l, 0, why) == 1);
    CU_ASSERT_EQUAL_FATAL(attr_list_count(l), 8);
    CU_ASSERT_STRING_EQUAL(attr_list_value_at(l, 0, 0), "40");
    CU_ASSERT_STRING_EQUAL(attr_list_value_at(l, 1, 0), "2.0.0");
    CU_ASSERT_STRING_EQUAL(attr_list_value_at(l, 2, 0), "delivered");
    CU_ASSERT_STRING_EQUAL(attr_list_value_at(l, 3, 0), "ok\nline2");
    CU_ASSERT_STRING_EQUAL(attr_list_value_at(l, 4, 0), "99");
    CU_ASSERT_STRING_EQUAL(attr_list_value_at(l, 5, 0), "5.1.1");
    CU_ASSERT_STRING_EQUAL(attr_list_name_at(l, 7), MAIL_ATTR_REASON);
    deliver_request_free(req);
    attr_list_free(l);
    vstring_free(why);
    pair_close(&p);
}

/* A request edited by one table row; every row must be refused. */
struct bad_case {
    const char *what;
    size_t index;      /* attribute to replace (or 999: none) */
    const char *name;  /* new name, or NULL to keep */
    const char *value; /* new value */
    const char *why;   /* expected text in the reason */
};

static const struct bad_case bad_cases[] = {
    {"bad id", 1, 0, "0123", "queue name, id"},
    {"bad queue", 0, 0, "../etc", "queue name, id"},
    {"bad file name", 2, 0, "../../etc/passwd", "file name"},
    {"bad offset", 3, 0, "12x", "content_offset"},
    {"negative offset", 3, 0, "-5", "content_offset"},
    {"bad ret", 6, 0, "ALL", "ret"},
    {"bad time", 8, 0, "", "arrival_time"},
    {"out of order", 4, MAIL_ATTR_ENVID, "x", "expected \"sender\""},
    {"rcpt order", 10, MAIL_ATTR_ORCPT, "x", "expected \"rcpt_offset\""},
    {"empty rcpt", 9, 0, "", "bad recipient"},
    {"bad rcpt offset", 10, 0, "9999999999999999999999", "rcpt_offset"},
    {0, 0, 0, 0, 0},
};

static void send_edited(struct vstream *s, const struct bad_case *c)
{
    struct attr_list *l = attr_list_alloc(), *out = attr_list_alloc();
    size_t i;

    add_head(l);
    add_rcpt(l, "a@example.org", 40);
    for (i = 0; i < attr_list_count(l); i++)
        attr_list_add(out, i == c->index && c->name ? c->name
                                                    : attr_list_name_at(l, i),
                      i == c->index ? c->value : attr_list_value_at(l, i, 0));
    CU_ASSERT_FATAL(attr_write(s, out) == 0);
    attr_list_free(l);
    attr_list_free(out);
}

static void test_refused(void)
{
    const struct bad_case *c;
    struct vstring *why = vstring_alloc(10);
    struct pair p;

    for (c = bad_cases; c->what; c++) {
        pair_open(&p);
        send_edited(p.qmgr, c);
        vstring_reset(why);
        CU_ASSERT_PTR_NULL(read_one(p.agent, why));
        if (strstr(vstring_str(why), c->why) == 0)
            CU_FAIL(c->what);
        pair_close(&p);
    }
    vstring_free(why);
}

static void test_no_rcpt_and_too_many(void)
{
    struct vstring *why = vstring_alloc(10);
    struct attr_list *l = attr_list_alloc();
    struct pair p;
    int i;

    pair_open(&p);
    add_head(l);
    CU_ASSERT_FATAL(attr_write(p.qmgr, l) == 0);
    CU_ASSERT_PTR_NULL(read_one(p.agent, why));
    CU_ASSERT_PTR_NOT_NULL(strstr(vstring_str(why), "attributes"));
    pair_close(&p);

    /* One more recipient than allowed: refused by the attribute bound. */
    attr_list_reset(l);
    add_head(l);
    for (i = 0; i <= DELIVER_REQUEST_MAX_RCPTS; i++)
        add_rcpt(l, "r@x", i);
    pair_open(&p);
    if (fork() == 0) {
        vstream_close(p.agent);
        _exit(attr_write(p.qmgr, l) == 0 ? 0 : 1);
    }
    CU_ASSERT_PTR_NULL(read_one(p.agent, why));
    pair_close(&p);

    /* Exactly the bound is fine. */
    attr_list_reset(l);
    add_head(l);
    for (i = 0; i < DELIVER_REQUEST_MAX_RCPTS; i++)
        add_rcpt(l, "r@x", i);
    pair_open(&p);
    if (fork() == 0) {
        vstream_close(p.agent);
        _exit(attr_write(p.qmgr, l) == 0 ? 0 : 1);
    }
    {
        struct deliver_request *req = read_one(p.agent, why);

        CU_ASSERT_PTR_NOT_NULL(req);
        if (req)
            CU_ASSERT_EQUAL(req->rcpt_count, DELIVER_REQUEST_MAX_RCPTS);
        deliver_request_free(req);
    }
    pair_close(&p);
    while (wait(0) > 0)
        ;
    attr_list_free(l);
    vstring_free(why);
}

static void test_eof(void)
{
    struct vstring *why = vstring_alloc(10);
    struct pair p;

    pair_open(&p);
    shutdown(vstream_fd(p.qmgr), SHUT_WR);
    CU_ASSERT_PTR_NULL(read_one(p.agent, why));
    CU_ASSERT_PTR_NOT_NULL(strstr(vstring_str(why), "no request"));
    pair_close(&p);
    vstring_free(why);
}

static void bad_status(void *arg)
{
    deliver_request_status(arg, 0, "3.0.0", "delivered", "");
}

static void bad_index(void *arg)
{
    deliver_request_status(arg, 5, "2.0.0", "delivered", "");
}

static void test_status_contract(void)
{
    struct deliver_request req;
    struct deliver_rcpt r;

    memset(&req, 0, sizeof(req));
    memset(&r, 0, sizeof(r));
    req.rcpts = &r;
    req.rcpt_count = 1;
    CU_ASSERT_EQUAL(testkit_expect_exit(bad_status, &req), 2);
    CU_ASSERT_EQUAL(testkit_expect_exit(bad_index, &req), 2);
}

static const struct testkit_case cases[] = {
    {"request round trip and reply", test_round_trip},
    {"malformed requests refused", test_refused},
    {"no recipient, recipient bound", test_no_rcpt_and_too_many},
    {"end of input", test_eof},
    {"status contract", test_status_contract},
    {NULL, NULL},
};
TESTKIT_SUITE("deliver_request", NULL, NULL, cases);
