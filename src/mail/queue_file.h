/*
 * queue_file.h - writing a queue file under the commit protocol, sweeping
 * what dead writers left, and the ONE reader of queue files.
 *
 * Writing (cleanup into incoming/, the gate into maildrop/):
 *
 *   queue_file_create   new id; a recycled file, locked and written
 *                       where it lies in spare/ (queue_spare.h; not for
 *                       maildrop/), else a new "<queue>/<id>.part" with
 *                       O_CREAT|O_EXCL; an exclusive flock on it (held
 *                       until the end); write the 'V' record
 *   queue_file_put      append records; the record grammar is enforced here,
 *                       so a writer cannot build a file the reader refuses
 *   queue_file_commit   write the 'P' padding (record.h; not in maildrop/)
 *                       and the 'E' record with the seal (queue_seal.h);
 *                       flush (a recycled file that shrank is cut to the
 *                       written length here) + fsync the file (fdatasync
 *                       for a recycled one); rename "<id>.part"
 *                       (or the spare) -> "<id>" without overwriting;
 *                       fsync the directory -- for a new file only.
 *                       Returning 0 is THE commit point: only then may
 *                       cleanup answer OK to its client. A recycled file
 *                       is committed in place: once its sealed content is
 *                       fsynced under its spare/ name, a crash that undoes
 *                       the rename leaves a file queue_spare_recover finds
 *                       and moves on, so no directory fsync waits here
 *                       (qmgr fsyncs incoming/ within 0.2 s).
 *   queue_file_commit_keep  the same, but a recycled file stays in spare/
 *                       once fsynced; cleanup names it to qmgr, which
 *                       moves it to active/ (queue_spare_claim)
 *   queue_file_abort    unlink the .part file (a recycled file stays in
 *                       spare/, emptied: garbage again); nothing was
 *                       handed over
 *
 * A file named "<id>.part" is incomplete by definition and no reader opens
 * it. queue_file_sweep() removes every ".part" whose flock is free (its
 * writer is gone): the successor discards incomplete work. The grammar
 * profile follows the queue: maildrop files may carry no recipient
 * (sendmail -t), files in other queues must carry one.
 *
 * Reading (pickup on maildrop/, qmgr on incoming/active/deferred/...):
 * queue_file_read() opens "<queue>/<id>", checks the WHOLE file (version
 * first, every record well formed, grammar, end record present, nothing
 * after it) and returns its envelope: sender, attributes, recipients with
 * their file offsets and done state, and where the content starts. The
 * open is safe_open_existing (safe_open.h): no symlink, a regular file with
 * one link, the very file that was checked, owned by the owner of the queue
 * directory in incoming/, active/ and deferred/ (any owner in maildrop/,
 * hold/ and corrupt/, which hold users' maildrop files). A file that fails
 * any check is moved to corrupt/ with a log line and is never delivered.
 *
 * Marking a recipient done rewrites its type byte 'R' -> 'D' at its offset
 * (and fsyncs, or leaves that to the caller): one byte, so a crash leaves
 * either the old or the new byte.
 *
 * Fault injection: the steps carry FI_POINT("queue_file.<step>") markers
 * (create, after_write, after_fsync, after_rename, after_dir_fsync,
 * mark_done); they compile to nothing outside the fault build.
 */
#ifndef QUEUE_FILE_H
#define QUEUE_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "record.h"

struct vstream;
struct vstring;

/* Bounds on what the reader keeps in memory for one message. */
#define QUEUE_FILE_MAX_RCPTS 1000000
#define QUEUE_FILE_MAX_ATTRS 10000

/* A queue file being written. */
struct queue_file {
    char *root;
    char *queue;
    char *id;
    char *part_path;  /* <root>/<queue>/<id>.part, or the spare's name */
    char *final_path; /* <root>/<queue>/<id> */
    struct vstream *stream;
    struct record_grammar grammar;
    int recycled; /* a spare file (queue_spare.h): committed in place */
    off_t had;    /* a recycled file's size when it was taken */
    uint32_t crc; /* of the records written so far (queue_seal.h) */
};

/*
 * Starts a new file in queue with the given file mode (0600 for the private
 * queues; the gate uses 0644 in the 1730 maildrop). NULL with why filled
 * when the file cannot be created.
 */
struct queue_file *queue_file_create(const char *root, const char *queue,
                                     mode_t mode, struct vstring *why);

/*
 * Appends one record. A record the grammar refuses here, or a 'V'/'E'
 * (written by create/commit), is a caller bug: msg_panic. -1 on a write
 * error (the commit will fail too).
 */
int queue_file_put(struct queue_file *qf, int type, const void *data,
                   size_t len);
int queue_file_put_str(struct queue_file *qf, int type, const char *str);

/* The id of the file being written. */
const char *queue_file_id(const struct queue_file *qf);

/*
 * Commits and frees qf. 0: the file is complete, durable and visible under
 * its final name (for a recycled file: durable in spare/ or under its
 * final name). -1 (why filled): the .part file was removed (a recycled
 * one emptied) and nothing was committed -- except when only the final
 * directory fsync failed, in
 * which case the file may survive a crash (the client then retries: the
 * documented duplicate window).
 */
int queue_file_commit(struct queue_file *qf, struct vstring *why);

/*
 * As queue_file_commit, except that a recycled file is not renamed: once
 * its sealed content is fsynced it stays in spare/ under its name (set in
 * spare_name), unlocked, and 1 is returned; the caller then hands it on by
 * name (cleanup tells qmgr, mail_proto.h 'S'), or renames it into
 * incoming/<id> itself. Until one of them has, or queue_spare_recover has
 * after a crash, the message waits in spare/, which no taker uses (the
 * seal). A new file is committed as queue_file_commit does (0), and -1 is
 * a failure as there.
 */
int queue_file_commit_keep(struct queue_file *qf, struct vstring *spare_name,
                           struct vstring *why);

/* Removes the .part file and frees qf. */
void queue_file_abort(struct queue_file *qf);

/*
 * Removes every "<id>.part" in queue whose writer is gone (flock free).
 * Returns how many were removed, or -1 when the queue cannot be listed.
 */
int queue_file_sweep(const char *root, const char *queue, struct vstring *why);

/* ---- reading ------------------------------------------------------------ */

struct queue_rcpt {
    char *address;
    char *notify;
    char *orcpt;
    off_t offset; /* of the record's type byte */
    int done;     /* 1 for a 'D' record */
};

struct queue_attr {
    char *name;
    char *value;
};

struct queue_message {
    char *root;
    char *queue;
    char *id;
    struct vstream *stream; /* the open file */
    long arrival_sec;       /* 0 when a maildrop file had no T */
    long arrival_usec;
    char *sender; /* "" for the null sender */
    struct queue_attr *attrs;
    size_t attr_count;
    struct queue_rcpt *rcpts;
    size_t rcpt_count;
    off_t content_offset; /* first record after 'M' */
    off_t content_size;   /* sum of 'C' payloads */
    off_t file_size;
};

#define QUEUE_FILE_OK 0
#define QUEUE_FILE_GONE 1    /* no such file (another process took it) */
#define QUEUE_FILE_CORRUPT 2 /* refused and moved to corrupt/ */
#define QUEUE_FILE_ERROR 3   /* I/O or environment error; file left alone */

#define QUEUE_FILE_RDONLY 0
#define QUEUE_FILE_RDWR 1 /* needed to mark recipients done */

/*
 * Opens and checks <root>/<queue>/<id>. On QUEUE_FILE_OK *msgp is the
 * message (free with queue_message_free); otherwise *msgp is NULL and why
 * says what happened. Contract: queue name and id valid.
 */
int queue_file_read(const char *root, const char *queue, const char *id,
                    int flags, struct queue_message **msgp,
                    struct vstring *why);

void queue_message_free(struct queue_message *m);

/* Positions the message's stream at the first content record. */
int queue_message_rewind(struct queue_message *m);

/*
 * Reads the next content chunk into chunk: 1, 0 at the end of content,
 * -1 on an I/O error or a file that changed under us.
 */
int queue_message_next_chunk(struct queue_message *m, struct vstring *chunk);

/*
 * Marks the recipient record at offset done ('R' -> 'D') and fsyncs fd.
 * Already 'D' is success. -1 (why filled) when the byte there is neither,
 * or on an I/O error.
 */
int queue_file_mark_done(int fd, off_t offset, struct vstring *why);

/*
 * The same without the fsync: the mark survives the death of the process
 * (it is in the page cache) but not a power loss until the caller fsyncs
 * the file or removes it. qmgr marks this way and fsyncs once when it
 * keeps a message (see qmgr_outcome.c); a lost mark costs a duplicate
 * delivery inside qmgr's "before done" window, never a loss.
 */
int queue_file_mark_done_unsynced(int fd, off_t offset, struct vstring *why);

/* Same, for recipient index i of an open message (opened QUEUE_FILE_RDWR). */
int queue_message_mark_done(struct queue_message *m, size_t i,
                            struct vstring *why);

#endif
