/*
 * vstream_fallback.c - a minimal stand-in for src/util/vstream.c, used by
 * the smtpd suites only until the real vstream is merged into main. Every
 * definition is weak: once libutil.a holds vstream.o, the real functions
 * win wherever they are linked in. Delete this file after that merge.
 *
 * Blocking descriptors, one read buffer, write-through output, poll(2)
 * deadlines; just enough of vstream.h for the session tests.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mymalloc.h"
#include "vstream.h"
#include "vstring.h"

#define WEAK __attribute__((weak))
#define BUFSZ 4096

struct vstream {
    int fd;
    int timeout;
    int error;
    char in[BUFSZ];
    size_t in_pos, in_len;
    struct vstring *out;
    vstream_io_fn read_fn, write_fn;
    void *ctx;
};

WEAK struct vstream *vstream_fdopen(int fd, int flags)
{
    struct vstream *s = mymalloc(sizeof(*s));

    (void)flags;
    memset(s, 0, sizeof(*s));
    s->fd = fd;
    s->out = vstring_alloc(BUFSZ);
    return s;
}

WEAK void vstream_release(struct vstream *s)
{
    vstring_free(s->out);
    myfree(s);
}

WEAK int vstream_close(struct vstream *s)
{
    int r = vstream_flush(s);

    close(s->fd);
    vstream_release(s);
    return r;
}

WEAK int vstream_fd(const struct vstream *s)
{
    return s->fd;
}

WEAK void vstream_set_timeout(struct vstream *s, int seconds)
{
    s->timeout = seconds;
}

WEAK void vstream_set_io(struct vstream *s, vstream_io_fn read_fn,
                         vstream_io_fn write_fn, void *ctx)
{
    s->read_fn = read_fn;
    s->write_fn = write_fn;
    s->ctx = ctx;
}

WEAK int vstream_error(const struct vstream *s)
{
    return s->error;
}

WEAK void vstream_clear_error(struct vstream *s)
{
    s->error = 0;
}

/* wait_ready - poll under the deadline; 0 or -1 (error set) */
static int wait_ready(struct vstream *s, short events)
{
    struct pollfd p = {s->fd, events, 0};
    int r;

    do
        r = poll(&p, 1, s->timeout > 0 ? s->timeout * 1000 : -1);
    while (r < 0 && errno == EINTR);
    if (r == 0)
        s->error = VSTREAM_TIMEOUT;
    else if (r < 0)
        s->error = VSTREAM_ERR;
    return r > 0 ? 0 : -1;
}

/* fill - read more input; 0, or an error code */
static int fill(struct vstream *s)
{
    ssize_t n;

    if (s->error)
        return s->error;
    vstream_flush(s);
    for (;;) {
        if (s->read_fn) {
            n = s->read_fn(s->ctx, s->fd, s->in, BUFSZ);
            if (n < 0 && errno == EAGAIN) {
                if (wait_ready(s, POLLIN) < 0)
                    return s->error;
                continue;
            }
        } else {
            if (wait_ready(s, POLLIN) < 0)
                return s->error;
            n = read(s->fd, s->in, BUFSZ);
            if (n < 0 && (errno == EINTR || errno == EAGAIN))
                continue;
        }
        break;
    }
    if (n <= 0)
        return s->error = n == 0 ? VSTREAM_EOF : VSTREAM_ERR;
    s->in_pos = 0;
    s->in_len = (size_t)n;
    return 0;
}

WEAK int vstream_getc(struct vstream *s)
{
    int r;

    if (s->in_pos == s->in_len && (r = fill(s)) != 0)
        return r;
    return (unsigned char)s->in[s->in_pos++];
}

WEAK size_t vstream_read(struct vstream *s, void *buf, size_t len)
{
    size_t done = 0;
    size_t n;

    while (done < len) {
        if (s->in_pos == s->in_len && fill(s) != 0)
            break;
        n = s->in_len - s->in_pos;
        if (n > len - done)
            n = len - done;
        memcpy((char *)buf + done, s->in + s->in_pos, n);
        s->in_pos += n;
        done += n;
    }
    return done;
}

WEAK int vstream_get_line(struct vstream *s, struct vstring *line,
                          size_t bound)
{
    int c;

    vstring_reset(line);
    while (vstring_len(line) < bound) {
        c = vstream_getc(s);
        if (c < 0)
            return vstring_len(line) > 0 && c == VSTREAM_EOF
                       ? (int)vstring_len(line)
                       : c;
        vstring_append_char(line, (char)c);
        if (c == '\n')
            return (int)vstring_len(line);
    }
    return VSTREAM_TOO_LONG;
}

WEAK int vstream_skip_line(struct vstream *s)
{
    int c;

    while ((c = vstream_getc(s)) >= 0)
        if (c == '\n')
            return 0;
    return c;
}

WEAK size_t vstream_pending(const struct vstream *s)
{
    return s->in_len - s->in_pos;
}

WEAK void vstream_discard_input(struct vstream *s)
{
    s->in_pos = s->in_len = 0;
}

WEAK int vstream_write(struct vstream *s, const void *buf, size_t len)
{
    if (s->error)
        return -1;
    vstring_append(s->out, buf, len);
    return 0;
}

WEAK int vstream_puts(struct vstream *s, const char *str)
{
    return vstream_write(s, str, strlen(str));
}

WEAK int vstream_printf(struct vstream *s, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vstring_vsprintf_append(s->out, fmt, ap);
    va_end(ap);
    return 0;
}

WEAK int vstream_flush(struct vstream *s)
{
    size_t off = 0;
    ssize_t n;

    while (off < vstring_len(s->out)) {
        if (s->write_fn)
            n = s->write_fn(s->ctx, s->fd, s->out->data + off,
                            vstring_len(s->out) - off);
        else
            n = write(s->fd, s->out->data + off, vstring_len(s->out) - off);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
            if (wait_ready(s, POLLOUT) < 0)
                return -1;
            continue;
        }
        if (n <= 0) {
            s->error = VSTREAM_ERR;
            vstring_reset(s->out);
            return -1;
        }
        off += (size_t)n;
    }
    vstring_reset(s->out);
    return 0;
}
