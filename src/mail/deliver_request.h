/*
 * deliver_request.h - the delivery-agent side of qmgr's delivery protocol
 * (mail_proto.h): read one request, deliver, report per recipient.
 *
 * A delivery agent (local, smtp, lmtp) is a single_server daemon. For each
 * connection from qmgr it calls deliver_request_read(), opens the queue file
 * named by the request (read only, through the one queue-file reader) to
 * reach the content, tries each recipient, records the outcome of each with
 * deliver_request_status(), and finally deliver_request_reply() sends all
 * outcomes at once. qmgr treats a recipient without an outcome (the agent
 * died, timed out, or left it out) as deferred: an agent never has to
 * report what it did not finish.
 */
#ifndef DELIVER_REQUEST_H
#define DELIVER_REQUEST_H

#include <stddef.h>
#include <sys/types.h>

struct vstream;
struct vstring;

struct deliver_rcpt {
    char *address;    /* the recipient as resolved */
    char *orcpt;      /* RFC 3461 ORCPT "rfc822;addr" or "" */
    char *notify;     /* RFC 3461 NOTIFY list or "" */
    off_t offset;     /* its record in the queue file (for qmgr) */
    /* the outcome, filled by deliver_request_status() */
    char *dsn_status; /* "2.0.0", "4.2.2", "5.1.1" or NULL (none yet) */
    char *dsn_action; /* delivered|relayed|expanded|deferred|failed */
    char *reason;     /* text a DSN or log quotes */
};

struct deliver_request {
    char *queue_name;     /* "active" */
    char *queue_id;
    off_t content_offset; /* where the 'M' record starts */
    char *sender;         /* "" for <> */
    char *envid;          /* RFC 3461 ENVID or "" */
    char *ret;            /* "FULL", "HDRS" or "" */
    char *nexthop;        /* from resolve: a domain, [host]:port, a socket */
    long arrival_time;
    struct deliver_rcpt *rcpts;
    size_t rcpt_count;
};

/* Reads one request; NULL with why set when it is malformed or absent. */
struct deliver_request *deliver_request_read(struct vstream *qmgr,
                                             struct vstring *why);

/* Records the outcome for recipient i; status "2.x.x", "4.x.x" or "5.x.x". */
void deliver_request_status(struct deliver_request *req, size_t i,
                            const char *dsn_status, const char *dsn_action,
                            const char *reason);

/* Sends every recorded outcome to qmgr; 0, or -1 when qmgr is gone. */
int deliver_request_reply(struct vstream *qmgr,
                          const struct deliver_request *req);

void deliver_request_free(struct deliver_request *req);

#endif
