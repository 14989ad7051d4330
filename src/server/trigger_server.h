/*
 * trigger_server.h - the skeleton of a daemon that is woken rather than
 * talked to (pickup: "look into maildrop"; a flush request).
 *
 * A trigger is a few bytes written into the service's fifo, or written by a
 * client that connects to its unix socket and closes it; master's periodic
 * wakeup is the byte MASTER_TRIGGER_WAKEUP. The skeleton reads what arrived
 * (at most TRIGGER_BUF_SIZE bytes per call; a client has
 * TRIGGER_READ_TIMEOUT seconds to write it) and calls
 *
 *     void trigger(const char *buf, size_t len, const char *service,
 *                  char **argv);
 *
 * Each call counts as one request for max_use; max_idle and the exit when
 * master goes away work as in single_server.h.
 */
#ifndef TRIGGER_SERVER_H
#define TRIGGER_SERVER_H

#include <stddef.h>

#include "server_common.h"

#define TRIGGER_BUF_SIZE 1024
#define TRIGGER_READ_TIMEOUT 10
#define TRIGGER_DRAIN_MAX 256 /* clients taken per call on a unix socket */
#define TRIGGER_ROOM 64 /* the longest trigger one client writes */

typedef void (*trigger_server_fn)(const char *buf, size_t len,
                                  const char *service, char **argv);

void trigger_server_main(int argc, char **argv, trigger_server_fn trigger,
                         const struct server_hooks *hooks)
    __attribute__((noreturn));

/* Reads the triggers waiting on the endpoint fd of the given type into buf:
 * a fifo's bytes, or every client queued on a unix socket (at most
 * TRIGGER_DRAIN_MAX, the listener being non-blocking); the byte count, 0
 * when nothing was there. Shared with event_server. */
size_t trigger_server_read(int fd, const char *type, char *buf, size_t size);

#endif
