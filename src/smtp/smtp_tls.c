/*
 * smtp_tls.c - OpenSSL 3 client behind smtp_tls.h: context, SNI, peer
 * verification and the handshake; the stream glue is src/util/tls_io.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "mymalloc.h"
#include "tls_io.h"
#include "smtp_tls.h"
#include "vstream.h"
#include "vstring.h"

struct smtp_tls_client {
    SSL_CTX *ctx;
};

struct smtp_tls_conn {
    struct tls_io io; /* the SSL object and its wait bound */
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

/* smtp_tls_client_create - TLS 1.2 or later, CA list when given */
struct smtp_tls_client *smtp_tls_client_create(const char *cafile,
                                               struct vstring *why)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    struct smtp_tls_client *client;

    if (ctx == 0) {
        tls_io_why(why, "cannot make TLS context");
        return 0;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
    if (cafile && *cafile &&
        SSL_CTX_load_verify_locations(ctx, cafile, 0) != 1) {
        tls_io_why(why, "cannot load smtp_tls_CAfile");
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

/* setup - SNI and, for verify, peer checking with the host name */
static int setup(struct smtp_tls_conn *c, int fd, const char *sni_host,
                 const char *verify_host)
{
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0 ||
        SSL_set_fd(c->io.ssl, fd) != 1)
        return -1;
    if (sni_host && *sni_host && sni_host[0] != '[' &&
        strspn(sni_host, "0123456789.:") != strlen(sni_host))
        SSL_set_tlsext_host_name(c->io.ssl, sni_host);
    if (verify_host) {
        SSL_set_hostflags(c->io.ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        if (SSL_set1_host(c->io.ssl, verify_host) != 1)
            return -1;
        SSL_set_verify(c->io.ssl, SSL_VERIFY_PEER, 0);
    } else {
        SSL_set_verify(c->io.ssl, SSL_VERIFY_NONE, 0);
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

    c->io.timeout = timeout;
    c->io.ssl = SSL_new(client->ctx);
    if (c->io.ssl == 0 || setup(c, fd, sni_host, verify_host) < 0) {
        tls_io_why(why, "cannot start TLS");
        goto bad;
    }
    for (;;) {
        ERR_clear_error();
        if ((r = SSL_connect(c->io.ssl)) == 1)
            break;
        if (tls_io_wait(&c->io, fd, r) < 0) {
            vr = SSL_get_verify_result(c->io.ssl);
            if (verify_host && vr != X509_V_OK) {
                vstring_sprintf(why, "server certificate not verified: %s",
                                X509_verify_cert_error_string(vr));
                ERR_clear_error();
            } else {
                tls_io_why(why, errno == ETIMEDOUT ? "TLS handshake timeout"
                                                : "TLS handshake failed");
            }
            goto bad;
        }
    }
    snprintf(c->describe, sizeof(c->describe), "%s with cipher %s%s",
             SSL_get_version(c->io.ssl), SSL_get_cipher_name(c->io.ssl),
             verify_host ? " (verified)" : "");
    vstream_set_io(stream, tls_io_read, tls_io_write, &c->io);
    return c;
bad:
    SSL_free(c->io.ssl);
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
    SSL_shutdown(conn->io.ssl);
    SSL_free(conn->io.ssl);
    myfree(conn);
}
