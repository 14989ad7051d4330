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
 *
 * The contract:
 *   - spare/ (QUEUE_SPARE, queue.h) is a private queue directory (mode
 *     0700, the mail owner), so only the pipeline puts files there, each
 *     under the unique queue id of the message it held (or a fresh id, for
 *     the empty files qmgr reserves at start).
 *   - A spare file's content is garbage. A taker keeps the file under its
 *     spare name, locked, while it overwrites it from offset 0, and cuts it
 *     to the written length before the commit's fsync (queue_file_commit);
 *     the commit renames it from spare/ straight to its final name, so a
 *     committed file never carries a byte of an earlier message, and a
 *     taker that dies or gives up leaves a spare (garbage) where it was.
 *   - Taking is safe between concurrent cleanups: a taker opens and locks
 *     (flock, non-blocking) spare/<name>, then checks that the name still
 *     names the inode it holds (the previous holder may have committed it
 *     between our open and our lock). Other takers skip a locked file.
 *   - Retiring is the "done" step of qmgr: the name leaves active/ exactly
 *     as with unlink(2). The pool is bounded (limit files, none larger than
 *     QUEUE_SPARE_MAX_SIZE); beyond that the file is unlinked.
 *   - Nothing in spare/ is ever delivered, listed or counted as queued
 *     mail; the directory may be emptied at any time, and a spare file
 *     with a second name (a crash kept both names of a commit's rename) is
 *     dropped from spare/ at qmgr's start (queue_spare_fill).
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
 * qmgr at start: drops spare names of files that have a second name, then
 * creates empty files in spare/ until it holds want of them, for at most
 * max_ms milliseconds (a burst of new messages then takes files instead of
 * allocating inodes while clients wait). How many it made.
 */
long queue_spare_fill(const char *root, long want, long max_ms);

/* Drops the sample of spare names queue_spare_take keeps between calls. */
void queue_spare_forget(void);

#endif
