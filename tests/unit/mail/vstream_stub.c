/*
 * vstream_stub.c - TEMPORARY unbuffered stand-in for src/util/vstream.c,
 * so that the mail suites run before the real stream is merged into main.
 * Remove this file once vstream.c is in main (it defines every vstream.h
 * function, so the archive's vstream.o is not pulled in meanwhile).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "mymalloc.h"
#include "vstream.h"
#include "vstring.h"

struct vstream {
    int fd;
    int flags;
    int error;
};

struct vstream *vstream_fdopen(int fd, int flags)
{
    struct vstream *s = mymalloc(sizeof(*s));

    s->fd = fd;
    s->flags = flags;
    s->error = 0;
    return s;
}

int vstream_close(struct vstream *s)
{
    int rc = s->error == VSTREAM_ERR ? -1 : 0;

    if (close(s->fd) < 0)
        rc = -1;
    myfree(s);
    return rc;
}

void vstream_release(struct vstream *s)
{
    myfree(s);
}

int vstream_fd(const struct vstream *s)
{
    return s->fd;
}

void vstream_set_timeout(struct vstream *s, int seconds)
{
    (void)s;
    (void)seconds;
}

void vstream_set_io(struct vstream *s, vstream_io_fn r, vstream_io_fn w,
                    void *ctx)
{
    (void)s;
    (void)r;
    (void)w;
    (void)ctx;
}

int vstream_error(const struct vstream *s)
{
    return s->error;
}

void vstream_clear_error(struct vstream *s)
{
    s->error = 0;
}

size_t vstream_read(struct vstream *s, void *buf, size_t len)
{
    size_t got = 0;
    ssize_t n;

    while (got < len) {
        n = read(s->fd, (char *)buf + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            s->error = n == 0 ? VSTREAM_EOF : VSTREAM_ERR;
            break;
        }
        got += (size_t)n;
    }
    return got;
}

int vstream_getc(struct vstream *s)
{
    unsigned char c;

    return vstream_read(s, &c, 1) == 1 ? c : s->error;
}

int vstream_get_line(struct vstream *s, struct vstring *line, size_t bound)
{
    int c;

    vstring_reset(line);
    while (vstring_len(line) < bound) {
        if ((c = vstream_getc(s)) < 0)
            return vstring_len(line) ? (int)vstring_len(line) : c;
        vstring_append_char(line, (char)c);
        if (c == '\n')
            return (int)vstring_len(line);
    }
    return VSTREAM_TOO_LONG;
}

int vstream_skip_line(struct vstream *s)
{
    int c;

    while ((c = vstream_getc(s)) >= 0)
        if (c == '\n')
            return 0;
    return c;
}

size_t vstream_pending(const struct vstream *s)
{
    (void)s;
    return 0;
}

void vstream_discard_input(struct vstream *s)
{
    (void)s;
}

int vstream_write(struct vstream *s, const void *buf, size_t len)
{
    size_t done = 0;
    ssize_t n;

    if (s->error)
        return -1;
    while (done < len) {
        n = write(s->fd, (const char *)buf + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            s->error = VSTREAM_ERR;
            return -1;
        }
        done += (size_t)n;
    }
    return 0;
}

int vstream_puts(struct vstream *s, const char *str)
{
    size_t n = 0;

    while (str[n])
        n++;
    return vstream_write(s, str, n);
}

int vstream_printf(struct vstream *s, const char *fmt, ...)
{
    struct vstring *v = vstring_alloc(64);
    va_list ap;
    int rc;

    va_start(ap, fmt);
    vstring_vsprintf_append(v, fmt, ap);
    va_end(ap);
    rc = vstream_write(s, vstring_str(v), vstring_len(v));
    vstring_free(v);
    return rc;
}

int vstream_flush(struct vstream *s)
{
    return s->error == VSTREAM_ERR ? -1 : 0;
}

int vstream_fsync(struct vstream *s)
{
    if (vstream_flush(s) < 0 || fsync(s->fd) < 0)
        return -1;
    return 0;
}

off_t vstream_tell(const struct vstream *s)
{
    return lseek(s->fd, 0, SEEK_CUR);
}

int vstream_seek(struct vstream *s, off_t offset)
{
    if (lseek(s->fd, offset, SEEK_SET) < 0)
        return -1;
    if (s->error == VSTREAM_EOF)
        s->error = 0;
    return 0;
}
