/*
 * smtpd_path.h - the path in MAIL FROM:<...> and RCPT TO:<...>, parsed
 * strictly after RFC 5321 4.1.2 (with RFC 6531 UTF-8 when SMTPUTF8 is on).
 *
 * Where it sits: the session hands the argument text after "FROM:"/"TO:";
 * this module checks the grammar, the angle brackets, the length limits
 * (local part 64, domain 255, path 256 octets: RFC 5321 4.5.3.1) and reports
 * every feature that a later stage could mistake for routing: a source route
 * (@a,@b:user@c), '%' (percent hack), '!' (bang path) or '@' (inside a
 * quoted local part) in the local part. smtpd_relay.h decides what to do
 * with those flags. A source route is parsed and then dropped from the
 * address (RFC 5321 Appendix C), but its presence stays in the flags.
 *
 * Output: the address as "local@domain" with the local part as written
 * (quoted form kept, so that it is still a valid RFC 5321 mailbox), the
 * local part decoded (quotes and backslashes removed) for the checks, and
 * the domain. Pure: no allocation, no I/O.
 */
#ifndef SMTPD_PATH_H
#define SMTPD_PATH_H

#include <stddef.h>

#define SMTPD_LOCAL_MAX  64
#define SMTPD_DOMAIN_MAX 255
#define SMTPD_PATH_MAX   256 /* including the angle brackets */

/* Input flags. */
#define SMTPD_PATH_ALLOW_NULL       (1 << 0) /* "<>" (MAIL FROM) */
#define SMTPD_PATH_ALLOW_POSTMASTER (1 << 1) /* "<Postmaster>" (RCPT TO) */
#define SMTPD_PATH_ALLOW_UTF8       (1 << 2) /* SMTPUTF8 transaction */

/* Output flags. */
#define SMTPD_PATH_NULL       (1 << 0) /* "<>" */
#define SMTPD_PATH_POSTMASTER (1 << 1) /* "<postmaster>", no domain */
#define SMTPD_PATH_ROUTE      (1 << 2) /* a source route was given */
#define SMTPD_PATH_QUOTED     (1 << 3) /* quoted-string local part */
#define SMTPD_PATH_PERCENT    (1 << 4) /* '%' in the local part */
#define SMTPD_PATH_BANG       (1 << 5) /* '!' in the local part */
#define SMTPD_PATH_AT         (1 << 6) /* '@' in the (quoted) local part */
#define SMTPD_PATH_LITERAL    (1 << 7) /* domain is an address literal */
#define SMTPD_PATH_UTF8       (1 << 8) /* non-ASCII bytes present */
#define SMTPD_PATH_TRICKS                                                      \
    (SMTPD_PATH_ROUTE | SMTPD_PATH_PERCENT | SMTPD_PATH_BANG | SMTPD_PATH_AT)

/* Results. */
#define SMTPD_PATH_OK         0
#define SMTPD_PATH_ERR_SYNTAX (-1) /* 501 5.1.3 (5.1.7 for a sender) */
#define SMTPD_PATH_ERR_LENGTH (-2) /* 501 5.5.2 (path) or 553 5.1.3 */
#define SMTPD_PATH_ERR_UTF8   (-3) /* 553 5.6.7: non-ASCII without SMTPUTF8 */

struct smtpd_path {
    unsigned flags;
    char addr[SMTPD_PATH_MAX + 1];     /* "local@domain", "" for <> */
    char local[SMTPD_LOCAL_MAX + 1];   /* decoded local part */
    char domain[SMTPD_DOMAIN_MAX + 1]; /* "" for <> and <postmaster> */
};

/*
 * Parses the path at text[0 .. len-1], which must start with '<'. On
 * success *consumed is the offset just after '>' (the ESMTP parameters, if
 * any, follow). On failure *out is cleared and a static reason is stored in
 * *why.
 */
/*@ requires \valid_read(text + (0 .. len - 1));
    requires \valid(out) && \valid(consumed) && \valid(why);
    assigns *out, *consumed, *why;
    ensures \result == SMTPD_PATH_OK ==> *consumed <= len;
 */
int smtpd_path_parse(const char *text, size_t len, int flags,
                     struct smtpd_path *out, size_t *consumed,
                     const char **why);

#endif
