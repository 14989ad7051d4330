/*
 * events.h - a single-threaded event loop over epoll(7) with one-shot
 * timers: what master (listening sockets, child status pipes, idle timers)
 * and qmgr (delivery agent sockets, retry timers) are built around.
 *
 * Descriptors: events_watch(ev, fd, mask, fn, ctx) registers (or replaces)
 * the interest in fd; fn(ev, fd, ready, ctx) is then called from
 * events_run_once() whenever fd is ready for something in mask. ready holds
 * only bits of mask; a hang-up or error on fd is reported as readiness of
 * what was asked (so the next read or write returns EOF or the error).
 * Interest is level-triggered: fn is called again as long as the condition
 * holds. A callback may watch, unwatch and close any descriptor, including
 * its own; an event already collected for a descriptor that has since been
 * unwatched (or unwatched and watched again) is dropped, never delivered to
 * the wrong callback. Close a descriptor only after unwatching it.
 *
 * Timers: events_timer_add(ev, ms, fn, ctx) calls fn(ev, ctx) once, no
 * sooner than ms milliseconds later (CLOCK_MONOTONIC), and returns an id
 * (never 0) for events_timer_cancel(). Timers with the same deadline fire in
 * the order they were added. A timer added from inside a callback does not
 * fire in the same iteration, even with ms 0. Pending timers are kept in a
 * sorted list (add is linear in their number).
 *
 * events_run_once(ev, max_wait_ms) waits at most max_wait_ms (-1: until
 * something happens), runs the ready callbacks and the expired timers, and
 * returns how many it ran. events_loop() repeats that until a callback
 * calls events_stop(), or until nothing is watched and no timer is pending.
 *
 * Errors: events_watch returns -1 with errno for a descriptor that epoll
 * refuses (a regular file, a closed fd); a failing epoll_wait (other than
 * EINTR) makes run_once/loop return -1 with errno. Freeing the loop from
 * inside one of its callbacks is a broken contract.
 */
#ifndef EVENTS_H
#define EVENTS_H

struct events;

#define EVENTS_READ  (1 << 0)
#define EVENTS_WRITE (1 << 1)

typedef void (*events_fd_fn)(struct events *ev, int fd, int ready, void *ctx);
typedef void (*events_timer_fn)(struct events *ev, void *ctx);

struct events *events_alloc(void);
/* Frees the loop and its pending timers; watched descriptors stay open. */
void events_free(struct events *ev);

/* mask is EVENTS_READ and/or EVENTS_WRITE; 0 is the same as unwatch. */
int events_watch(struct events *ev, int fd, int mask, events_fd_fn fn,
                 void *ctx);
/* Forgets fd; a no-op when it is not watched. */
void events_unwatch(struct events *ev, int fd);

/* ms >= 0. Returns the timer's id. */
unsigned long events_timer_add(struct events *ev, int ms, events_timer_fn fn,
                               void *ctx);
/* 1 when the timer was pending and is now cancelled, else 0. */
int events_timer_cancel(struct events *ev, unsigned long id);

int events_run_once(struct events *ev, int max_wait_ms);
int events_loop(struct events *ev);
void events_stop(struct events *ev);

#endif
