/*
 * cleanup_state.h - one message going through the cleanup daemon, from
 * the client's first record to the committed queue file and the reply.
 *
 * cleanup_session_run() serves one client connection (smtpd, pickup,
 * bounce, local): it reads the submission-profile records (record.h) with
 * the record grammar, keeps the envelope in memory (bounded: recipients by
 * recipient_limit, attributes by CLEANUP_ATTR_MAX), collects the header
 * section (cleanup_headers.h), and once the headers are complete:
 * qualifies and rewrites the sender and the header addresses, takes the
 * -t recipients, expands the recipients through virtual_alias_maps,
 * creates incoming/<id>.part (queue_file.h) and writes the envelope and
 * the canonical headers (cleanup_canon.h). The body then streams into the
 * file line by line, in 'C' records of at most CLEANUP_CHUNK bytes: a
 * message is never held in memory whole.
 *
 * At 'E' the file is committed (queue_file_commit: write, fsync, rename,
 * directory fsync) and only then is { status=0, queue_id } sent. Anything
 * that goes wrong before that point aborts the file (nothing is left in
 * incoming/) and the reply is the failure (4.3.0, or 5.x.x for a message
 * that can never be accepted); a client that hangs up or falls silent
 * before 'E' gets no reply and nothing is queued. After a refusal of the
 * content (a limit) the rest of the stream is read and dropped, so that the
 * client learns the reason instead of a broken pipe.
 *
 * Fault-injection points (cleanup.<step>): after_envelope, after_create,
 * after_headers, after_write, before_commit, after_commit, before_reply,
 * after_reply; the commit itself carries queue_file.* points.
 */
#ifndef CLEANUP_STATE_H
#define CLEANUP_STATE_H

#include <stddef.h>

#include "cleanup_addrlist.h"
#include "cleanup_headers.h"
#include "cleanup_rewrite.h"

struct vstream;
struct vstring;
struct argv;
struct queue_file;

#define CLEANUP_ATTR_MAX 100 /* client attributes per message */
#define CLEANUP_CHUNK 16384  /* body bytes per 'C' record written */
#define CLEANUP_FILE_MODE 0600 /* of the queue files cleanup writes */

struct cleanup_config {
    const char *queue_dir;
    const char *myhostname;
    struct cleanup_limits limits;
    int timeout; /* seconds per read or write to the client */
    const struct cleanup_rewrite *rw;
};

struct cleanup_job {
    const struct cleanup_config *cfg;
    int flags;                  /* CLEANUP_FLAG_* */
    char *time;                 /* the client's 'T' payload, or NULL */
    struct argv *attrs;         /* "name=value" kept for the queue file */
    char *sender;               /* NULL until 'S' */
    char *fullname;             /* sendmail -F, or NULL */
    struct cleanup_addrs rcpts; /* envelope recipients as given */
    struct argv *notify;        /* per recipient, DSN NOTIFY */
    struct argv *orcpt;         /* per recipient, DSN ORCPT */
    struct cleanup_msg msg;     /* the header section */
    int headers_done;
    struct queue_file *qf; /* open once the headers are done */
    struct vstring *line;  /* a line cut by a record boundary */
    struct vstring *out;   /* body bytes not yet written */
    size_t nrcpt;          /* recipients written */
    size_t size;           /* content bytes written */
    int status;            /* 0, 4 or 5 */
    struct vstring *why;   /* reason when status != 0 */
};

void cleanup_job_init(struct cleanup_job *s, const struct cleanup_config *cfg);
void cleanup_job_free(struct cleanup_job *s); /* aborts an open file */

/* Records the first failure (later ones are ignored). */
void cleanup_job_fail(struct cleanup_job *s, int status, const char *reason);

/* One envelope record; content records go to cleanup_content_*. */
void cleanup_envelope_record(struct cleanup_job *s, int type,
                             const char *payload, size_t len);

/* Bytes of 'C' records, in order. */
void cleanup_content_bytes(struct cleanup_job *s, const char *buf,
                           size_t len);

/* The 'X' record: last line, header end if not yet, last chunk. */
void cleanup_content_end(struct cleanup_job *s);

/*
 * Headers complete: rewrite, recipients, create the file, write the
 * envelope and the headers (cleanup_write.c).
 */
void cleanup_headers_done(struct cleanup_job *s);

/* Writes content bytes to the open file in records of <= the maximum. */
void cleanup_write_content(struct cleanup_job *s, const char *buf,
                           size_t len);

/*
 * 'E': commit, with the queue id in id. 0: committed under its queue
 * name; 1: committed in place, its name in spare/ in spare_name, for
 * cleanup_hand_on once the client has its answer; -1: not committed
 * (status/why say).
 */
int cleanup_commit(struct cleanup_job *s, struct vstring *id,
                   struct vstring *spare_name);

/*
 * Names a message committed in place to qmgr (its trigger fifo,
 * mail_proto.h 'S'), so qmgr needs no other wake-up: 1. When qmgr cannot
 * be told, renames the file into incoming/<id> as a renamed commit is
 * (the watch or the caller's 'A' trigger then brings qmgr): 0. A cleanup
 * that dies before either leaves the file to queue_spare_recover, at
 * qmgr's next queue run.
 */
int cleanup_hand_on(const struct cleanup_job *s, const char *spare_name,
                    const char *id);

#define CLEANUP_COMMITTED 1 /* cleanup_session_run: the caller wakes qmgr */
#define CLEANUP_HANDED_ON 2 /* qmgr was told already */

/*
 * Serves one connection on stream: reads, commits, replies, logs. Returns
 * CLEANUP_COMMITTED or CLEANUP_HANDED_ON when a message was committed,
 * else 0.
 */
int cleanup_session_run(struct vstream *stream,
                        const struct cleanup_config *cfg);

#endif
