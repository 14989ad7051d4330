/*
 * bounce.h - the bounce daemon: turns the per-message log that qmgr wrote
 * (bounce/<id> for failed recipients, defer/<id> for delayed ones) and the
 * original queue file into an RFC 3464 DSN, and queues that DSN through
 * cleanup from the null sender (mail_proto.h, "bounce").
 *
 * Rules (RFC 3461): a recipient whose NOTIFY is NEVER gets no DSN; with a
 * NOTIFY list, a failure is reported only when it names FAILURE and a delay
 * only when it names DELAY; an empty NOTIFY means the default (FAILURE and
 * DELAY). RET=HDRS (or a message larger than bounce_size_limit) returns the
 * headers only. A message from the null sender never gets a DSN: bounce
 * answers OK without writing one, and so when no recipient asked for one.
 *
 * The reply { status, reason, queue_id } says status 0 only after cleanup
 * committed the DSN (queue_id is then the DSN's, or "" when none was due);
 * anything else is status 4 with a reason, and qmgr asks again later.
 */
#ifndef BOUNCE_H
#define BOUNCE_H

#include <stddef.h>

#include "dsn.h"

struct vstring;
struct queue_message;

#define BOUNCE_LOG_MAX_ENTRIES 10000 /* records read from one log */

/* One record of a per-message log. */
struct bounce_entry {
    char *rcpt;
    char *orcpt;
    char *notify;
    char *status; /* "5.1.1" */
    char *action; /* failed | delayed | ... */
    char *reason;
    long offset;
};

struct bounce_log {
    struct bounce_entry *items;
    size_t count;
};

/* What bounce reads from the configuration. */
struct bounce_conf {
    const char *queue_dir;
    const char *myhostname;
    size_t size_limit; /* bounce_size_limit */
    int ipc_timeout;
};

/*
 * Reads <queue_dir>/<log_queue>/<id>. A missing file is an empty log. A
 * record cut short (a crash while qmgr appended) ends the reading; what came
 * before it counts. A later record for the same rcpt_offset replaces an
 * earlier one. 0, or -1 with a reason (unreadable file, a bad record).
 */
int bounce_log_read(const char *queue_dir, const char *log_queue,
                    const char *id, struct bounce_log *log,
                    struct vstring *why);
void bounce_log_free(struct bounce_log *log);

/* 1 when a recipient with this NOTIFY value wants a DSN of kind, else 0. */
int bounce_notify_wants(const char *notify, enum dsn_kind kind);

/*
 * Builds the DSN for msg and the log entries that want one. Returns the
 * number of recipients reported (0: no DSN is due, out untouched), or -1
 * with a reason.
 */
int bounce_dsn_build(const struct bounce_conf *conf, struct queue_message *msg,
                     const struct bounce_log *log, enum dsn_kind kind,
                     struct vstring *out, struct vstring *why);

/* Serves one request on fd (closes it). */
void bounce_service_conn(const struct bounce_conf *conf, int fd);

#endif
