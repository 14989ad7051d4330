/*
 * smtp_tls.h - STARTTLS for the SMTP/LMTP client (RFC 3207), the only place
 * in the client that sees OpenSSL. Kept outside the proven code.
 *
 * Security levels (smtp_tls_security_level, and per destination in
 * smtp_tls_policy_maps):
 *   none    - never STARTTLS;
 *   may     - opportunistic: STARTTLS when the server offers it, no
 *             certificate check (RFC 7435); plaintext when it does not;
 *   encrypt - mandatory TLS, no certificate check: a server without
 *             STARTTLS, or a failed handshake, defers the mail (4.7.4);
 *   verify  - mandatory TLS, and the certificate must chain to
 *             smtp_tls_CAfile and name the host we connected to
 *             (SSL_set1_host: the MX name, or the nexthop's host).
 *
 * The I/O layer is the same scheme as smtpd_tls.h: the handshake runs on
 * the stream's descriptor under the session's deadline, then TLS is
 * installed under the stream with vstream_set_io(). Buffered plaintext from
 * before the handshake must be discarded by the caller (a server that
 * pipelines data after its 220 is injecting).
 */
#ifndef SMTP_TLS_H
#define SMTP_TLS_H

struct vstream;
struct vstring;
struct smtp_tls_client;
struct smtp_tls_conn;

#define SMTP_TLS_NONE    0
#define SMTP_TLS_MAY     1
#define SMTP_TLS_ENCRYPT 2
#define SMTP_TLS_VERIFY  3

/* The level named by text, or -1 when it is not one. Pure. */
int smtp_tls_level(const char *text);

/* One context per process; cafile "" or NULL: no CA list (verify fails). */
struct smtp_tls_client *smtp_tls_client_create(const char *cafile,
                                               struct vstring *why);
void smtp_tls_client_free(struct smtp_tls_client *client);

/* Handshake; verify_host NULL: no certificate check (may, encrypt). */
struct smtp_tls_conn *smtp_tls_start(struct smtp_tls_client *client,
                                     struct vstream *stream, int timeout,
                                     const char *sni_host,
                                     const char *verify_host,
                                     struct vstring *why);
const char *smtp_tls_describe(const struct smtp_tls_conn *conn);
void smtp_tls_stop(struct smtp_tls_conn *conn, struct vstream *stream);

#endif
