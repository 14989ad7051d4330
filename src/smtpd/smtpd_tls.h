/*
 * smtpd_tls.h - STARTTLS for the SMTP server (RFC 3207), the only place in
 * smtpd that sees OpenSSL (3.0). Kept outside the proven code.
 *
 * A server context is made once per process from the configured PEM
 * certificate chain and private key, with TLS 1.2 as the lowest version,
 * renegotiation and compression off. smtpd_tls_start() runs the handshake
 * over the stream's descriptor (with the session's deadline) and then
 * installs itself under the stream with vstream_set_io(), so that the
 * protocol code reads and writes as before. The caller must have discarded
 * any buffered plaintext (vstream_discard_input) before calling it: the
 * session does this right after its "220 2.0.0 Ready to start TLS".
 *
 * The descriptor is switched to non-blocking mode. As vstream.h asks, the
 * TLS read and write functions are called without waiting; when OpenSSL
 * wants the same direction they return -1 with EAGAIN and the stream waits
 * under its deadline; when it wants the other one (a read that must write,
 * as after a key update) they wait themselves with the same deadline.
 *
 * Errors: smtpd_tls_server_create returns NULL and smtpd_tls_start returns
 * NULL, each with a reason in *why (OpenSSL's error queue, flattened).
 */
#ifndef SMTPD_TLS_H
#define SMTPD_TLS_H

struct vstream;
struct vstring;
struct smtpd_tls_server;
struct smtpd_tls_conn;

struct smtpd_tls_server *smtpd_tls_server_create(const char *cert_file,
                                                 const char *key_file,
                                                 struct vstring *why);
void smtpd_tls_server_free(struct smtpd_tls_server *server);

/* Handshake on the stream's descriptor; timeout in seconds (0: none). */
struct smtpd_tls_conn *smtpd_tls_start(struct smtpd_tls_server *server,
                                       struct vstream *stream, int timeout,
                                       struct vstring *why);
/* "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384" for logs and Received:. */
const char *smtpd_tls_describe(const struct smtpd_tls_conn *conn);
/* Sends close_notify (best effort), puts the plain I/O functions back under
 * the stream and frees the connection; the stream is about to be closed. */
void smtpd_tls_stop(struct smtpd_tls_conn *conn, struct vstream *stream);

#endif
