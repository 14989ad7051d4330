/*
 * tls_io.c - the vstream read/write glue over OpenSSL (see tls_io.h).
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>

#include <openssl/err.h>

#include "tls_io.h"
#include "vstring.h"

/* wait_fd - wait for the descriptor; 0, or -1 with errno (ETIMEDOUT) */
static int wait_fd(int fd, int want_write, int timeout)
{
    struct pollfd p = {fd, (short)(want_write ? POLLOUT : POLLIN), 0};
    int r;

    do
        r = poll(&p, 1, timeout > 0 ? timeout * 1000 : -1);
    while (r < 0 && errno == EINTR);
    if (r == 0)
        errno = ETIMEDOUT;
    return r > 0 ? 0 : -1;
}

/* tls_io_wait - after an SSL call returned r <= 0: wait and retry, or fail */
int tls_io_wait(struct tls_io *io, int fd, int r)
{
    switch (SSL_get_error(io->ssl, r)) {
    case SSL_ERROR_WANT_READ:
        return wait_fd(fd, 0, io->timeout);
    case SSL_ERROR_WANT_WRITE:
        return wait_fd(fd, 1, io->timeout);
    case SSL_ERROR_ZERO_RETURN:
        errno = 0;
        return -1;
    default:
        errno = EIO;
        return -1;
    }
}

/* io_result - map a failed SSL_read/SSL_write to what vstream expects:
 * -1 with EAGAIN when the stream should wait for `own` readiness itself,
 * otherwise wait here for the other direction and retry (1), or fail */
static int io_result(struct tls_io *io, int fd, int r, int own)
{
    int e = SSL_get_error(io->ssl, r);

    if ((e == SSL_ERROR_WANT_READ && own == 0) ||
        (e == SSL_ERROR_WANT_WRITE && own == 1)) {
        errno = EAGAIN;
        return -1;
    }
    return tls_io_wait(io, fd, r) == 0 ? 1 : -1;
}

/* tls_io_read - vstream read function over TLS */
ssize_t tls_io_read(void *ctx, int fd, void *buf, size_t len)
{
    struct tls_io *io = ctx;
    int n;

    for (;;) {
        ERR_clear_error();
        n = SSL_read(io->ssl, buf, len > INT32_MAX ? INT32_MAX : (int)len);
        if (n > 0)
            return n;
        if (SSL_get_error(io->ssl, n) == SSL_ERROR_ZERO_RETURN)
            return 0;
        if (io_result(io, fd, n, 0) < 0)
            return -1;
    }
}

/* tls_io_write - vstream write function over TLS */
ssize_t tls_io_write(void *ctx, int fd, void *buf, size_t len)
{
    struct tls_io *io = ctx;
    int n;

    for (;;) {
        ERR_clear_error();
        n = SSL_write(io->ssl, buf, len > INT32_MAX ? INT32_MAX : (int)len);
        if (n > 0)
            return n;
        if (io_result(io, fd, n, 1) < 0) {
            if (errno == 0)
                errno = EPIPE;
            return -1;
        }
    }
}

/* tls_io_why - OpenSSL's error queue into why, after a prefix */
void tls_io_why(struct vstring *why, const char *what)
{
    unsigned long e;
    char buf[256];

    vstring_sprintf(why, "%s", what);
    while ((e = ERR_get_error()) != 0) {
        ERR_error_string_n(e, buf, sizeof(buf));
        vstring_sprintf_append(why, ": %s", buf);
    }
}
