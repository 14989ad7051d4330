/*
 * deliver_request.h - the delivery-agent side of qmgr's delivery protocol
 * (mail_proto.h): read the requests, deliver, report per recipient.
 *
 * A delivery agent (local, smtp, lmtp) is a single_server daemon. For each
 * connection from qmgr it reads every request with
 * deliver_request_read_all() (qmgr may send several, a batch of messages
 * for one destination, and ends them with EOF). For each request it opens
 * the queue file named by the request (read only, through the one
 * queue-file reader) to reach the content, tries each recipient, records
 * the outcome of each with deliver_request_status(), and finally
 * deliver_request_reply() sends all of that request's outcomes at once.
 * qmgr treats a recipient without an outcome (the agent
 * died, timed out, or left it out) as deferred: an agent never has to
 * report what it did not finish.
 *
 * The request is one attribute record whose attributes come in the order
 * mail_proto.h lists them (the eight per-message ones, then four per
 * recipient); anything else -- a missing, repeated or misplaced name, an id
 * or queue name that is not valid, a number that does not parse, no
 * recipient, more than DELIVER_REQUEST_MAX_RCPTS recipients, a value longer
 * than DELIVER_REQUEST_VALUE_MAX -- is refused as a whole with a reason,
 * and the agent then closes the connection without a reply (qmgr defers
 * every recipient). The reply is one attribute record with four attributes
 * per recipient that has an outcome, in request order.
 *
 * deliver_request_open() reaches the content: it opens the queue file
 * through the one reader (queue_file_read, read only), checks that the
 * request's content_offset is where the reader found the content, and
 * leaves the message positioned at its first content record, so that
 * queue_message_next_chunk() streams the message. queue_message_rewind()
 * starts over for the next recipient.
 */
#ifndef DELIVER_REQUEST_H
#define DELIVER_REQUEST_H

#include <stddef.h>
#include <sys/types.h>

struct vstream;
struct vstring;
struct queue_message;

#define DELIVER_REQUEST_MAX_RCPTS 1000  /* recipients in one request */
#define DELIVER_REQUEST_BATCH_MAX 64    /* requests in one connection */
#define DELIVER_REQUEST_VALUE_MAX 4096  /* bytes in one attribute value */

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
    char *queue_name;     /* "active", or "spare" (claimed in place) */
    char *queue_id;       /* the message's id, for logs */
    char *queue_file;     /* its file in queue_name: the id, or a spare name */
    off_t content_offset; /* where the 'M' record starts */
    char *sender;         /* "" for <> */
    char *envid;          /* RFC 3461 ENVID or "" */
    char *ret;            /* "FULL", "HDRS" or "" */
    char *nexthop;        /* from resolve: a domain, [host]:port, a socket */
    long arrival_time;
    struct deliver_rcpt *rcpts;
    size_t rcpt_count;
};

/* Reads the next of several requests (qmgr sends up to
 * DELIVER_REQUEST_BATCH_MAX in one connection and ends them with EOF): 1
 * with *reqp set, 0 at a clean end of input, -1 when malformed (why; the
 * stream is then inside a record: read no more). After 0, clear the
 * stream's EOF (vstream_clear_error) before writing the replies. */
int deliver_request_next(struct vstream *qmgr, struct deliver_request **reqp,
                         struct vstring *why);

/* Reads every request of the connection, at most max, into reqs; the
 * count. A malformed request, or none at all, is logged; those from a
 * malformed one on get no reply. The stream is left ready for replies. */
size_t deliver_request_read_all(struct vstream *qmgr,
                                struct deliver_request **reqs, size_t max,
                                struct vstring *why);

/* Records the outcome for recipient i; status "2.x.x", "4.x.x" or "5.x.x". */
void deliver_request_status(struct deliver_request *req, size_t i,
                            const char *dsn_status, const char *dsn_action,
                            const char *reason);

/* Sends every recorded outcome to qmgr; 0, or -1 when qmgr is gone. */
int deliver_request_reply(struct vstream *qmgr,
                          const struct deliver_request *req);

void deliver_request_free(struct deliver_request *req);

/*
 * Opens the request's queue file under queue_dir read only and positions it
 * at the content. 0 with *msgp set (free with queue_message_free), or -1
 * with a "4.3.0 ..." reason in why (the file is gone, corrupt, unreadable,
 * or its content is not at content_offset).
 */
int deliver_request_open(const struct deliver_request *req,
                         const char *queue_dir, struct queue_message **msgp,
                         struct vstring *why);

#endif
