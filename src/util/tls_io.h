/*
 * tls_io.h - TLS under a vstream: the read and write functions that
 * vstream_set_io() takes, over an OpenSSL SSL object on a non-blocking
 * descriptor, and the bounded wait an SSL call may ask for. smtpd (the
 * server side of STARTTLS) and the smtp client share them; each keeps its
 * own context set-up, handshake and certificate policy.
 *
 * Contract with vstream (vstream.h): tls_io_read/tls_io_write are called
 * without a prior poll, since OpenSSL may hold decrypted bytes that poll
 * cannot see. When the call must wait for the direction the stream itself
 * waits for, they return -1 with errno EAGAIN and the stream waits under
 * its own deadline; a wait for the other direction (a renegotiation-like
 * want) happens here, bounded by io->timeout seconds (0 = no bound).
 * A clean close_notify reads as end of file; other failures are -1 with
 * errno EIO (EPIPE for writes).
 */
#ifndef TLS_IO_H
#define TLS_IO_H

#include <sys/types.h>

#include <openssl/ssl.h>

struct vstring;

struct tls_io {
    SSL *ssl;
    int timeout; /* seconds for a wait inside TLS, 0 = none */
};

/* After an SSL call returned r <= 0: wait as it asks (0), or fail (-1, with
 * errno ETIMEDOUT, EIO, or 0 after a close_notify). */
int tls_io_wait(struct tls_io *io, int fd, int r);

/* vstream_set_io() functions; ctx is a struct tls_io *. */
ssize_t tls_io_read(void *ctx, int fd, void *buf, size_t len);
ssize_t tls_io_write(void *ctx, int fd, void *buf, size_t len);

/* why = what, then OpenSSL's error queue (emptied). */
void tls_io_why(struct vstring *why, const char *what);

#endif
