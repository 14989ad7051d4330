/*
 * event_server.h - the skeleton of a daemon that runs continuously as one
 * process (qmgr): it receives triggers like a trigger server, and between
 * them runs its own timers and watches its own descriptors.
 *
 *     static void tick(void *ctx) { ...; event_server_timer(60, tick, ctx); }
 *     static void trigger(const char *buf, size_t len, const char *service,
 *                         char **argv) { ... }
 *     static void init(const char *service, char **argv)
 *     {
 *         event_server_timer(0, tick, NULL);
 *     }
 *     static const struct server_hooks hooks = {NULL, init, NULL};
 *
 *     int main(int argc, char **argv)
 *     {
 *         event_server_main(argc, argv, trigger, &hooks);
 *     }
 *
 * The process never reports itself busy, so master never starts a second
 * one; max_use and max_idle do not apply. It exits when master goes away
 * (or a reload retires it). Use process limit 1 and a wakeup interval in
 * master.cf, so that master starts it at once and keeps it alive.
 *
 * Call-backs run one at a time from the loop; they must not block for long.
 */
#ifndef EVENT_SERVER_H
#define EVENT_SERVER_H

#include "server_common.h"
#include "trigger_server.h"

typedef void (*event_server_fn)(void *ctx);

#define EVENT_SERVER_MAX_FDS 64
#define EVENT_SERVER_MAX_TIMERS 64

/* Calls fn(ctx) once, after at least `seconds`; a timer with the same fn
 * and ctx is replaced. Too many timers is a bug (msg_panic). */
void event_server_timer(long seconds, event_server_fn fn, void *ctx);
/* The same, after at least ms milliseconds (ms >= 0). */
void event_server_timer_ms(long ms, event_server_fn fn, void *ctx);
void event_server_cancel(event_server_fn fn, void *ctx);

/* Calls fn(ctx) whenever fd is readable, until event_server_unwatch(fd). */
void event_server_watch(int fd, event_server_fn fn, void *ctx);
void event_server_unwatch(int fd);

void event_server_main(int argc, char **argv, trigger_server_fn trigger,
                       const struct server_hooks *hooks)
    __attribute__((noreturn));

#endif
