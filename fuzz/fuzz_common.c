/*
 * fuzz_common.c - shared harness support (fuzz_common.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "msg.h"
#include "vstream.h"
#include "vstring.h"

/* fuzz_exit_hook - a fatal or a panic is a crash the fuzzer must report */
static void fuzz_exit_hook(int status)
{
    fprintf(stderr, "fuzz: msg_fatal/msg_panic (status %d); rerun with "
                    "FUZZ_VERBOSE=1 for the message\n", status);
    abort();
}

/* fuzz_init - quiet logs, crash on fatal paths */
void fuzz_init(void)
{
    static int done;
    const char *v = getenv("FUZZ_VERBOSE");

    if (done)
        return;
    done = 1;
    msg_init("fuzz", v && *v == '1' ? MSG_TO_STDERR : 0);
    msg_set_exit_hook(fuzz_exit_hook);
}

/* fuzz_fail - report a broken invariant and crash */
void fuzz_fail(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "fuzz: invariant broken: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    abort();
}


/* mem_read - the next piece of the input, 0 at the end */
static ssize_t mem_read(void *ctx, int fd, void *buf, size_t len)
{
    struct fuzz_mem *m = ctx;
    size_t n = m->len - m->pos;

    (void)fd;
    if (n > len)
        n = len;
    if (m->chunk && n > m->chunk)
        n = m->chunk;
    memcpy(buf, m->in + m->pos, n);
    m->pos += n;
    return (ssize_t)n;
}

/* mem_write - collect output */
static ssize_t mem_write(void *ctx, int fd, void *buf, size_t len)
{
    struct fuzz_mem *m = ctx;

    (void)fd;
    if (m->out)
        vstring_append(m->out, buf, len);
    return (ssize_t)len;
}

static int spare_fd = -1; /* a socket never used: a stream needs an fd */

/* fuzz_mem_stream - a memory-backed stream */
struct vstream *fuzz_mem_stream(struct fuzz_mem *m, const void *in,
                                size_t len, size_t chunk, struct vstring *out)
{
    struct vstream *s;
    int sv[2];

    if (spare_fd < 0) {
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
            fuzz_fail("socketpair failed");
        spare_fd = sv[0];
    }
    m->in = in;
    m->len = len;
    m->pos = 0;
    m->chunk = chunk;
    m->out = out;
    s = vstream_fdopen(spare_fd, VSTREAM_RW);
    vstream_set_io(s, mem_read, mem_write, m);
    return s;
}

/* fuzz_take_byte - the next input byte, 0 when none is left */
unsigned fuzz_take_byte(struct fuzz_input *in)
{
    if (in->len == 0)
        return 0;
    in->len--;
    return *in->data++;
}

/* fuzz_take_until - the bytes up to sep (which is consumed too) */
const char *fuzz_take_until(struct fuzz_input *in, int sep, size_t *len)
{
    const uint8_t *start = in->data;
    const uint8_t *end = memchr(in->data, sep, in->len);
    size_t n = end ? (size_t)(end - start) : in->len;

    *len = n;
    in->data += n;
    in->len -= n;
    if (end) {
        in->data++;
        in->len--;
    }
    return (const char *)start;
}

/* fuzz_strndup - a NUL-terminated copy */
char *fuzz_strndup(const void *s, size_t len)
{
    char *p = malloc(len + 1);

    if (p == 0)
        abort();
    if (len)
        memcpy(p, s, len);
    p[len] = 0;
    return p;
}

/* fuzz_same - byte equality */
int fuzz_same(const void *a, const void *b, size_t len)
{
    return len == 0 || memcmp(a, b, len) == 0;
}
