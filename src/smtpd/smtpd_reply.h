/*
 * smtpd_reply.h - formatting SMTP replies: "code[-| ]x.y.z text\r\n".
 *
 * Every reply carries an RFC 3463 enhanced status code (RFC 2034), except
 * where RFC 2034 section 3 says not to: the 220 greeting and the positive
 * replies to EHLO/HELO (pass dsn = 0 for those). The text is sanitised: a
 * byte below 0x20, DEL, or any non-ASCII byte becomes '?', and it is cut to
 * SMTPD_REPLY_TEXT_MAX bytes, so that text derived from client input (an
 * address, a HELO name) can never break the reply into two lines or exceed
 * the 512-octet reply line limit (RFC 5321 4.5.3.1.5).
 *
 * Where it sits: the session builds each reply into a vstring with these
 * functions and writes it to the stream; tests compare the bytes.
 */
#ifndef SMTPD_REPLY_H
#define SMTPD_REPLY_H

struct vstring;

#define SMTPD_REPLY_TEXT_MAX 400

/*
 * Appends one reply line to out. code is 200..599; more = 1 gives the
 * continuation form "250-" of a multi-line reply; dsn is "x.y.z" or 0.
 * A bad code or a malformed dsn is a bug (msg_panic).
 */
void smtpd_reply_line(struct vstring *out, int code, int more,
                      const char *dsn, const char *text);

/* 1 when dsn is a well-formed enhanced status code whose class digit
 * matches the reply code's first digit ("2.1.0" for 250). */
int smtpd_reply_dsn_ok(int code, const char *dsn);

#endif
