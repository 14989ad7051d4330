/*
 * test_events.c - the event loop as a specification: readiness reaches the
 * right callback with the right bits, stale events are dropped, timers fire
 * once, in deadline order, and can be cancelled, waits are bounded.
 * Every wait here is a few tens of milliseconds.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "events.h"
#include "testkit.h"

struct seen {
    int calls;
    int fd;
    int ready;
    int other; /* a descriptor the callback unwatches and closes */
};

/* record - remember what a descriptor callback was told */
static void record(struct events *ev, int fd, int ready, void *ctx)
{
    struct seen *s = ctx;

    (void)ev;
    s->calls++;
    s->fd = fd;
    s->ready = ready;
}

/* elapsed_ms - milliseconds since t0 */
static long elapsed_ms(const struct timespec *t0)
{
    struct timespec t1;

    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (t1.tv_sec - t0->tv_sec) * 1000 +
           (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/* test_read_readiness - quiet pipe waits the bound; data wakes the loop */
static void test_read_readiness(void)
{
    struct events *ev = events_alloc();
    struct seen s = {0, -1, 0, -1};
    struct timespec t0;
    int p[2];
    long ms;

    CU_ASSERT_FATAL(pipe(p) == 0);
    CU_ASSERT_EQUAL(events_watch(ev, p[0], EVENTS_READ, record, &s), 0);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CU_ASSERT_EQUAL(events_run_once(ev, 30), 0);
    ms = elapsed_ms(&t0);
    CU_ASSERT(ms >= 25 && ms < 500);
    CU_ASSERT_EQUAL(write(p[1], "x", 1), 1);
    CU_ASSERT_EQUAL(events_run_once(ev, 1000), 1);
    CU_ASSERT_EQUAL(s.fd, p[0]);
    CU_ASSERT_EQUAL(s.ready, EVENTS_READ);
    CU_ASSERT_EQUAL(events_run_once(ev, 0), 1); /* level-triggered */
    events_unwatch(ev, p[0]);
    events_unwatch(ev, p[0]); /* no-op */
    CU_ASSERT_EQUAL(events_run_once(ev, 0), 0);
    CU_ASSERT_EQUAL(s.calls, 2);
    close(p[0]);
    close(p[1]);
    events_free(ev);
}

/* test_write_and_hangup - write readiness, replaced masks, peer close */
static void test_write_and_hangup(void)
{
    struct events *ev = events_alloc();
    struct seen s = {0, -1, 0, -1};
    int sv[2];

    CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    CU_ASSERT_EQUAL(events_watch(ev, sv[0], EVENTS_WRITE, record, &s), 0);
    CU_ASSERT_EQUAL(events_run_once(ev, 1000), 1);
    CU_ASSERT_EQUAL(s.ready, EVENTS_WRITE);
    CU_ASSERT_EQUAL(
        events_watch(ev, sv[0], EVENTS_READ | EVENTS_WRITE, record, &s), 0);
    CU_ASSERT_EQUAL(write(sv[1], "x", 1), 1);
    CU_ASSERT_EQUAL(events_run_once(ev, 1000), 1);
    CU_ASSERT_EQUAL(s.ready, EVENTS_READ | EVENTS_WRITE);
    CU_ASSERT_EQUAL(events_watch(ev, sv[0], EVENTS_READ, record, &s), 0);
    CU_ASSERT_EQUAL(read(sv[0], &s.other, 1), 1);
    CU_ASSERT_EQUAL(events_run_once(ev, 20), 0);
    close(sv[1]); /* hang-up shows as readable: the read will see EOF */
    CU_ASSERT_EQUAL(events_run_once(ev, 1000), 1);
    CU_ASSERT_EQUAL(s.ready, EVENTS_READ);
    CU_ASSERT_EQUAL(events_watch(ev, sv[0], 0, record, &s), 0); /* unwatch */
    CU_ASSERT_EQUAL(events_run_once(ev, 0), 0);
    close(sv[0]);
    events_free(ev);
}

/* drop_other - a callback that unwatches and closes another descriptor */
static void drop_other(struct events *ev, int fd, int ready, void *ctx)
{
    struct seen *s = ctx;

    record(ev, fd, ready, ctx);
    events_unwatch(ev, s->other);
    close(s->other);
}

/* test_stale_event_dropped - an unwatched fd's collected event is dropped */
static void test_stale_event_dropped(void)
{
    struct events *ev = events_alloc();
    struct seen a = {0, -1, 0, -1}, b = {0, -1, 0, -1};
    int p[2], q[2];

    CU_ASSERT_FATAL(pipe(p) == 0 && pipe(q) == 0);
    a.other = q[0];
    b.other = p[0];
    events_watch(ev, p[0], EVENTS_READ, drop_other, &a);
    events_watch(ev, q[0], EVENTS_READ, drop_other, &b);
    CU_ASSERT_EQUAL(write(p[1], "x", 1), 1);
    CU_ASSERT_EQUAL(write(q[1], "x", 1), 1);
    CU_ASSERT_EQUAL(events_run_once(ev, 1000), 1);
    CU_ASSERT_EQUAL(a.calls + b.calls, 1);
    events_unwatch(ev, a.calls ? p[0] : q[0]);
    close(a.calls ? p[0] : q[0]);
    close(p[1]);
    close(q[1]);
    events_free(ev);
}

static struct seen reused_seen;
static int reused_pipe[2];

/* reuse_other - unwatch and close the other fd, reuse its number at once */
static void reuse_other(struct events *ev, int fd, int ready, void *ctx)
{
    struct seen *s = ctx;

    record(ev, fd, ready, ctx);
    if (s->other < 0)
        return;
    events_unwatch(ev, s->other);
    close(s->other);
    s->other = -1;
    if (pipe(reused_pipe) == 0)
        events_watch(ev, reused_pipe[0], EVENTS_READ, record, &reused_seen);
}

/* test_reused_fd_not_confused - a new watch on a reused number gets no
 * event collected for the old descriptor */
static void test_reused_fd_not_confused(void)
{
    struct events *ev = events_alloc();
    struct seen a = {0, -1, 0, -1}, b = {0, -1, 0, -1};
    int p[2], q[2], gone;

    memset(&reused_seen, 0, sizeof(reused_seen));
    CU_ASSERT_FATAL(pipe(p) == 0 && pipe(q) == 0);
    a.other = q[0];
    b.other = p[0];
    events_watch(ev, p[0], EVENTS_READ, reuse_other, &a);
    events_watch(ev, q[0], EVENTS_READ, reuse_other, &b);
    CU_ASSERT_EQUAL(write(p[1], "x", 1), 1);
    CU_ASSERT_EQUAL(write(q[1], "x", 1), 1);
    CU_ASSERT_EQUAL(events_run_once(ev, 1000), 1);
    gone = a.calls ? q[0] : p[0];
    CU_ASSERT_EQUAL(reused_pipe[0], gone);      /* the number was reused */
    CU_ASSERT_EQUAL(reused_seen.calls, 0);      /* but not confused */
    CU_ASSERT_EQUAL(events_run_once(ev, 0), 1); /* the survivor again */
    CU_ASSERT_EQUAL(reused_seen.calls, 0);
    events_free(ev);
    close(a.calls ? p[0] : q[0]);
    close(p[1]);
    close(q[1]);
    close(reused_pipe[0]);
    close(reused_pipe[1]);
}

/* test_watch_refused - epoll's refusals come back as -1 with errno */
static void test_watch_refused(void)
{
    struct events *ev = events_alloc();
    struct seen s = {0, -1, 0, -1};
    int fd = open("/etc/passwd", O_RDONLY);

    CU_ASSERT_EQUAL(events_watch(ev, fd, EVENTS_READ, record, &s), -1);
    CU_ASSERT_EQUAL(errno, EPERM);
    close(fd);
    CU_ASSERT_EQUAL(events_watch(ev, 1000, EVENTS_READ, record, &s), -1);
    CU_ASSERT_EQUAL(errno, EBADF);
    CU_ASSERT_EQUAL(events_loop(ev), 0); /* nothing watched: returns */
    events_free(ev);
}

struct order {
    int fired[8];
    int n;
};

static struct order order;

static void tick(struct events *ev, void *ctx)
{
    (void)ev;
    order.fired[order.n++] = (int)(long)ctx;
}

/* test_timer_order_cancel - deadline order, FIFO ties, cancel */
static void test_timer_order_cancel(void)
{
    static const int delays[] = {30, 10, 20, 10, 5};
    static const int expect[] = {4, 1, 3, 2};
    struct events *ev = events_alloc();
    unsigned long ids[5];
    int i;

    memset(&order, 0, sizeof(order));
    for (i = 0; i < 5; i++)
        ids[i] = events_timer_add(ev, delays[i], tick, (void *)(long)i);
    CU_ASSERT_EQUAL(events_timer_cancel(ev, ids[0]), 1);
    CU_ASSERT_EQUAL(events_timer_cancel(ev, ids[0]), 0);
    CU_ASSERT_EQUAL(events_timer_cancel(ev, 0), 0);
    CU_ASSERT_EQUAL(events_loop(ev), 0); /* returns when no timer is left */
    CU_ASSERT_EQUAL_FATAL(order.n, 4);
    for (i = 0; i < 4; i++)
        CU_ASSERT_EQUAL(order.fired[i], expect[i]);
    CU_ASSERT_EQUAL(events_timer_cancel(ev, ids[1]), 0); /* already fired */
    events_free(ev);
}

/* rearm - re-add itself with 0 ms; stop the loop on the third run */
static void rearm(struct events *ev, void *ctx)
{
    int *runs = ctx;

    if (++*runs == 3)
        events_stop(ev);
    else
        events_timer_add(ev, 0, rearm, ctx);
}

/* test_timer_from_callback - not in the same pass; stop ends the loop */
static void test_timer_from_callback(void)
{
    struct events *ev = events_alloc();
    int runs = 0;

    events_timer_add(ev, 0, rearm, &runs);
    CU_ASSERT_EQUAL(events_run_once(ev, 0), 1);
    CU_ASSERT_EQUAL(runs, 1);
    CU_ASSERT_EQUAL(events_loop(ev), 0);
    CU_ASSERT_EQUAL(runs, 3);
    events_timer_add(ev, 10000, rearm, &runs); /* freed by events_free */
    events_free(ev);
    events_free(NULL);
}

/* test_wait_bounded_by_timer - a near timer shortens an unbounded wait */
static void test_wait_bounded_by_timer(void)
{
    struct events *ev = events_alloc();
    struct timespec t0;
    long ms;

    memset(&order, 0, sizeof(order));
    events_timer_add(ev, 1000, tick, 0);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CU_ASSERT_EQUAL(events_run_once(ev, 20), 0); /* the bound wins */
    ms = elapsed_ms(&t0);
    CU_ASSERT(ms >= 15 && ms < 500);
    events_free(ev);
    ev = events_alloc();
    events_timer_add(ev, 20, tick, (void *)7L);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (order.n == 0 && elapsed_ms(&t0) < 1000)
        events_run_once(ev, -1); /* the timer wins */
    CU_ASSERT_EQUAL(order.n, 1);
    CU_ASSERT(elapsed_ms(&t0) >= 20);
    events_free(ev);
}

static void call_bad_mask(void *arg)
{
    events_watch(arg, 0, 4, record, 0);
}

static void call_bad_delay(void *arg)
{
    events_timer_add(arg, -1, tick, 0);
}

/* test_contracts - bad masks and delays panic */
static void test_contracts(void)
{
    struct events *ev = events_alloc();

    CU_ASSERT_EQUAL(testkit_expect_exit(call_bad_mask, ev), 2);
    CU_ASSERT_EQUAL(testkit_expect_exit(call_bad_delay, ev), 2);
    events_free(ev);
}

static const struct testkit_case cases[] = {
    {"read readiness and bounded waits", test_read_readiness},
    {"write readiness, mask changes, hang-up", test_write_and_hangup},
    {"event of an unwatched fd is dropped", test_stale_event_dropped},
    {"a reused descriptor number is not confused", test_reused_fd_not_confused},
    {"epoll refusals are -1 with errno", test_watch_refused},
    {"timers: deadline order, ties, cancel", test_timer_order_cancel},
    {"timer added from a callback, events_stop", test_timer_from_callback},
    {"waits bounded by the argument and by timers", test_wait_bounded_by_timer},
    {"broken contracts panic", test_contracts},
    {NULL, NULL}};

TESTKIT_SUITE("events", NULL, NULL, cases);
