/*
 * test_qmgr_watch.c - reading inotify events as qmgr does (qmgr_watch.c):
 * only committed names (exactly a queue id) are taken, a refusal stops the
 * walk, an overflow is reported after the names, and an event that does
 * not fit in the read or a watch that is gone is refused as a whole.
 */
#include <string.h>
#include <sys/inotify.h>

#include "testkit.h"

#include "qmgr.h"

#define ID1 "0000000065A1B2C30001F2A"
#define ID2 "0000000065A1B2C30001F2B"

struct events {
    struct {
        _Alignas(struct inotify_event) char buf[1024];
    } u;
    size_t len;
};

/* add - one event with a name padded to pad bytes (0: no name) */
static void add(struct events *e, unsigned mask, const char *name, size_t pad)
{
    struct inotify_event ev;

    memset(&ev, 0, sizeof(ev));
    ev.wd = 1;
    ev.mask = mask;
    ev.len = (unsigned)pad;
    memcpy(e->u.buf + e->len, &ev, sizeof(ev));
    memset(e->u.buf + e->len + sizeof(ev), 0, pad);
    if (name)
        memcpy(e->u.buf + e->len + sizeof(ev), name, strlen(name));
    e->len += sizeof(ev) + pad;
}

struct seen {
    char ids[4][32];
    int count;
    int refuse_after;
};

static int take(const char *id, void *ctx)
{
    struct seen *s = ctx;

    if (s->count >= s->refuse_after)
        return -1;
    strcpy(s->ids[s->count++], id);
    return 0;
}

static void test_committed_names_only(void)
{
    struct events e = {.len = 0};
    struct seen s = {.count = 0, .refuse_after = 4};

    add(&e, IN_MOVED_TO, ID1, 32);
    add(&e, IN_MOVED_TO, ID1 ".part", 32);         /* not committed */
    add(&e, IN_MOVED_TO, "0000000065a1b2c30001f2a", 32); /* not an id */
    add(&e, IN_MOVED_TO, "junk", 16);
    add(&e, IN_MOVED_TO, 0, 0);
    add(&e, IN_MOVED_TO, ID2, 24);                 /* no padding beyond NUL */
    CU_ASSERT_EQUAL(qmgr_watch_parse(e.u.buf, e.len, take, &s), QMGR_WATCH_OK);
    CU_ASSERT_EQUAL(s.count, 2);
    CU_ASSERT_STRING_EQUAL(s.ids[0], ID1);
    CU_ASSERT_STRING_EQUAL(s.ids[1], ID2);
}

static void test_refusal_stops(void)
{
    struct events e = {.len = 0};
    struct seen s = {.count = 0, .refuse_after = 1};

    add(&e, IN_MOVED_TO, ID1, 32);
    add(&e, IN_MOVED_TO, ID2, 32);
    CU_ASSERT_EQUAL(qmgr_watch_parse(e.u.buf, e.len, take, &s),
                    QMGR_WATCH_STOPPED);
    CU_ASSERT_EQUAL(s.count, 1);
}

static void test_overflow_reported(void)
{
    struct events e = {.len = 0};
    struct seen s = {.count = 0, .refuse_after = 4};

    add(&e, IN_MOVED_TO, ID1, 32);
    add(&e, IN_Q_OVERFLOW, 0, 0);
    CU_ASSERT_EQUAL(qmgr_watch_parse(e.u.buf, e.len, take, &s),
                    QMGR_WATCH_OVERFLOW);
    CU_ASSERT_EQUAL(s.count, 1);
}

static void test_bad_reads_refused(void)
{
    struct events e = {.len = 0};
    struct seen s = {.count = 0, .refuse_after = 4};

    add(&e, IN_MOVED_TO, ID1, 32);
    /* the name runs past the end of the read */
    CU_ASSERT_EQUAL(qmgr_watch_parse(e.u.buf, e.len - 1, take, &s),
                    QMGR_WATCH_BAD);
    /* a header cut short after a whole event */
    CU_ASSERT_EQUAL(qmgr_watch_parse(e.u.buf, e.len + 4, take, &s),
                    QMGR_WATCH_BAD);
    e.len = 0;
    add(&e, IN_IGNORED, 0, 0); /* the watch is gone */
    CU_ASSERT_EQUAL(qmgr_watch_parse(e.u.buf, e.len, take, &s),
                    QMGR_WATCH_BAD);
    CU_ASSERT_EQUAL(qmgr_watch_parse(e.u.buf, 0, take, &s), QMGR_WATCH_OK);
}

static const struct testkit_case cases[] = {
    {"only committed names are taken", test_committed_names_only},
    {"a refusal stops the walk", test_refusal_stops},
    {"an overflow is reported", test_overflow_reported},
    {"cut or stale reads are refused", test_bad_reads_refused},
    {NULL, NULL},
};
TESTKIT_SUITE("qmgr watch", NULL, NULL, cases);
