/*
 * iostuff.h - small descriptor helpers used by every daemon: close-on-exec
 * and non-blocking flags, whole-buffer reads and writes, and a rename that
 * is durable when it returns.
 *
 * Errors: -1 with errno set (the caller turns errno into its own reason).
 * EINTR is retried everywhere. io_write_all and io_read_all work on
 * blocking descriptors; on a non-blocking one they stop with EAGAIN.
 */
#ifndef IOSTUFF_H
#define IOSTUFF_H

#include <stddef.h>
#include <sys/types.h>

/* Sets (on != 0) or clears FD_CLOEXEC; returns the previous state 0/1. */
int io_close_on_exec(int fd, int on);

/* Sets (on != 0) or clears O_NONBLOCK; returns the previous state 0/1. */
int io_non_blocking(int fd, int on);

/* Writes all len bytes; 0, or -1 (some bytes may have been written). */
int io_write_all(int fd, const void *buf, size_t len);

/* Reads until len bytes or EOF; the count (< len only at EOF), or -1. */
ssize_t io_read_all(int fd, void *buf, size_t len);

/*
 * rename(2), then fsync of the directory that now names the file and, when
 * it differs, of the directory it came from, so that a queue file that moved
 * is found in exactly one place after a crash. On -1 the rename may or may
 * not have happened (a failed directory fsync), so the caller must treat the
 * move as not durable.
 */
int io_sane_rename(const char *from, const char *to);

#endif
