/*
 * mail_trigger.h - waking a trigger service (qmgr, pickup) with one byte.
 *
 * A trigger service listens on $queue_directory/<class>/<service>, either
 * a fifo or a unix stream socket (master.cf decides). mail_trigger_send()
 * looks at what is there and writes the bytes the right way: into the fifo
 * (opened non-blocking for writing: no reader means nobody listens; the
 * descriptor is kept for a second, for the next trigger), or by
 * connecting, writing and closing. It never waits longer than a second: a
 * trigger is a hint (the service's own wakeup finds the work anyway), so
 * "nobody there" is an expected result, not an error worth more than a
 * verbose log line.
 *
 * Returns 0 when the bytes were handed over, -1 with the reason in why.
 */
#ifndef MAIL_TRIGGER_H
#define MAIL_TRIGGER_H

#include <stddef.h>

struct vstring;

int mail_trigger_send(const char *queue_dir, const char *class_,
                      const char *service, const char *buf, size_t len,
                      struct vstring *why);

#endif
