/*
 * smtpd_bdat.h - BDAT (RFC 3030 CHUNKING): the command's arguments, and a
 * line-ending checker for chunk content.
 *
 * BDAT content is counted, not delimited, so no end marker can be forged
 * inside it and no dot-stuffing applies. The checker still refuses a bare CR,
 * a bare LF or a NUL in the content (we offer 8BITMIME, not BINARYMIME): a
 * message that holds them must never enter the queue, where a later relay
 * hop over DATA could read them two ways. Its state carries across chunks.
 *
 * Where it sits: the session parses "BDAT <size> [LAST]" here, reads exactly
 * size bytes with vstream_read(), feeds them to smtpd_bdat_scan() and passes
 * them to the submission backend. Pure: no allocation, no I/O.
 */
#ifndef SMTPD_BDAT_H
#define SMTPD_BDAT_H

#include <stddef.h>

#define SMTPD_BDAT_DIGITS 18 /* a chunk size fits in 63 bits */

/* Error bits (the same meaning as the SMTPD_DATA_* bits). */
#define SMTPD_BDAT_BARE_LF (1 << 0)
#define SMTPD_BDAT_BARE_CR (1 << 1)
#define SMTPD_BDAT_NUL     (1 << 2)
#define SMTPD_BDAT_TOO_BIG (1 << 3)

struct smtpd_bdat {
    int cr;    /* the last byte seen was a CR */
    int bol;   /* the content so far ends with CR LF (or is empty) */
    unsigned errors;
    unsigned long long size;
    unsigned long long limit; /* 0: no limit */
};

/*
 * Parses the BDAT argument "chunk-size [SP LAST]" (LAST in any case).
 * 0 and the values, or -1 on a syntax error (the session answers 501 5.5.4
 * and, having no size, cannot stay in step: it ends the session).
 */
/*@ requires \valid_read(args + (0 .. len - 1));
    requires \valid(size) && \valid(last);
    assigns *size, *last;
 */
int smtpd_bdat_parse(const char *args, size_t len, unsigned long long *size,
                     int *last);

void smtpd_bdat_init(struct smtpd_bdat *b, unsigned long long limit);

/*@ requires \valid(b) && \valid_read(buf + (0 .. len - 1));
    assigns *b;
 */
void smtpd_bdat_scan(struct smtpd_bdat *b, const char *buf, size_t len);

/* End of the last chunk: a CR left hanging is a bare CR. Returns the error
 * bits; *need_crlf is 1 when the content does not end with CR LF (the
 * session then appends one). */
unsigned smtpd_bdat_finish(struct smtpd_bdat *b, int *need_crlf);

#endif
