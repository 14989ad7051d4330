/*
 * smtpd_params.h - ESMTP parameters of MAIL and RCPT: SIZE (RFC 1870),
 * BODY (RFC 6152), SMTPUTF8 (RFC 6531), and the DSN parameters RET, ENVID,
 * NOTIFY, ORCPT (RFC 3461) with xtext decoding.
 *
 * Where it sits: after smtpd_path_parse() the session hands the rest of the
 * MAIL/RCPT argument here. The parsed values travel in the envelope to the
 * submission backend (smtpd_backend.h), which keeps them in the queue file
 * for the bounce daemon.
 *
 * Grammar (RFC 5321 4.1.2): params are separated by one or more spaces;
 * esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-"), esmtp-value =
 * 1*(%d33-60 / %d62-126). Keywords and the fixed values (FULL, 8BITMIME,
 * SUCCESS, ...) are matched without regard to case. A keyword given twice is
 * an error. xtext ("+" two hex digits) is decoded; the decoded value must be
 * printable ASCII (no NUL, no control bytes), so it can be written into a
 * queue file record and a DSN as it is.
 *
 * Results: SMTPD_PARAM_OK, SMTPD_PARAM_SYNTAX (the session answers
 * 501 5.5.4) or SMTPD_PARAM_UNKNOWN (555 5.5.4: unknown keyword or a value we
 * do not implement, such as BODY=BINARYMIME), with a static reason in *why.
 * Pure: no allocation, no I/O.
 */
#ifndef SMTPD_PARAMS_H
#define SMTPD_PARAMS_H

#include <stddef.h>

#define SMTPD_PARAM_OK      0
#define SMTPD_PARAM_SYNTAX  (-1)
#define SMTPD_PARAM_UNKNOWN (-2)

#define SMTPD_ENVID_MAX     100 /* RFC 3461 4.4, decoded bytes */
#define SMTPD_ORCPT_MAX     500 /* RFC 3461 4.2, whole parameter */
#define SMTPD_ADDRTYPE_MAX  32
#define SMTPD_SIZE_DIGITS   20

enum smtpd_body { SMTPD_BODY_NONE = 0, SMTPD_BODY_7BIT, SMTPD_BODY_8BITMIME };
enum smtpd_ret { SMTPD_RET_NONE = 0, SMTPD_RET_FULL, SMTPD_RET_HDRS };

/* NOTIFY bits; 0 means "not given" (the default applies, RFC 3461 4.1). */
#define SMTPD_NOTIFY_NEVER   (1 << 0)
#define SMTPD_NOTIFY_SUCCESS (1 << 1)
#define SMTPD_NOTIFY_FAILURE (1 << 2)
#define SMTPD_NOTIFY_DELAY   (1 << 3)

struct smtpd_mail_params {
    int has_size;
    unsigned long long size; /* declared size (SIZE=) */
    enum smtpd_body body;
    int smtputf8;
    enum smtpd_ret ret;
    char envid[SMTPD_ENVID_MAX + 1]; /* decoded; "" when not given */
};

struct smtpd_rcpt_params {
    unsigned notify;                          /* SMTPD_NOTIFY_* */
    char orcpt_type[SMTPD_ADDRTYPE_MAX + 1];  /* "rfc822", ""=none */
    char orcpt_addr[SMTPD_ORCPT_MAX + 1];     /* decoded */
};

/*@ requires \valid_read(text + (0 .. len - 1)) && \valid(p) && \valid(why);
    assigns *p, *why;
 */
int smtpd_params_mail(const char *text, size_t len,
                      struct smtpd_mail_params *p, const char **why);

/*@ requires \valid_read(text + (0 .. len - 1)) && \valid(p) && \valid(why);
    assigns *p, *why;
 */
int smtpd_params_rcpt(const char *text, size_t len,
                      struct smtpd_rcpt_params *p, const char **why);

/*
 * Decodes xtext in[0 .. len-1] into out (size bytes, NUL-terminated).
 * Returns the decoded length, or -1 on bad xtext, a decoded byte outside
 * 0x20..0x7e, or no room.
 */
/*@ requires \valid_read(in + (0 .. len - 1)) && size >= 1;
    requires \valid(out + (0 .. size - 1));
    assigns out[0 .. size - 1];
    ensures \result < (long)size;
 */
long smtpd_xtext_decode(const char *in, size_t len, char *out, size_t size);

#endif
