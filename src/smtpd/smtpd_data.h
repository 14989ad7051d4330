/*
 * smtpd_data.h - the DATA reader as a byte-level state machine: finds the
 * end of the message, removes dot-stuffing, and refuses what could be read
 * two ways (SMTP smuggling, CVE-2023-51764 and its siblings).
 *
 * Rules (RFC 5321 4.1.1.4, 4.5.2, 2.3.8):
 *   - the message ends only at CR LF "." CR LF (the CR LF before the dot may
 *     be the one that ended the DATA command): "\n.\n", "\r.\r", "\n.\r\n"
 *     and every other variant are content, never the end;
 *   - a line that starts with "." has that dot removed;
 *   - a bare LF, a bare CR or a NUL byte in the content marks the message
 *     as refused (SMTPD_DATA_BARE_LF / _BARE_CR / _NUL); scanning goes on to
 *     the real end, so that the rest of the data is consumed as data and
 *     never read as commands, and the session then answers 5xx and commits
 *     nothing;
 *   - once the content exceeds the size limit, SMTPD_DATA_TOO_BIG is set.
 * After the first error nothing more is copied out: the caller only needs
 * the bytes of a message that is still acceptable.
 *
 * Where it sits: the session reads the data with vstream_get_line() (never
 * past a '\n', so never past the end of the message) and feeds each piece
 * to smtpd_data_scan(); the output goes to the submission backend. The
 * scanner keeps its state across pieces, so a CR at the end of one piece
 * and an LF at the start of the next are still one CR LF. Pure: no
 * allocation, no I/O.
 */
#ifndef SMTPD_DATA_H
#define SMTPD_DATA_H

#include <stddef.h>

enum smtpd_data_phase {
    SMTPD_DATA_BOL = 0, /* at the start of a line (after CR LF) */
    SMTPD_DATA_DOT,     /* "." at the start of a line */
    SMTPD_DATA_DOT_CR,  /* "." CR at the start of a line */
    SMTPD_DATA_MID,     /* inside a line */
    SMTPD_DATA_CR,      /* CR inside a line, not yet copied out */
    SMTPD_DATA_END      /* CR LF "." CR LF seen */
};

/* Error bits. */
#define SMTPD_DATA_BARE_LF (1 << 0)
#define SMTPD_DATA_BARE_CR (1 << 1)
#define SMTPD_DATA_NUL     (1 << 2)
#define SMTPD_DATA_TOO_BIG (1 << 3)

struct smtpd_data {
    enum smtpd_data_phase phase;
    unsigned errors;
    unsigned long long size;  /* content bytes so far (after unstuffing) */
    unsigned long long limit; /* 0: no limit */
};

/*@ requires \valid(d);
    assigns *d;
    ensures d->phase == SMTPD_DATA_BOL && d->errors == 0 && d->size == 0;
 */
void smtpd_data_init(struct smtpd_data *d, unsigned long long limit);

/*
 * Scans in[0 .. len-1]. Copies the unstuffed content to out, which must hold
 * len + 1 bytes (a CR held back from the previous piece is copied out with
 * the LF that follows it), and stores the count in *out_len. Returns the
 * number of input bytes used: len, or fewer when the end of the message was
 * found (d->phase == SMTPD_DATA_END; the rest is the next command).
 */
/*@ requires \valid(d) && \valid(out_len);
    requires \valid_read(in + (0 .. len - 1));
    requires \valid(out + (0 .. len));
    assigns *d, *out_len, out[0 .. len];
    ensures \result <= len && *out_len <= len + 1;
 */
size_t smtpd_data_scan(struct smtpd_data *d, const char *in, size_t len,
                       char *out, size_t *out_len);

/* 1 when the end of the message has been seen. */
int smtpd_data_done(const struct smtpd_data *d);

#endif
