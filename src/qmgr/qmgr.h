/*
 * qmgr.h - the queue manager's parts: one long-lived process (event_server)
 * that moves committed messages from incoming/ into active/, routes their
 * recipients (resolve_addr.h), hands them to delivery agents in batches per
 * destination under concurrency limits, records each outcome, and then
 * removes the message, or parks it in deferred/ until its next try.
 *
 * Where the commit points are (DESIGN.md section 3):
 *   - a recipient is final only when its record is rewritten R -> D and the
 *     file fsynced (qmgr_outcome.c); before that a crash means "try again";
 *   - a failed recipient stays R until bounce has committed the DSN; its
 *     failure is first appended (and fsynced) to bounce/<id>;
 *   - at start every file left in active/ goes back to incoming/.
 *
 * Memory: at most qmgr_message_active_limit messages are in memory (their
 * envelopes, never their content); deferred/ is scanned one directory entry
 * at a time and never held in memory, so a queue of any size costs the
 * same. Delivery attempts of one message whose recipients all share a
 * destination are one request of at most default_destination_recipient_limit
 * recipients; the local transport takes local_destination_recipient_limit
 * (1 by default), and with 1 its destination is the recipient, so that
 * local_destination_concurrency_limit bounds deliveries to one mailbox,
 * not all local deliveries. A connection to an agent carries several such
 * requests for one destination when more jobs wait than the destination
 * has free connections: the waiting jobs shared out over the free ones,
 * at most local_delivery_batch_limit (local: their Maildir files share
 * the device's flushes) or default_delivery_batch_limit (smtp, lmtp: one
 * connection from qmgr, one agent wake-up) per request. A job that
 * finds a free connection goes alone, at once.
 *
 * Retry time of a deferred message: its file's mtime (set with utimes),
 * now + qmgr_backoff(). The owner-execute bit of a queue file records that
 * the delay warning was sent (so it is sent once).
 */
#ifndef QMGR_H
#define QMGR_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "mail_proto.h"

struct vstring;
struct resolve_conf;

/* ---- pure arithmetic (qmgr_backoff.c) ---------------------------------- */

/*
 * Seconds until the next try of a message that arrived at `arrival` and was
 * deferred at `now`: its age, clamped to [min, max]. Successive tries thus
 * double the wait (min, min, 2min, 4min, ...) up to max, without a counter.
 * Contract: 0 < min <= max.
 */
long qmgr_backoff(long now, long arrival, long min, long max);

/* 1 when a message of that arrival is past its lifetime at now. */
int qmgr_expired(long now, long arrival, long lifetime);

/* 1 when the delay warning is due (warn_after 0 = never). */
int qmgr_warn_due(long now, long arrival, long warn_after, int warned);

/* ---- recipient and message state -------------------------------------- */

enum qmgr_rcpt_state {
    QMGR_RCPT_TODO,     /* routed, waiting in a job */
    QMGR_RCPT_BUSY,     /* in a request */
    QMGR_RCPT_DONE,     /* D record, or done before this run */
    QMGR_RCPT_DEFERRED, /* this run: try again later */
    QMGR_RCPT_FAILED,   /* in bounce/<id>, waiting for the DSN */
};

struct qmgr_dest;

struct qmgr_rcpt {
    char *address;
    char *orcpt;
    char *notify;
    off_t offset;
    int state;
    char *why; /* last deferral reason (expiry quotes it), or NULL */
};

struct qmgr_message {
    char *id;
    const char *queue;   /* QUEUE_ACTIVE, or QUEUE_SPARE: claimed in place */
    char *file;          /* its file there: the id, or a spare's name */
    int lock_fd;         /* claimed in place: the file, open and locked */
    off_t file_size;
    char *sender;
    char *envid;
    char *ret;
    long arrival;
    double arrival_f;
    off_t content_offset;
    struct qmgr_rcpt *rcpts;
    size_t rcpt_count;
    size_t pending;      /* TODO + BUSY */
    size_t deferred;     /* DEFERRED */
    size_t failed;       /* FAILED (not yet bounced) */
    int defer_log_fresh; /* defer/<id> truncated during this run */
    int bounce_busy;     /* a bounce request is in flight */
    int warned;          /* delay warning sent (mode bit S_IXUSR) */
    int has_logs;        /* defer/<id> or bounce/<id> may exist (S_IXGRP) */
    int bounce_tried;    /* settle asked for the failed DSN */
    int warn_tried;      /* settle asked for the delay warning */
    int expire_done;     /* settle turned deferred into failed */
    struct qmgr_message *next;
    struct qmgr_message **pprev; /* what points at this one: freed in O(1) */
};

/* A batch of recipients of one message for one destination; the jobs of
 * one request are chained by next (a batch of messages, for a transport
 * whose batch limit is above 1). */
struct qmgr_job {
    struct qmgr_message *msg;
    struct qmgr_dest *dest;
    size_t *idx;
    size_t count;
    struct qmgr_job *next;
};

/* One (transport, nexthop), or (transport, recipient) for a transport
 * whose recipient limit is 1: its queue of jobs and its concurrency. */
struct qmgr_dest {
    char *transport;
    char *nexthop;
    char *key;                      /* nexthop, or the recipient */
    int limit;
    int rcpt_limit;                 /* recipients per request */
    int batch_limit;                /* jobs (messages) per request */
    size_t queued;                  /* jobs from head to tail */
    int busy;
    struct qmgr_job *head, *tail;
    struct qmgr_dest *next;
};

/* ---- global state (qmgr_main.c) --------------------------------------- */

struct qmgr_state {
    const char *root;               /* "." : the process runs in the queue */
    struct resolve_conf *resolve;
    long active_limit;
    long spare_limit;               /* queue_spare_limit (queue_spare.h) */
    long active_count;
    long inplace_count;             /* of them claimed in place */
    long rcpt_limit;
    long local_rcpt_limit;          /* local_destination_recipient_limit */
    long local_batch_limit;         /* local_delivery_batch_limit */
    long default_batch_limit;       /* default_delivery_batch_limit */
    long delivery_limit;            /* requests in flight, all kinds */
    long in_flight;
    long default_concurrency;
    long local_concurrency;
    long request_timeout;
    long ipc_timeout;
    long min_backoff, max_backoff, lifetime, warn_after;
    long run_delay;
    int incoming_more;              /* incoming/ may hold files no name
                                       reported: scan it (qmgr_watch.c) */
    struct qmgr_message *messages;
    struct qmgr_dest *dests;
};

extern struct qmgr_state qmgr;

/* After every event: refill from incoming/ when flagged, dispatch. */
void qmgr_kick(void);

/* ---- qmgr_scan.c ------------------------------------------------------ */

/* Start: active/ -> incoming/, sweep .part leftovers in incoming/. */
void qmgr_recover(void);
/* Removes .part leftovers of dead writers from incoming/ (every queue run). */
void qmgr_sweep_incoming(void);
/* Takes committed files from incoming/ while there is room. */
void qmgr_scan_incoming(void);
/* incoming/<id> -> active/, scheduled; skipped quietly when gone. */
void qmgr_take_incoming(const char *id);
/* Moves deferred files to incoming/: all (flush) or those due now. */
void qmgr_scan_deferred(int all);
/* A message cleanup committed in place and named (mail_proto.h 'S'):
 * claimed where it lies and scheduled, while fewer than QMGR_INPLACE_MAX
 * are; else spare/<name> -> active/, scheduled, or to incoming/ when
 * active/ is full; a name that holds no committed message is skipped
 * quietly. */
#define QMGR_INPLACE_MAX 256 /* each holds a descriptor */
void qmgr_take_spare(const char *name);
/* One more try of a name qmgr_take_spare could not claim: 1 done
 * (claimed, or nothing there to claim), 0 not now (quietly). */
int qmgr_retake_spare(const char *name);

/* ---- qmgr_spare_retry.c ----------------------------------------------- */

/* Names qmgr_take_spare could not claim (a taker held the lock, or a
 * transient error): tried again on a timer from 20 ms, doubling to 5 s,
 * until claimed; past QMGR_SPARE_RETRY_MAX names, spare/ is recovered
 * whole at the next tick (queue_spare_recover). */
#define QMGR_SPARE_RETRY_MAX 128
void qmgr_spare_retry_add(const char *name);

/* ---- qmgr_trigger.c --------------------------------------------------- */

/* What one read of private/qmgr asked for. */
struct qmgr_trigger_read {
    int flush, wakeup, unknown; /* 'F', 'W', bytes that are no request */
};

/* A hint cut by the end of a read, kept for the next one. */
struct qmgr_trigger_carry {
    char buf[QMGR_TRIGGER_SPARE_LEN];
    size_t len;
};

/* Walks the bytes of one read (after what carry kept from the last):
 * counts the one-byte requests into *req and calls spare(name, ctx) for
 * each complete hand-off by name; a hint the read cut short goes into
 * carry. A name is passed as read: qmgr_take_spare checks it. */
void qmgr_trigger_parse(const char *buf, size_t len,
                        struct qmgr_trigger_carry *carry,
                        struct qmgr_trigger_read *req,
                        void (*spare)(const char *name, void *ctx), void *ctx);

/* ---- qmgr_watch.c ----------------------------------------------------- */

/* Watches incoming/ for committed names (inotify); 0, or -1: scans only. */
int qmgr_watch_open(void);
/* 1 when arrivals come by name. */
int qmgr_watch_active(void);
/* Takes the named arrivals while there is room; sets incoming_more when a
 * name may have been lost. */
void qmgr_watch_take(void);
/* Forgets the waiting names (a full scan follows). */
void qmgr_watch_discard(void);

#define QMGR_WATCH_OK 0
#define QMGR_WATCH_STOPPED 1
#define QMGR_WATCH_OVERFLOW 2
#define QMGR_WATCH_BAD 3
/* Walks one read of inotify events, calling take(id, ctx) for each name
 * that is a queue id while it returns 0; one of QMGR_WATCH_*. */
int qmgr_watch_parse(const char *buf, size_t len,
                     int (*take)(const char *id, void *ctx), void *ctx);

/* ---- qmgr_message.c --------------------------------------------------- */

/* Reads active/<id>, routes its recipients, queues its jobs. */
void qmgr_message_activate(const char *id);
/* The same for spare/<name>, claimed in place under id: fd is the file,
 * open and locked (queue_spare_hold), kept until the message settles. */
void qmgr_message_activate_held(const char *name, const char *id, int fd);
/* <root>/<queue>/<file> of msg. */
void qmgr_message_path(struct vstring *path, const struct qmgr_message *msg);
/* Called when a message may have nothing left in flight. */
void qmgr_message_settle(struct qmgr_message *msg);

/* ---- qmgr_sched.c ----------------------------------------------------- */

/* The destination of a recipient routed to (transport, nexthop): one per
 * recipient when the transport's recipient limit is 1, as Postfix's
 * <transport>_destination_recipient_limit = 1 makes the concurrency limit
 * one of deliveries to the same recipient. */
struct qmgr_dest *qmgr_dest_find(const char *transport, const char *nexthop,
                                 const char *rcpt);
int qmgr_dest_is(const struct qmgr_dest *dest, const char *transport,
                 const char *nexthop, const char *rcpt);
/* Groups msg's TODO recipients with the given dest into jobs. */
void qmgr_sched_add(struct qmgr_message *msg, struct qmgr_dest *dest,
                    const size_t *idx, size_t count);
/* Starts requests while the limits allow. */
void qmgr_sched_dispatch(void);
/* Frees a job (not its message). */
void qmgr_job_free(struct qmgr_job *job);
/* Forgets a destination that has nothing queued or in flight. */
void qmgr_dest_release(struct qmgr_dest *dest);
/* A transport's concurrency limit, and its recipients per request. */
int qmgr_dest_limit(const char *transport);
int qmgr_dest_rcpt_limit(const char *transport);
/* Jobs in one request at most: local_delivery_batch_limit for the local
 * transport (its agent commits their Maildir files together),
 * default_delivery_batch_limit for the others, never above
 * DELIVER_REQUEST_BATCH_MAX (what an agent reads). */
int qmgr_dest_batch_limit(const char *transport);
/* Jobs in the next request: ceil(queued / free), within 1 .. limit. */
size_t qmgr_batch_size(size_t queued, int free, int limit);

/* Resolve cache (cleared per run). */
void qmgr_route_clear(void);
int qmgr_route(const char *addr, const char **transport, const char **nexthop,
               const char **reason);

/* ---- qmgr_conn.c ------------------------------------------------------ */

/* Starts one delivery request for job and the jobs chained to it (one
 * request record each, then EOF); 0, or -1 (why) when the agent cannot be
 * reached (the jobs are then still the caller's). */
int qmgr_conn_deliver(struct qmgr_job *job, struct vstring *why);
/* Asks bounce for a DSN of kind "failed" or "delayed" for msg. */
int qmgr_conn_bounce(struct qmgr_message *msg, const char *kind,
                     struct vstring *why);
/* Checks request deadlines (called every second while any is open). */
void qmgr_conn_tick(void *ctx);

/* ---- qmgr_outcome.c --------------------------------------------------- */

/* One recipient's outcome; the commit point for delivered recipients. */
void qmgr_outcome(struct qmgr_message *msg, size_t i, const char *transport,
                  const char *nexthop, const char *dsn_status,
                  const char *action, const char *reason);
/* Marks failed recipients done after bounce committed the DSN. */
void qmgr_outcome_bounced(struct qmgr_message *msg);
/* Records that the delay warning went out (the file's u+x bit). */
void qmgr_outcome_warned(struct qmgr_message *msg);
/* Removes a finished message: active/<id> into spare/, or, claimed in
 * place, its seal broken where it lies (and msg->lock_fd handed on, -1);
 * durable within 0.2 s (qmgr_retire.c). 0, or -1 with errno set and why. */
int qmgr_retire(struct qmgr_message *msg, struct vstring *why);
/* active/ and spare/ changed: both are fsynced within 0.2 s, once. */
void qmgr_sync_soon(void);
/* The queue file's mode bits for msg->warned and msg->has_logs. */
mode_t qmgr_file_mode(const struct qmgr_message *msg);
/* Appends one record to defer/<id> or bounce/<id>; 0 or -1 (why). The
 * first log of a message sets the file's g+x bit first (has_logs). */
int qmgr_log_append(struct qmgr_message *msg, const char *log, size_t i,
                    const char *dsn_status, const char *action,
                    const char *reason, struct vstring *why);

#endif
