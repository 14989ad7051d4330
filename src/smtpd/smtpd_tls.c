/*
 * smtpd_tls.c - OpenSSL 3 behind the small interface of smtpd_tls.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "mymalloc.h"
#include "tls_io.h"
#include "smtpd_tls.h"
#include "vstream.h"
#include "vstring.h"

struct smtpd_tls_server {
    SSL_CTX *ctx;
};

struct smtpd_tls_conn {
    struct tls_io io; /* the SSL object and its wait bound */
    char describe[128];
};

/* smtpd_tls_server_create - context from the configured key and chain */
struct smtpd_tls_server *smtpd_tls_server_create(const char *cert_file,
                                                 const char *key_file,
                                                 struct vstring *why)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    struct smtpd_tls_server *server;

    if (ctx == 0) {
        tls_io_why(why, "cannot make TLS context");
        return 0;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
    if (SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1) {
        tls_io_why(why, "cannot load TLS certificate or key");
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

/* smtpd_tls_start - handshake, then TLS under the stream */
struct smtpd_tls_conn *smtpd_tls_start(struct smtpd_tls_server *server,
                                       struct vstream *stream, int timeout,
                                       struct vstring *why)
{
    int fd = vstream_fd(stream);
    struct smtpd_tls_conn *c = mymalloc(sizeof(*c));
    int r;

    c->io.timeout = timeout;
    c->io.ssl = SSL_new(server->ctx);
    if (c->io.ssl == 0 || fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0 ||
        SSL_set_fd(c->io.ssl, fd) != 1) {
        tls_io_why(why, "cannot start TLS");
        goto bad;
    }
    for (;;) {
        ERR_clear_error();
        if ((r = SSL_accept(c->io.ssl)) == 1)
            break;
        if (tls_io_wait(&c->io, fd, r) < 0) {
            tls_io_why(why, errno == ETIMEDOUT ? "TLS handshake timeout"
                                            : "TLS handshake failed");
            goto bad;
        }
    }
    snprintf(c->describe, sizeof(c->describe), "%s with cipher %s",
             SSL_get_version(c->io.ssl), SSL_get_cipher_name(c->io.ssl));
    vstream_set_io(stream, tls_io_read, tls_io_write, &c->io);
    return c;
bad:
    SSL_free(c->io.ssl);
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
    SSL_shutdown(conn->io.ssl);
    SSL_free(conn->io.ssl);
    myfree(conn);
}
