/*
 * queue_spare.h - recycled queue files: qmgr puts a finished file into
 * spare/ instead of unlinking it, and cleanup takes one from there instead
 * of creating a new inode.
 *
 * Why: on ext4 without a journal (this project's benchmark machine) the
 * inode allocator skips every inode freed in the last minute or so
 * (recently_deleted() in find_inode_bit), one block lookup each. A queue
 * that creates and deletes hundreds of files a second makes every create
 * walk thousands of such inodes, under the directory lock: in the issue 8
 * profile that was half of cleanup's CPU time and most of its lock waits.
 * A recycled file costs one rename (its commit) and keeps its data blocks.
 * Retiring and taking are queue_spare.c; recovery, the start check, the
 * reserve and the sync stamp are queue_spare_start.c.
 *
 * The contract:
 *   - spare/ (QUEUE_SPARE, queue.h) is a private queue directory (mode
 *     0700, the mail owner), so only the pipeline puts files there, each
 *     under the unique queue id of the message it held (or a fresh id, for
 *     the empty files qmgr reserves at start).
 *   - A spare file's content is garbage, except when it holds a message
 *     committed in place (queue_seal.h: its seal names another id, its
 *     CRC matches); such a file is never taken or dropped, and
 *     queue_spare_recover moves it on. A taker keeps the file under its
 *     spare name, locked, while it overwrites it from offset 0, pads it
 *     (record.h 'P') to keep its size or cuts it to a whole block before
 *     the commit's fdatasync (queue_file_commit), which makes the sealed
 *     content durable under the spare name: that is the commit point.
 *     A spare whose mode the taker changes is fsynced then, so that the
 *     commit need not carry the inode. cleanup then names the
 *     file to qmgr (queue_file_commit_keep, mail_proto.h 'S'), which keeps
 *     it there locked while it delivers it (queue_spare_hold) or moves
 *     it to active/<id> (queue_spare_claim), or renames it into
 *     incoming/<id> itself when qmgr cannot be told; neither move has a
 *     directory fsync of its own. A
 *     committed file never carries a byte of an earlier message. A taker
 *     that gives up empties the file; one that dies before its seal is
 *     written leaves garbage, one that dies after it leaves a message
 *     that is moved on (its client got no OK and may send it again: the
 *     duplicate window of RFC 1047).
 *   - spare/ names must be durable before a commit relies on them: qmgr
 *     fsyncs spare/ after reserving files at start, and within 0.2 s
 *     after retiring one, and stamps the time each such fsync began
 *     (queue_spare_synced); a taker skips a file whose ctime (set by its
 *     rename into spare/) is later than the stamp. A step of the system
 *     clock backwards can make an unsynced file look older than the
 *     stamp; that reopens, for the length of the step, the window of a
 *     file system without a journal (PAPER.md, section 8).
 *   - Taking is safe between concurrent cleanups: a taker opens and locks
 *     (flock, non-blocking) spare/<name>, then checks that the name still
 *     names the inode it holds (the previous holder may have committed it
 *     between our open and our lock). Other takers skip a locked file.
 *   - Retiring is the "done" step of qmgr: the name leaves active/ exactly
 *     as with unlink(2). The pool is bounded (limit files, none larger than
 *     QUEUE_SPARE_MAX_SIZE); beyond that the file is unlinked. A message
 *     claimed in place (queue_spare_hold) is retired where it lies: its
 *     seal is broken (queue_seal_break), written to the device within 0.2
 *     s and flushed by the fsync of spare/ that the stamp then covers, so
 *     a taker never uses a file whose old seal a crash could bring back;
 *     a qmgr that starts writes back every spare file it keeps
 *     (queue_spare_fill), for the seals a predecessor broke and did not
 *     live to write.
 *   - Only qmgr delivers from spare/, and only a file it holds locked;
 *     the queue tools list such a message as active. A file without
 *     a seal naming another id may be removed at any time, and a spare
 *     file with a second name (a crash kept both names of a commit's
 *     rename) is dropped from spare/ at qmgr's start (queue_spare_fill).
 */
#ifndef QUEUE_SPARE_H
#define QUEUE_SPARE_H

#include <sys/types.h>

struct vstring;

/* Larger files are unlinked, not kept: the pool must not hoard disk. */
#define QUEUE_SPARE_MAX_SIZE (256 * 1024)

/*
 * Removes <root>/<queue>/<id> from its queue: renamed into spare/ while
 * the pool holds fewer than limit files (counted now and then, not exactly),
 * else unlinked. 0, or -1 with errno set (ENOENT: already gone) and why
 * filled; on -1 the file is still where it was unless errno is ENOENT.
 */
int queue_spare_retire(const char *root, const char *queue, const char *id,
                       long limit, struct vstring *why);

/*
 * Takes one spare file: a write descriptor on it, at offset 0, exclusively
 * flocked, with the given mode, owned by us, one link; path gets its name,
 * still in spare/ (commit renames it away). -1 when no spare file could be
 * taken (the caller then creates a new file; why says the last reason).
 */
int queue_spare_take(const char *root, mode_t mode, struct vstring *path,
                     struct vstring *why);

/*
 * qmgr at start: drops spare names of files that have a second name (and
 * files too large to keep, unless they hold a committed message), then
 * creates files of one zeroed block in spare/ until it holds want of them
 * (and makes them and their names durable), for at most
 * max_ms milliseconds (a burst of new messages then takes files instead of
 * allocating inodes while clients wait). How many it made.
 */
long queue_spare_fill(const char *root, long want, long max_ms);

/*
 * Moves every file in spare/ that holds a message committed in place
 * (queue_seal.h: a crash undid the commit's rename) to incoming/<id>.
 * qmgr calls it at start, at every queue run and on a flush, before
 * anything in spare/ may be dropped. How many it moved, or -1 when spare/
 * cannot be listed.
 */
long queue_spare_recover(const char *root);

/*
 * qmgr, told the name of a file cleanup committed in place and left in
 * spare/ (queue_file_commit_keep): moves spare/<name> to <queue>/<id>
 * (id, QUEUE_ID_LEN + 1 bytes, from the file's seal) once it holds the
 * file's lock and the seal says the file holds a committed message. 1
 * moved; 0 nothing to move (no such name, or garbage: a bad name is never
 * taken for a message); -1 the rename failed (errno); -2 another process
 * holds the lock for the moment (a taker looking at it): try again.
 */
int queue_spare_claim(const char *root, const char *name, const char *queue,
                      char *id);

/*
 * The same claim without the move: the message stays in spare/<name>
 * ("claimed in place"), and *fdp is the file, open for reading and
 * writing and locked (flock) for as long as qmgr keeps the message: takers,
 * queue_spare_recover and the start check skip a locked file. The same
 * returns as queue_spare_claim (1 held). qmgr retires such a message by
 * breaking its seal (queue_seal_break), durably before the file is taken
 * again (the sync stamp below), and defers it by renaming it out of
 * spare/ to <queue>/<id>. A crash of qmgr frees the lock and leaves a
 * committed file in spare/, which queue_spare_recover moves on: the same
 * state as a hand-off whose claim had not happened.
 */
int queue_spare_hold(const char *root, const char *name, char *id, int *fdp);

/*
 * qmgr, after an fsync of spare/ that began at `before`: every rename into
 * spare/ before then is durable. Recorded as the time of spare/.synced
 * (less a margin for the coarse clock of file times); a taker uses a file
 * only when its ctime is not after it (a commit in place relies on the
 * spare name surviving a crash).
 */
struct timespec;
void queue_spare_synced(const char *root, const struct timespec *before);

/*
 * Takes a spare now and holds it (locked) for the next queue_spare_take of
 * the same root and mode, which then costs nothing: cleanup calls it when
 * a client connects, so that the take is done while the message is still
 * on its way. Nothing happens when one is held already or none can be had.
 */
void queue_spare_take_ahead(const char *root, mode_t mode);

/* Drops the sample of spare names queue_spare_take keeps between calls,
 * the stamp it last read, and a spare taken ahead (unlocked again). */
void queue_spare_forget(void);

#endif
