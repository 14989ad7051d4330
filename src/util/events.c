/*
 * events.c - epoll readiness dispatch and a sorted list of one-shot timers.
 *
 * Each watched descriptor has a slot in a table indexed by fd, with a
 * generation number that changes whenever the slot is (re)registered; the
 * epoll data of an event carries fd and generation, so that an event for a
 * slot that changed during the current batch is recognised as stale.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "events.h"
#include "msg.h"
#include "mymalloc.h"

#define EVENTS_BATCH 64

struct events_slot {
    events_fd_fn fn;
    void *ctx;
    int mask; /* 0: not watched */
    uint32_t gen;
};

struct events_timer {
    unsigned long id;
    long long due_ms;
    events_timer_fn fn;
    void *ctx;
    struct events_timer *next;
};

struct events {
    int epfd;
    int stop;
    size_t watched;
    struct events_slot *slots;
    size_t nslots;
    uint32_t next_gen;
    struct events_timer *timers; /* sorted by due_ms, then id */
    unsigned long next_id;
};

/* now_ms - monotonic milliseconds */
static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* events_alloc - a loop with nothing to do */
struct events *events_alloc(void)
{
    struct events *ev = mymalloc(sizeof(*ev));

    memset(ev, 0, sizeof(*ev));
    ev->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (ev->epfd < 0)
        msg_fatal("epoll_create1: %s", strerror(errno));
    ev->next_id = 1;
    return ev;
}

/* events_free - release the loop; descriptors stay open */
void events_free(struct events *ev)
{
    struct events_timer *t;

    if (ev == 0)
        return;
    while ((t = ev->timers) != 0) {
        ev->timers = t->next;
        myfree(t);
    }
    close(ev->epfd);
    myfree(ev->slots);
    myfree(ev);
}

/* slot_for - the table slot of fd, growing the table as needed */
static struct events_slot *slot_for(struct events *ev, int fd)
{
    size_t want = (size_t)fd + 1, n = ev->nslots ? ev->nslots : 16;

    if (want > ev->nslots) {
        while (n < want)
            n *= 2;
        ev->slots = myrealloc(ev->slots, n * sizeof(ev->slots[0]));
        memset(ev->slots + ev->nslots, 0,
               (n - ev->nslots) * sizeof(ev->slots[0]));
        ev->nslots = n;
    }
    return &ev->slots[fd];
}

/* events_watch - register or replace interest in fd */
int events_watch(struct events *ev, int fd, int mask, events_fd_fn fn,
                 void *ctx)
{
    struct epoll_event e;
    struct events_slot *slot;
    int op;

    if (fd < 0 || (mask & ~(EVENTS_READ | EVENTS_WRITE)) || (mask && !fn))
        msg_panic("events_watch: bad fd %d, mask %#x or callback", fd, mask);
    if (mask == 0) {
        events_unwatch(ev, fd);
        return 0;
    }
    slot = slot_for(ev, fd);
    op = slot->mask ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    e.events = ((mask & EVENTS_READ) ? EPOLLIN | EPOLLRDHUP : 0) |
               ((mask & EVENTS_WRITE) ? EPOLLOUT : 0);
    e.data.u64 = (uint64_t)(op == EPOLL_CTL_ADD ? ++ev->next_gen : slot->gen)
                     << 32 |
                 (uint32_t)fd;
    if (epoll_ctl(ev->epfd, op, fd, &e) < 0)
        return -1;
    if (op == EPOLL_CTL_ADD) {
        slot->gen = ev->next_gen;
        ev->watched++;
    }
    slot->mask = mask;
    slot->fn = fn;
    slot->ctx = ctx;
    return 0;
}

/* events_unwatch - forget fd */
void events_unwatch(struct events *ev, int fd)
{
    struct events_slot *slot;

    if (fd < 0 || (size_t)fd >= ev->nslots || ev->slots[fd].mask == 0)
        return;
    slot = &ev->slots[fd];
    /* EBADF when the caller closed fd first: the kernel already forgot it. */
    (void)epoll_ctl(ev->epfd, EPOLL_CTL_DEL, fd, 0);
    slot->mask = 0;
    slot->fn = 0;
    slot->ctx = 0;
    ev->watched--;
}

/* events_timer_add - a one-shot timer */
unsigned long events_timer_add(struct events *ev, int ms, events_timer_fn fn,
                               void *ctx)
{
    struct events_timer *t, **pos;

    if (ms < 0 || fn == 0)
        msg_panic("events_timer_add: bad delay %d or callback", ms);
    t = mymalloc(sizeof(*t));
    t->id = ev->next_id++;
    t->due_ms = now_ms() + ms;
    t->fn = fn;
    t->ctx = ctx;
    for (pos = &ev->timers; *pos && (*pos)->due_ms <= t->due_ms;
         pos = &(*pos)->next)
        ;
    t->next = *pos;
    *pos = t;
    return t->id;
}

/* events_timer_cancel - remove a pending timer */
int events_timer_cancel(struct events *ev, unsigned long id)
{
    struct events_timer *t, **pos;

    for (pos = &ev->timers; (t = *pos) != 0; pos = &t->next) {
        if (t->id == id) {
            *pos = t->next;
            myfree(t);
            return 1;
        }
    }
    return 0;
}

/* wait_bound - how long epoll_wait may sleep */
static int wait_bound(const struct events *ev, int max_wait_ms)
{
    long long until;

    if (ev->timers == 0)
        return max_wait_ms < 0 ? -1 : max_wait_ms;
    until = ev->timers->due_ms - now_ms();
    if (until < 0)
        until = 0;
    if (max_wait_ms >= 0 && until > max_wait_ms)
        until = max_wait_ms;
    return until > INT_MAX ? INT_MAX : (int)until;
}

/* dispatch - call the callbacks of collected events that are still valid */
static int dispatch(struct events *ev, const struct epoll_event *evs, int n)
{
    int i, fd, ready, ran = 0;
    struct events_slot *slot;
    uint32_t bits;

    for (i = 0; i < n; i++) {
        fd = (int)(uint32_t)evs[i].data.u64;
        slot = (size_t)fd < ev->nslots ? &ev->slots[fd] : 0;
        if (slot == 0 || slot->mask == 0 ||
            slot->gen != (uint32_t)(evs[i].data.u64 >> 32))
            continue;
        bits = evs[i].events;
        ready =
            ((bits & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) ? EVENTS_READ
                                                                   : 0) |
            ((bits & (EPOLLOUT | EPOLLHUP | EPOLLERR)) ? EVENTS_WRITE : 0);
        ready &= slot->mask;
        if (ready) {
            slot->fn(ev, fd, ready, slot->ctx);
            ran++;
        }
    }
    return ran;
}

/* fire_timers - run the timers that are due and older than this pass */
static int fire_timers(struct events *ev)
{
    unsigned long limit = ev->next_id;
    long long now = now_ms();
    struct events_timer *t;
    int ran = 0;

    while ((t = ev->timers) != 0 && t->due_ms <= now && t->id < limit) {
        ev->timers = t->next;
        t->fn(ev, t->ctx);
        myfree(t);
        ran++;
    }
    return ran;
}

/* events_run_once - one bounded wait, then callbacks and timers */
int events_run_once(struct events *ev, int max_wait_ms)
{
    struct epoll_event evs[EVENTS_BATCH];
    int n;

    n = epoll_wait(ev->epfd, evs, EVENTS_BATCH, wait_bound(ev, max_wait_ms));
    if (n < 0 && errno != EINTR)
        return -1;
    return (n > 0 ? dispatch(ev, evs, n) : 0) + fire_timers(ev);
}

/* events_loop - run until stopped or idle for good */
int events_loop(struct events *ev)
{
    ev->stop = 0;
    while (!ev->stop && (ev->watched > 0 || ev->timers != 0))
        if (events_run_once(ev, -1) < 0)
            return -1;
    return 0;
}

/* events_stop - make events_loop return after the current callback */
void events_stop(struct events *ev)
{
    ev->stop = 1;
}
