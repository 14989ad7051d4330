/*
 * fsync_util.h - making file-system changes durable: the last step of every
 * commit point (DESIGN.md, section 3).
 *
 * A queue file is durable only when its data is fsynced *and* the directory
 * that names it is fsynced after the create, link or rename that put it
 * there. These helpers do exactly that and nothing more.
 *
 * Errors: each returns 0 on success and -1 with errno set on failure. EINTR
 * is retried; nothing else is. In particular an fsync that failed with EIO
 * is never retried: the kernel may have dropped the dirty pages, so a second
 * fsync that "succeeds" proves nothing. The caller must treat -1 as "the
 * data may not be on disk" and give up the transaction.
 */
#ifndef FSYNC_UTIL_H
#define FSYNC_UTIL_H

/* fsync(2) with EINTR retried. */
int fsync_fd(int fd);

/* Opens the directory path read-only, fsyncs it, closes it. */
int fsync_dir(const char *path);

/*
 * Fsyncs the directory that holds path: "." for a name without '/', "/"
 * for "/name". A trailing '/' in path is not special: "a/b/" means "a/b".
 */
int fsync_parent(const char *path);

#endif
