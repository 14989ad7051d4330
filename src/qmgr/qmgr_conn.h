/*
 * qmgr_conn.h - a request in flight (qmgr_conn.c opens and times them out,
 * qmgr_reply.c collects and applies the reply). Private to qmgr.
 */
#ifndef QMGR_CONN_H
#define QMGR_CONN_H

#include <time.h>

struct vstring;
struct attr_list;

#define CONN_DELIVER 1
#define CONN_BOUNCE 2
#define CONN_READ_CHUNK 8192
#define CONN_REPLY_MAX (1024 * 1024)

struct qmgr_conn {
    int fd;
    int kind;
    struct qmgr_job *job;     /* CONN_DELIVER: the jobs not yet answered */
    struct qmgr_dest *dest;   /* CONN_DELIVER: theirs */
    size_t used;              /* bytes of in already applied */
    struct qmgr_message *msg; /* CONN_BOUNCE */
    char *bounce_kind;
    time_t deadline;
    struct vstring *in;
    struct qmgr_conn *next;
};

/* Forgets c: unwatch, close, free. */
void qmgr_conn_close(struct qmgr_conn *c);
/* Applies a reply (list) to the first job not yet answered, or the
 * failure text to all of them; frees c once none is left. */
void qmgr_conn_finish(struct qmgr_conn *c, const struct attr_list *list,
                      const char *failure);
/* Event call-back: c's descriptor is readable. */
void qmgr_conn_readable(void *ctx);

#endif
