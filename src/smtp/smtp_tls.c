/*
 * smtp_tls.c - OpenSSL 3 client behind smtp_tls.h. The read/write glue
 * follows smtpd_tls.c (the same vstream_set_io contract).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "mymalloc.h"
#include "smtp_tls.h"
#include "vstream.h"
#include "vstring.h"

struct smtp_tls_client {
    SSL_CTX *ctx;
};

struct smtp_tls_conn {
    SSL *ssl;
    int timeout;
    char describe[160];
};

/* smtp_tls_level - none | may | encrypt | verify */
int smtp_tls_level(const char *text)
{
    static const char *const names[] = {"none", "may", "encrypt", "verify"};
    int i;

    for (i = 0; i < 4; i++)
        if (strcasecmp(text, names[i]) == 0)
            return i;
    return -1;
}

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

/* smtp_tls_client_create - TLS 1.2 or later, CA list when given */
struct smtp_tls_client *smtp_tls_client_create(const char *cafile,
                                               struct vstring *why)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    struct smtp_tls_client *client;

    if (ctx == 0) {
        ssl_why(why, "cannot make TLS context");
        return 0;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
    if (cafile && *cafile &&
        SSL_CTX_load_verify_locations(ctx, cafile, 0) != 1) {
        ssl_why(why, "cannot load smtp_tls_CAfile");
        SSL_CTX_free(ctx);
        return 0;
    }
    client = mymalloc(sizeof(*client));
    client->ctx = ctx;
    return client;
}

/* smtp_tls_client_free - forget the context */
void smtp_tls_client_free(struct smtp_tls_client *client)
{
    if (client == 0)
        return;
    SSL_CTX_free(client->ctx);
    myfree(client);
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
static int ssl_wait(struct smtp_tls_conn *c, int fd, int r)
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

/* io_result - EAGAIN when the stream should wait for its own direction;
 * else wait here for the other one and retry (1), or fail (-1) */
static int io_result(struct smtp_tls_conn *c, int fd, int r, int own)
{
    int e = SSL_get_error(c->ssl, r);

    if ((e == SSL_ERROR_WANT_READ && own == 0) ||
        (e == SSL_ERROR_WANT_WRITE && own == 1)) {
        errno = EAGAIN;
        return -1;
    }
    return ssl_wait(c, fd, r) == 0 ? 1 : -1;
}

/* tls_read - vstream read function over TLS */
static ssize_t tls_read(void *ctx, int fd, void *buf, size_t len)
{
    struct smtp_tls_conn *c = ctx;
    int n;

    for (;;) {
        ERR_clear_error();
        n = SSL_read(c->ssl, buf, len > INT32_MAX ? INT32_MAX : (int)len);
        if (n > 0)
            return n;
        if (SSL_get_error(c->ssl, n) == SSL_ERROR_ZERO_RETURN)
            return 0;
        if (io_result(c, fd, n, 0) < 0)
            return -1;
    }
}

/* tls_write - vstream write function over TLS */
static ssize_t tls_write(void *ctx, int fd, void *buf, size_t len)
{
    struct smtp_tls_conn *c = ctx;
    int n;

    for (;;) {
        ERR_clear_error();
        n = SSL_write(c->ssl, buf, len > INT32_MAX ? INT32_MAX : (int)len);
        if (n > 0)
            return n;
        if (io_result(c, fd, n, 1) < 0) {
            if (errno == 0)
                errno = EPIPE;
            return -1;
        }
    }
}

/* setup - SNI and, for verify, peer checking with the host name */
static int setup(struct smtp_tls_conn *c, int fd, const char *sni_host,
                 const char *verify_host)
{
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0 ||
        SSL_set_fd(c->ssl, fd) != 1)
        return -1;
    if (sni_host && *sni_host && sni_host[0] != '[' &&
        strspn(sni_host, "0123456789.:") != strlen(sni_host))
        SSL_set_tlsext_host_name(c->ssl, sni_host);
    if (verify_host) {
        SSL_set_hostflags(c->ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        if (SSL_set1_host(c->ssl, verify_host) != 1)
            return -1;
        SSL_set_verify(c->ssl, SSL_VERIFY_PEER, 0);
    } else {
        SSL_set_verify(c->ssl, SSL_VERIFY_NONE, 0);
    }
    return 0;
}

/* smtp_tls_start - handshake, then TLS under the stream */
struct smtp_tls_conn *smtp_tls_start(struct smtp_tls_client *client,
                                     struct vstream *stream, int timeout,
                                     const char *sni_host,
                                     const char *verify_host,
                                     struct vstring *why)
{
    int fd = vstream_fd(stream);
    struct smtp_tls_conn *c = mymalloc(sizeof(*c));
    long vr;
    int r;

    c->timeout = timeout;
    c->ssl = SSL_new(client->ctx);
    if (c->ssl == 0 || setup(c, fd, sni_host, verify_host) < 0) {
        ssl_why(why, "cannot start TLS");
        goto bad;
    }
    for (;;) {
        ERR_clear_error();
        if ((r = SSL_connect(c->ssl)) == 1)
            break;
        if (ssl_wait(c, fd, r) < 0) {
            vr = SSL_get_verify_result(c->ssl);
            if (verify_host && vr != X509_V_OK) {
                vstring_sprintf(why, "server certificate not verified: %s",
                                X509_verify_cert_error_string(vr));
                ERR_clear_error();
            } else {
                ssl_why(why, errno == ETIMEDOUT ? "TLS handshake timeout"
                                                : "TLS handshake failed");
            }
            goto bad;
        }
    }
    snprintf(c->describe, sizeof(c->describe), "%s with cipher %s%s",
             SSL_get_version(c->ssl), SSL_get_cipher_name(c->ssl),
             verify_host ? " (verified)" : "");
    vstream_set_io(stream, tls_read, tls_write, c);
    return c;
bad:
    SSL_free(c->ssl);
    myfree(c);
    return 0;
}

/* smtp_tls_describe - protocol version and cipher */
const char *smtp_tls_describe(const struct smtp_tls_conn *conn)
{
    return conn->describe;
}

/* smtp_tls_stop - close_notify (best effort) and free */
void smtp_tls_stop(struct smtp_tls_conn *conn, struct vstream *stream)
{
    vstream_set_io(stream, 0, 0, 0);
    ERR_clear_error();
    SSL_shutdown(conn->ssl);
    SSL_free(conn->ssl);
    myfree(conn);
}
