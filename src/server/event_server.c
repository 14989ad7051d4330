/*
 * event_server.c - the loop of a continuously running daemon
 * (event_server.h): triggers on the inherited endpoint, the daemon's own
 * descriptors and one-shot timers, all from one poll(2) loop.
 *
 * The loop is deliberately small (tables of fixed size, linear scans): a
 * qmgr-like daemon has a handful of descriptors and timers.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>

#include "msg.h"

#include "event_server.h"
#include "master_proto.h"

struct event_timer {
    struct timespec when;
    event_server_fn fn;
    void *ctx;
};

struct event_watch {
    int fd;
    event_server_fn fn;
    void *ctx;
};

static struct event_timer timers[EVENT_SERVER_MAX_TIMERS];
static int timer_count;
static struct event_watch watches[EVENT_SERVER_MAX_FDS];
static int watch_count;

/* event_server_cancel - forget a timer */
void event_server_cancel(event_server_fn fn, void *ctx)
{
    int i;

    for (i = 0; i < timer_count; i++)
        if (timers[i].fn == fn && timers[i].ctx == ctx)
            timers[i--] = timers[--timer_count];
}

/* event_server_timer_ms - call fn(ctx) after some milliseconds */
void event_server_timer_ms(long ms, event_server_fn fn, void *ctx)
{
    struct event_timer *t;

    event_server_cancel(fn, ctx);
    if (timer_count == EVENT_SERVER_MAX_TIMERS)
        msg_panic("event_server_timer: more than %d timers",
                  EVENT_SERVER_MAX_TIMERS);
    t = timers + timer_count++;
    clock_gettime(CLOCK_MONOTONIC, &t->when);
    t->when.tv_sec += ms / 1000;
    t->when.tv_nsec += (ms % 1000) * 1000000L;
    if (t->when.tv_nsec >= 1000000000L) {
        t->when.tv_sec++;
        t->when.tv_nsec -= 1000000000L;
    }
    t->fn = fn;
    t->ctx = ctx;
}

/* event_server_timer - call fn(ctx) after some seconds */
void event_server_timer(long seconds, event_server_fn fn, void *ctx)
{
    event_server_timer_ms(seconds * 1000, fn, ctx);
}

/* event_server_watch - call fn(ctx) when fd is readable */
void event_server_watch(int fd, event_server_fn fn, void *ctx)
{
    event_server_unwatch(fd);
    if (watch_count == EVENT_SERVER_MAX_FDS)
        msg_panic("event_server_watch: more than %d descriptors",
                  EVENT_SERVER_MAX_FDS);
    watches[watch_count].fd = fd;
    watches[watch_count].fn = fn;
    watches[watch_count++].ctx = ctx;
}

/* event_server_unwatch - stop watching fd */
void event_server_unwatch(int fd)
{
    int i;

    for (i = 0; i < watch_count; i++)
        if (watches[i].fd == fd)
            watches[i--] = watches[--watch_count];
}

/* ms_until - milliseconds from now until the earliest timer, rounded up
 * (rounded down, a timer 0.7 ms away made poll return at once, and the
 * loop spun on poll(2) with a zero timeout until the timer was due), or
 * -1 when there is none */
static int ms_until(const struct timespec *now)
{
    long long best = -1, ns;
    int i;

    for (i = 0; i < timer_count; i++) {
        ns = (long long)(timers[i].when.tv_sec - now->tv_sec) * 1000000000LL
            + (timers[i].when.tv_nsec - now->tv_nsec);
        if (ns < 0)
            ns = 0;
        if (best < 0 || ns < best)
            best = ns;
    }
    if (best < 0)
        return -1;
    best = (best + 999999) / 1000000;
    return best > 1000000 ? 1000000 : (int)best;
}

/* run_due_timers - call and forget every timer that is due */
static void run_due_timers(void)
{
    struct timespec now;
    struct event_timer t;
    int i;

    clock_gettime(CLOCK_MONOTONIC, &now);
    for (i = 0; i < timer_count; i++) {
        if (timers[i].when.tv_sec > now.tv_sec
            || (timers[i].when.tv_sec == now.tv_sec
                && timers[i].when.tv_nsec > now.tv_nsec))
            continue;
        t = timers[i];
        timers[i] = timers[--timer_count];
        t.fn(t.ctx);
        i = -1; /* the call may have changed the table: scan again */
    }
}

/* poll_once - one round: wait, then dispatch; returns -1 if master left */
static int poll_once(const struct server_ctx *ctx, trigger_server_fn trigger)
{
    struct pollfd pfd[EVENT_SERVER_MAX_FDS + 2];
    struct event_watch ready[EVENT_SERVER_MAX_FDS];
    struct timespec now;
    char buf[TRIGGER_BUF_SIZE];
    int i, n, nready = 0, count = watch_count;
    size_t len;

    pfd[0].fd = MASTER_LIVE_FD;
    pfd[1].fd = MASTER_LISTEN_FD;
    for (i = 0; i < count; i++)
        pfd[i + 2].fd = watches[i].fd;
    for (i = 0; i < count + 2; i++)
        pfd[i].events = POLLIN;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if ((n = poll(pfd, (nfds_t)count + 2, ms_until(&now))) < 0 && errno != EINTR)
        msg_fatal("poll: %s", strerror(errno));
    if (n > 0 && pfd[0].revents)
        return -1;
    if (n > 0 && pfd[1].revents) {
        len = trigger_server_read(MASTER_LISTEN_FD, ctx->type, buf, sizeof(buf));
        if (len > 0)
            trigger(buf, len, ctx->service, ctx->argv);
    }
    for (i = 0; n > 0 && i < count; i++)
        if (pfd[i + 2].revents)
            ready[nready++] = watches[i];
    for (i = 0; i < nready; i++)    /* a call-back may unwatch another */
        for (n = 0; n < watch_count; n++)
            if (watches[n].fd == ready[i].fd && watches[n].fn == ready[i].fn) {
                ready[i].fn(ready[i].ctx);
                break;
            }
    run_due_timers();
    return 0;
}

/* event_server_main - run a continuous service under master */
void event_server_main(int argc, char **argv, trigger_server_fn trigger,
                       const struct server_hooks *hooks)
{
    struct server_ctx ctx;

    server_init(argc, argv, hooks, &ctx);
    if (ctx.standalone)
        msg_fatal("an event server cannot run stand-alone");
    server_report(&ctx, MASTER_STAT_READY);
    while (poll_once(&ctx, trigger) == 0)
        ;
    server_exit(&ctx, "master went away");
}
