/*
 * vstream.c - buffered I/O over a descriptor with per-step deadlines.
 *
 * One read buffer and one write buffer per stream. Every blocking step goes
 * through stream_io(), which retries EINTR, waits with poll(2) (or, for a
 * socket read, SO_RCVTIMEO) under the stream's timeout and turns failures
 * into the sticky VSTREAM_* codes; the
 * rest of the file only moves bytes between the buffers and the caller.
 * See vstream.h for the contract.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "msg.h"
#include "mymalloc.h"
#include "vstream.h"
#include "vstring.h"

#define VSTREAM_BUFSIZE 8192

struct vstream {
    int fd;
    int flags;
    int timeout;      /* seconds per blocking step, 0 = forever */
    int error;        /* 0 or VSTREAM_EOF/ERR/TIMEOUT, sticky */
    int errnum;       /* errno of the last failure */
    int write_failed; /* buffered output was lost; flush/close return -1 */
    int seekable;
    int not_socket; /* send(2) said ENOTSOCK: writes wait, then write(2) */
    int rcv_timeo;  /* SO_RCVTIMEO now on fd (seconds), 0 for none */
    int rcv_poll;   /* SO_RCVTIMEO cannot serve: reads poll first */
    int custom_io;
    vstream_io_fn read_fn;
    vstream_io_fn write_fn;
    void *io_ctx;
    off_t offset; /* logical position of the next read or write */
    size_t rpos, rlen;
    size_t wpos, wlen;
    unsigned char rbuf[VSTREAM_BUFSIZE];
    unsigned char wbuf[VSTREAM_BUFSIZE];
};

/*
 * A stream is 16 KiB (its two buffers). glibc serves a block that size
 * from its large bins and consolidates its fast bins first: some thousands
 * of instructions per open and close, and qmgr, cleanup and smtp open two
 * or three streams per message. A process keeps up to SPARE_MAX closed
 * streams for its next opens. None under AddressSanitizer, so that a
 * stream used after its close is still caught.
 */
#ifdef __SANITIZE_ADDRESS__
#define SPARE_MAX 0
#else
#define SPARE_MAX 4
#endif
static struct vstream *spare[SPARE_MAX > 0 ? SPARE_MAX : 1];
static int spare_count;

/* stream_alloc - a kept stream, or a new one */
static struct vstream *stream_alloc(void)
{
    if (spare_count > 0)
        return spare[--spare_count];
    return mymalloc(sizeof(struct vstream));
}

/* stream_free - keep the stream for the next open, or free it */
static void stream_free(struct vstream *s)
{
    if (spare_count < SPARE_MAX) {
        spare[spare_count++] = s;
        return;
    }
    myfree(s);
}

/* sys_read - default read function */
static ssize_t sys_read(void *ctx, int fd, void *buf, size_t len)
{
    (void)ctx;
    return read(fd, buf, len);
}

/* sys_write - default write function */
static ssize_t sys_write(void *ctx, int fd, void *buf, size_t len)
{
    (void)ctx;
    return write(fd, buf, len);
}

/* vstream_fdopen - wrap a descriptor */
struct vstream *vstream_fdopen(int fd, int flags)
{
    struct vstream *s;
    off_t pos;

    if (fd < 0 || (flags & VSTREAM_RW) == 0 || (flags & ~VSTREAM_RW) != 0)
        msg_panic("vstream_fdopen: bad fd %d or flags %#x", fd, flags);
    s = stream_alloc();
    memset(s, 0, offsetof(struct vstream, rbuf));
    s->fd = fd;
    s->flags = flags;
    s->read_fn = sys_read;
    s->write_fn = sys_write;
    pos = lseek(fd, 0, SEEK_CUR);
    s->seekable = pos >= 0;
    s->offset = pos >= 0 ? pos : 0;
    return s;
}

/* stream_check - panic on a NULL stream or a forbidden direction */
static void stream_check(const struct vstream *s, int direction)
{
    if (s == 0)
        msg_panic("vstream: NULL stream");
    if ((s->flags & direction) != direction)
        msg_panic("vstream: stream on fd %d not open for %s", s->fd,
                  direction == VSTREAM_READ ? "reading" : "writing");
}

/* stream_fail - record a sticky condition and return its code */
static int stream_fail(struct vstream *s, int code, int errnum)
{
    s->error = code;
    s->errnum = errnum;
    return code;
}

/* stream_wait - poll for readiness under the stream's timeout */
static int stream_wait(struct vstream *s, short events)
{
    struct pollfd pfd = {s->fd, events, 0};
    struct timespec now, end;
    long ms = -1;
    int n;

    clock_gettime(CLOCK_MONOTONIC, &end);
    end.tv_sec += s->timeout;
    for (;;) {
        if (s->timeout > 0) {
            clock_gettime(CLOCK_MONOTONIC, &now);
            ms = (end.tv_sec - now.tv_sec) * 1000L +
                 (end.tv_nsec - now.tv_nsec) / 1000000L;
            ms = ms < 0 ? 0 : ms;
        }
        n = poll(&pfd, 1, (int)ms);
        if (n > 0)
            return 0;
        if (n == 0)
            return stream_fail(s, VSTREAM_TIMEOUT, ETIMEDOUT);
        if (errno != EINTR)
            return stream_fail(s, VSTREAM_ERR, errno);
    }
}

/* send_now - a write to a socket that cannot block: -1 with errno EAGAIN
 * when the caller must wait first (no room, or not a socket after all) */
static ssize_t send_now(struct vstream *s, const void *buf, size_t len)
{
    ssize_t n = send(s->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);

    if (n < 0 && errno == ENOTSOCK)
        s->not_socket = 1;
    if (n < 0 && (errno == ENOTSOCK || errno == EINTR))
        errno = EAGAIN;
    return n;
}

/* rcv_timer - can the kernel time this socket's reads (SO_RCVTIMEO set to
 * the stream's timeout, or cleared for none)? 1 or 0 */
static int rcv_timer(struct vstream *s)
{
    struct timeval tv = {s->timeout, 0};

    if (s->rcv_poll || s->custom_io || s->seekable)
        return 0;
    if (s->rcv_timeo == s->timeout)
        return 1;
    if (setsockopt(s->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
        s->rcv_poll = 1; /* a pipe, a fifo: poll(2) as before */
        return 0;
    }
    s->rcv_timeo = s->timeout;
    return 1;
}

/* ms_since - milliseconds from t0 to now */
static long ms_since(const struct timespec *t0)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - t0->tv_sec) * 1000L +
           (now.tv_nsec - t0->tv_nsec) / 1000000L;
}

/* stream_io - one read or write step: wait, call, retry; n >= 0 or a code.
 * A write to a socket under a deadline never blocks in the kernel: it is
 * tried at once (there is room nearly always, and a poll(2) first would
 * only say so) and waited for only when there was no room. A read from a
 * socket blocks in the kernel under SO_RCVTIMEO instead of polling first,
 * one system call instead of two; an EAGAIN that comes back before half
 * the timeout has passed shows a non-blocking descriptor, which polls from
 * then on. */
static ssize_t stream_io(struct vstream *s, int direction, void *buf,
                         size_t len)
{
    vstream_io_fn fn = direction == VSTREAM_READ ? s->read_fn : s->write_fn;
    short events = direction == VSTREAM_READ ? POLLIN : POLLOUT;
    int must_wait = !s->custom_io && s->timeout > 0;
    int sends = must_wait && direction == VSTREAM_WRITE && !s->seekable;
    int timed = direction == VSTREAM_READ && (must_wait || s->rcv_timeo) &&
                rcv_timer(s);
    struct timespec t0;
    ssize_t n;

    if ((sends && !s->not_socket) || timed)
        must_wait = 0;
    if (timed)
        clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        if (must_wait && stream_wait(s, events) < 0)
            return s->error;
        if (sends && !s->not_socket)
            n = send_now(s, buf, len);
        else
            n = fn(s->io_ctx, s->fd, buf, len);
        if (n >= 0)
            return n;
        must_wait = errno == EAGAIN || errno == EWOULDBLOCK;
        if (must_wait && timed) {
            timed = 0;
            if (s->timeout > 0 && ms_since(&t0) >= s->timeout * 500L)
                return stream_fail(s, VSTREAM_TIMEOUT, ETIMEDOUT);
            s->rcv_poll = 1;
        }
        if (errno != EINTR && !must_wait)
            return stream_fail(s, VSTREAM_ERR, errno);
    }
}

/* stream_flush_buf - write out the write buffer; 0 or -1 */
static int stream_flush_buf(struct vstream *s)
{
    ssize_t n;

    while (s->wpos < s->wlen) {
        if (s->error) {
            s->write_failed = 1;
            break;
        }
        n = stream_io(s, VSTREAM_WRITE, s->wbuf + s->wpos, s->wlen - s->wpos);
        if (n == 0)
            stream_fail(s, VSTREAM_ERR, EIO);
        else if (n > 0)
            s->wpos += (size_t)n;
    }
    s->wpos = s->wlen = 0;
    return s->write_failed ? -1 : 0;
}

/* stream_fill - refill the empty read buffer; 0 or a code */
static int stream_fill(struct vstream *s)
{
    ssize_t n;

    if (s->wlen > 0)
        stream_flush_buf(s);
    if (s->error)
        return s->error;
    s->rpos = s->rlen = 0;
    n = stream_io(s, VSTREAM_READ, s->rbuf, sizeof(s->rbuf));
    if (n < 0)
        return (int)n;
    if (n == 0)
        return stream_fail(s, VSTREAM_EOF, 0);
    s->rlen = (size_t)n;
    return 0;
}

/* vstream_close - flush, close and free; -1 when data was lost */
int vstream_close(struct vstream *s)
{
    int ret = 0;

    stream_check(s, 0);
    if (s->flags & VSTREAM_WRITE)
        ret = vstream_flush(s);
    if (close(s->fd) < 0)
        ret = -1;
    stream_free(s);
    return ret;
}

/* vstream_release - free without flushing; the descriptor stays open */
void vstream_release(struct vstream *s)
{
    stream_check(s, 0);
    stream_free(s);
}

/* vstream_fd - the underlying descriptor */
int vstream_fd(const struct vstream *s)
{
    stream_check(s, 0);
    return s->fd;
}

/* vstream_set_timeout - seconds per blocking step, 0 = forever */
void vstream_set_timeout(struct vstream *s, int seconds)
{
    stream_check(s, 0);
    if (seconds < 0 || seconds > INT_MAX / 1000)
        msg_panic("vstream_set_timeout: bad timeout %d", seconds);
    s->timeout = seconds;
}

/* vstream_set_io - replace the read/write functions (TLS) */
void vstream_set_io(struct vstream *s, vstream_io_fn read_fn,
                    vstream_io_fn write_fn, void *ctx)
{
    stream_check(s, 0);
    s->read_fn = read_fn ? read_fn : sys_read;
    s->write_fn = write_fn ? write_fn : sys_write;
    s->io_ctx = ctx;
    s->custom_io = read_fn != 0 || write_fn != 0;
}

/* vstream_error - the sticky condition, 0 when none */
int vstream_error(const struct vstream *s)
{
    stream_check(s, 0);
    return s->error;
}

/* vstream_clear_error - forget the condition (not a lost write) */
void vstream_clear_error(struct vstream *s)
{
    stream_check(s, 0);
    s->error = 0;
    s->errnum = 0;
}

/* vstream_errno - errno of the last failure */
int vstream_errno(const struct vstream *s)
{
    stream_check(s, 0);
    return s->errnum;
}

/* vstream_getc - one byte, or a VSTREAM_* code */
int vstream_getc(struct vstream *s)
{
    int r;

    stream_check(s, VSTREAM_READ);
    if (s->rpos == s->rlen && (r = stream_fill(s)) < 0)
        return r;
    s->offset++;
    return s->rbuf[s->rpos++];
}

/* vstream_read - up to len bytes; fewer only at EOF or on error */
size_t vstream_read(struct vstream *s, void *buf, size_t len)
{
    size_t done = 0;
    size_t n;

    stream_check(s, VSTREAM_READ);
    while (done < len) {
        if (s->rpos == s->rlen && stream_fill(s) < 0)
            break;
        n = s->rlen - s->rpos;
        n = n < len - done ? n : len - done;
        memcpy((char *)buf + done, s->rbuf + s->rpos, n);
        s->rpos += n;
        s->offset += (off_t)n;
        done += n;
    }
    return done;
}

/* vstream_get_line - one bounded line, terminator kept */
int vstream_get_line(struct vstream *s, struct vstring *line, size_t bound)
{
    unsigned char *start, *nl;
    size_t take;
    int r;

    stream_check(s, VSTREAM_READ);
    if (line == 0 || bound == 0 || bound > INT_MAX)
        msg_panic("vstream_get_line: bad line or bound %zu", bound);
    vstring_reset(line);
    for (;;) {
        if (s->rpos == s->rlen && (r = stream_fill(s)) < 0)
            return r == VSTREAM_EOF && line->len > 0 ? (int)line->len : r;
        start = s->rbuf + s->rpos;
        take = s->rlen - s->rpos;
        if (take > bound - line->len)
            take = bound - line->len;
        if ((nl = memchr(start, '\n', take)) != 0)
            take = (size_t)(nl - start) + 1;
        vstring_append(line, (const char *)start, take);
        s->rpos += take;
        s->offset += (off_t)take;
        if (nl)
            return (int)line->len;
        if (line->len == bound)
            return VSTREAM_TOO_LONG;
    }
}

/* vstream_skip_line - discard through the next newline */
int vstream_skip_line(struct vstream *s)
{
    unsigned char *start, *nl;
    size_t take;
    int r;

    stream_check(s, VSTREAM_READ);
    for (;;) {
        if (s->rpos == s->rlen && (r = stream_fill(s)) < 0)
            return r;
        start = s->rbuf + s->rpos;
        take = s->rlen - s->rpos;
        if ((nl = memchr(start, '\n', take)) != 0)
            take = (size_t)(nl - start) + 1;
        s->rpos += take;
        s->offset += (off_t)take;
        if (nl)
            return 0;
    }
}

/* vstream_pending - buffered unread bytes */
size_t vstream_pending(const struct vstream *s)
{
    stream_check(s, 0);
    return s->rlen - s->rpos;
}

/* vstream_discard_input - drop buffered input */
void vstream_discard_input(struct vstream *s)
{
    stream_check(s, 0);
    s->offset += (off_t)(s->rlen - s->rpos);
    s->rpos = s->rlen = 0;
}

/* stream_give_back - on a file, return unread input so writes land right */
static int stream_give_back(struct vstream *s)
{
    off_t unread = (off_t)(s->rlen - s->rpos);

    if (!s->seekable || unread == 0)
        return 0;
    s->rpos = s->rlen = 0;
    if (lseek(s->fd, -unread, SEEK_CUR) < 0) {
        stream_fail(s, VSTREAM_ERR, errno);
        return -1;
    }
    return 0;
}

/* vstream_write - buffer len bytes, flushing as the buffer fills */
int vstream_write(struct vstream *s, const void *buf, size_t len)
{
    const char *src = buf;
    size_t n;

    stream_check(s, VSTREAM_WRITE);
    if (s->error || stream_give_back(s) < 0)
        return -1;
    while (len > 0) {
        if (s->wlen == sizeof(s->wbuf) && stream_flush_buf(s) < 0)
            return -1;
        n = sizeof(s->wbuf) - s->wlen;
        n = n < len ? n : len;
        memcpy(s->wbuf + s->wlen, src, n);
        s->wlen += n;
        s->offset += (off_t)n;
        src += n;
        len -= n;
    }
    return 0;
}

/* vstream_puts - write a C string, no newline added */
int vstream_puts(struct vstream *s, const char *str)
{
    return vstream_write(s, str, strlen(str));
}

/* vstream_printf - formatted write */
int vstream_printf(struct vstream *s, const char *fmt, ...)
{
    char small[512];
    char *big = 0;
    va_list ap;
    int n, ret;

    va_start(ap, fmt);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return -1;
    if ((size_t)n >= sizeof(small)) {
        big = mymalloc((size_t)n + 1);
        va_start(ap, fmt);
        vsnprintf(big, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    ret = vstream_write(s, big ? big : small, (size_t)n);
    myfree(big);
    return ret;
}

/* vstream_flush - write out buffered output; -1 when any was lost */
int vstream_flush(struct vstream *s)
{
    stream_check(s, 0);
    return stream_flush_buf(s);
}

/* stream_sync - flush, then fsync(2) or fdatasync(2) */
static int stream_sync(struct vstream *s, int (*sync_fd)(int))
{
    if (vstream_flush(s) < 0)
        return -1;
    if (sync_fd(s->fd) < 0) {
        s->write_failed = 1;
        stream_fail(s, VSTREAM_ERR, errno);
        return -1;
    }
    return 0;
}

/* vstream_fsync - flush, then fsync(2) */
int vstream_fsync(struct vstream *s)
{
    return stream_sync(s, fsync);
}

/* vstream_fdatasync - flush, then fdatasync(2) */
int vstream_fdatasync(struct vstream *s)
{
    return stream_sync(s, fdatasync);
}

/* vstream_tell - logical offset of the next read or write */
off_t vstream_tell(const struct vstream *s)
{
    stream_check(s, 0);
    return s->offset;
}

/* vstream_seek - flush, reposition, forget input and EOF */
int vstream_seek(struct vstream *s, off_t offset)
{
    stream_check(s, 0);
    if (stream_flush_buf(s) < 0)
        return -1;
    if (lseek(s->fd, offset, SEEK_SET) < 0) {
        s->errnum = errno;
        return -1;
    }
    s->rpos = s->rlen = 0;
    s->offset = offset;
    if (s->error == VSTREAM_EOF)
        s->error = 0;
    return 0;
}
