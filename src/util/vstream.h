/*
 * vstream.h - buffered I/O over a file descriptor, with deadlines and
 * bounded line reads: the stream under SMTP sessions, IPC and queue files.
 *
 * A stream owns its descriptor (vstream_close closes it; vstream_release does
 * not). Reads and writes are buffered; every blocking step waits at most the
 * stream's timeout (seconds, 0 = wait forever) and then fails with
 * VSTREAM_TIMEOUT, so a silent peer can never hold a daemon.
 *
 * Errors are sticky: after an error, EOF or timeout, vstream_error() tells
 * which, and further writes fail. vstream_flush()/vstream_close()/
 * vstream_fsync() return -1 when any earlier buffered write failed, which is
 * how a commit point learns that its data did not reach the disk.
 *
 * Line reads are bounded: vstream_get_line() stores at most `bound` bytes and
 * keeps the line terminator exactly as received ("\n" or "\r\n"), so that a
 * protocol can refuse a bare LF or a bare CR itself.
 *
 * The I/O functions can be replaced (vstream_set_io), which is how TLS sits
 * under an SMTP session without the protocol code knowing. A replacement is
 * called without waiting first (a TLS layer may hold decrypted bytes that
 * poll(2) cannot see); when it must wait it returns -1 with errno EAGAIN and
 * the stream waits, under its deadline, for the descriptor to become readable
 * (read_fn) or writable (write_fn), then calls it again. The default I/O waits
 * first when a timeout is set, and also handles EAGAIN, so a non-blocking
 * descriptor works too; a write to a socket under a timeout is first tried
 * with send(MSG_DONTWAIT) and waits only when there was no room, and a read
 * from a socket waits in the kernel (the stream sets SO_RCVTIMEO on the
 * descriptor, so do not share it with code that expects none). EINTR is
 * retried everywhere.
 *
 * Mixing reads and writes: filling the read buffer first flushes pending
 * output (a reply is sent before the next command is awaited). On a seekable
 * descriptor a write first gives back unread buffered input (lseek), so that
 * writes land at vstream_tell(); on a socket buffered input is kept.
 *
 * Pitfalls: a write to a closed pipe (or to a socket, on a stream without a
 * timeout) raises SIGPIPE unless the process ignores it (daemons do); the
 * error is then EPIPE. A socket under a timeout gets EPIPE, no signal. vstream_seek()
 * clears an EOF condition (not an error or a timeout). vstream_clear_error()
 * clears the condition but not the memory of a failed write: flush, fsync
 * and close still return -1 after data was lost.
 *
 * A broken contract (a NULL stream, a write on a read-only stream, a bound of
 * 0 or above INT_MAX) is a msg_panic.
 */
#ifndef VSTREAM_H
#define VSTREAM_H

#include <stddef.h>
#include <sys/types.h>

struct vstring;
struct vstream;

#define VSTREAM_READ  (1 << 0)
#define VSTREAM_WRITE (1 << 1)
#define VSTREAM_RW    (VSTREAM_READ | VSTREAM_WRITE)

/* Results of reads (vstream_getc returns a byte 0..255 or one of these). */
#define VSTREAM_EOF      (-1)
#define VSTREAM_ERR      (-2)
#define VSTREAM_TIMEOUT  (-3)
#define VSTREAM_TOO_LONG (-4) /* vstream_get_line only */

typedef ssize_t (*vstream_io_fn)(void *ctx, int fd, void *buf, size_t len);

struct vstream *vstream_fdopen(int fd, int flags);
int vstream_close(struct vstream *s);   /* flush, close fd, free; -1 on error */
void vstream_release(struct vstream *s); /* free, fd left open, no flush */

int vstream_fd(const struct vstream *s);
void vstream_set_timeout(struct vstream *s, int seconds);
void vstream_set_io(struct vstream *s, vstream_io_fn read_fn,
                    vstream_io_fn write_fn, void *ctx);

/* 0 when no error yet, else VSTREAM_EOF, VSTREAM_ERR or VSTREAM_TIMEOUT. */
int vstream_error(const struct vstream *s);
void vstream_clear_error(struct vstream *s);
/* The errno of the last failed read, write or wait (ETIMEDOUT on timeout). */
int vstream_errno(const struct vstream *s);

int vstream_getc(struct vstream *s);
/* Reads up to len bytes; returns the count (< len only at EOF/error). */
size_t vstream_read(struct vstream *s, void *buf, size_t len);
/*
 * Reads one line into line (replacing its content), terminator included.
 * Returns the length read (> 0), VSTREAM_EOF (nothing read), VSTREAM_ERR,
 * VSTREAM_TIMEOUT, or VSTREAM_TOO_LONG when bound bytes were stored without
 * seeing '\n'; the rest of that line is still unread (vstream_skip_line).
 * A last line without '\n' before EOF is returned as it is.
 */
int vstream_get_line(struct vstream *s, struct vstring *line, size_t bound);
/* Discards input up to and including the next '\n'; 0, or an error code. */
int vstream_skip_line(struct vstream *s);
/* Bytes already buffered and not yet read. */
size_t vstream_pending(const struct vstream *s);
/* Throws away buffered input (STARTTLS: no plaintext survives the switch). */
void vstream_discard_input(struct vstream *s);

int vstream_write(struct vstream *s, const void *buf, size_t len);
int vstream_puts(struct vstream *s, const char *str);
int vstream_printf(struct vstream *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int vstream_flush(struct vstream *s);
/* Flush then fsync(2) the descriptor. */
int vstream_fsync(struct vstream *s);
/* Flush then fdatasync(2): the data and the size, not the times or the
 * mode (for a file whose other metadata is already durable). */
int vstream_fdatasync(struct vstream *s);

/* Byte offset of the next read or write, counting from the descriptor's
 * offset when the stream was opened (queue files record offsets). On a
 * descriptor that cannot seek it counts the bytes read and written. */
off_t vstream_tell(const struct vstream *s);
/* Flushes, then positions the descriptor at offset; -1 on error. */
int vstream_seek(struct vstream *s, off_t offset);

#endif
