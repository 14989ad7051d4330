/*
 * fsync_many.h - fsync a batch of descriptors at once (a commit point that
 * makes several files durable together, local_maildir_commit.c).
 *
 * One fsync after another waits for the device once per file, and a
 * process on a busy machine waits for a CPU again after each wait.
 * fsync_many() hands all of them to the kernel together (Linux AIO,
 * IOCB_CMD_FSYNC, since Linux 4.18): the fsyncs run side by side and the
 * block layer may serve their cache flushes with fewer device flushes,
 * and the caller wakes once. Each fsync is the same fsync(2), with the
 * same meaning for its one file; nothing about durability changes.
 *
 * Where AIO cannot take an fsync (no io_setup, aio-max-nr reached, a file
 * system without it), that descriptor is fsynced on its own, as
 * fsync_fd() would. As with fsync_fd(), a failure is never retried.
 */
#ifndef FSYNC_MANY_H
#define FSYNC_MANY_H

#include <stddef.h>

/* The descriptors one kernel submission takes; more go in turns. */
#define FSYNC_MANY_MAX 64

/*
 * Fsyncs fds[0..n-1]; errs[i] becomes 0 or the errno of fds[i]'s fsync.
 * Returns how many failed.
 */
size_t fsync_many(const int *fds, int *errs, size_t n);

#endif
