/*
 * smtpd_tls.c - OpenSSL 3 behind the small interface of smtpd_tls.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdint.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "mymalloc.h"
#include "smtpd_tls.h"
#include "vstream.h"
#include "vstring.h"

struct smtpd_tls_server {
    SSL_CTX *ctx;
};

struct smtpd_tls_conn {
    SSL *ssl;
    int timeout;
    char describe[128];
};

/* ssl_why - OpenSSL's error queue into why, after a prefix */
static void ssl_why(struct vstring *why, const char *what)
{
    unsigned long e;
    char buf[256];

    vstring_sprintf(why, "%s", what);
    while ((e = ERR_get_error()) != 0) {
        ERR_error_string_n(e, buf, sizeof(buf));
        vstring_sprintf_append(why, ": %s", buf);
    }
}

/* smtpd_tls_server_create - context from the configured key and chain */
struct smtpd_tls_server *smtpd_tls_server_create(const char *cert_file,
                                                 const char *key_file,
                                                 struct vstring *why)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    struct smtpd_tls_server *server;

    if (ctx == 0) {
        ssl_why(why, "cannot make TLS context");
        return 0;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
    if (SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1) {
        ssl_why(why, "cannot load TLS certificate or key");
        SSL_CTX_free(ctx);
        return 0;
    }
    server = mymalloc(sizeof(*server));
    server->ctx = ctx;
    return server;
}

/* smtpd_tls_server_free - forget the context */
void smtpd_tls_server_free(struct smtpd_tls_server *server)
{
    if (server == 0)
        return;
    SSL_CTX_free(server->ctx);
    myfree(server);
}

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

/* ssl_wait - after an SSL call returned r <= 0: wait and retry, or fail */
static int ssl_wait(struct smtpd_tls_conn *c, int fd, int r)
{
    switch (SSL_get_error(c->ssl, r)) {
    case SSL_ERROR_WANT_READ:
        return wait_fd(fd, 0, c->timeout);
    case SSL_ERROR_WANT_WRITE:
        return wait_fd(fd, 1, c->timeout);
    case SSL_ERROR_ZERO_RETURN:
        errno = 0;
        return -1;
    default:
        errno = EIO;
        return -1;
    }
}

/* tls_io_result - map a failed SSL_read/SSL_write to what vstream expects:
 * -1 with EAGAIN when the stream should wait for `own` readiness itself,
 * otherwise wait here for the other direction and retry (1), or fail */
static int tls_io_result(struct smtpd_tls_conn *c, int fd, int r, int own)
{
    int e = SSL_get_error(c->ssl, r);

    if ((e == SSL_ERROR_WANT_READ && own == 0) ||
        (e == SSL_ERROR_WANT_WRITE && own == 1)) {
        errno = EAGAIN;
        return -1;
    }
    return ssl_wait(c, fd, r) == 0 ? 1 : -1;
}

/* tls_read - vstream read function over TLS (vstream.h: called without
 * waiting; EAGAIN asks the stream to wait under its deadline) */
static ssize_t tls_read(void *ctx, int fd, void *buf, size_t len)
{
    struct smtpd_tls_conn *c = ctx;
    int n;

    for (;;) {
        ERR_clear_error();
        n = SSL_read(c->ssl, buf, len > INT32_MAX ? INT32_MAX : (int)len);
        if (n > 0)
            return n;
        if (SSL_get_error(c->ssl, n) == SSL_ERROR_ZERO_RETURN)
            return 0;
        if (tls_io_result(c, fd, n, 0) < 0)
            return -1;
    }
}

/* tls_write - vstream write function over TLS */
static ssize_t tls_write(void *ctx, int fd, void *buf, size_t len)
{
    struct smtpd_tls_conn *c = ctx;
    int n;

    for (;;) {
        ERR_clear_error();
        n = SSL_write(c->ssl, buf, len > INT32_MAX ? INT32_MAX : (int)len);
        if (n > 0)
            return n;
        if (tls_io_result(c, fd, n, 1) < 0) {
            if (errno == 0)
                errno = EPIPE;
            return -1;
        }
    }
}

/* smtpd_tls_start - handshake, then TLS under the stream */
struct smtpd_tls_conn *smtpd_tls_start(struct smtpd_tls_server *server,
                                       struct vstream *stream, int timeout,
                                       struct vstring *why)
{
    int fd = vstream_fd(stream);
    struct smtpd_tls_conn *c = mymalloc(sizeof(*c));
    int r;

    c->timeout = timeout;
    c->ssl = SSL_new(server->ctx);
    if (c->ssl == 0 || fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0 ||
        SSL_set_fd(c->ssl, fd) != 1) {
        ssl_why(why, "cannot start TLS");
        goto bad;
    }
    for (;;) {
        ERR_clear_error();
        if ((r = SSL_accept(c->ssl)) == 1)
            break;
        if (ssl_wait(c, fd, r) < 0) {
            ssl_why(why, errno == ETIMEDOUT ? "TLS handshake timeout"
                                            : "TLS handshake failed");
            goto bad;
        }
    }
    snprintf(c->describe, sizeof(c->describe), "%s with cipher %s",
             SSL_get_version(c->ssl), SSL_get_cipher_name(c->ssl));
    vstream_set_io(stream, tls_read, tls_write, c);
    return c;
bad:
    SSL_free(c->ssl);
    myfree(c);
    return 0;
}

/* smtpd_tls_describe - protocol version and cipher */
const char *smtpd_tls_describe(const struct smtpd_tls_conn *conn)
{
    return conn->describe;
}

/* smtpd_tls_stop - close_notify (best effort) and free */
void smtpd_tls_stop(struct smtpd_tls_conn *conn, struct vstream *stream)
{
    vstream_set_io(stream, 0, 0, 0);
    ERR_clear_error();
    SSL_shutdown(conn->ssl);
    SSL_free(conn->ssl);
    myfree(conn);
}
