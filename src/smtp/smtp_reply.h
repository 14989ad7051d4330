/*
 * smtp_reply.h - the SMTP client's reply parser: server reply lines in, one
 * complete reply (code, enhanced status code, text) out. RFC 5321 4.2.
 *
 * Where it sits: smtp_proto.c reads one bounded line at a time from the
 * server (vstream_get_line with SMTP_REPLY_LINE_MAX), removes the line end
 * and feeds it here; after SMTP_REPLY_DONE the reply is in the struct. The
 * module is pure: no allocation, no I/O, no callbacks, fixed-size buffers,
 * so that it can be fuzzed and proven (one exit per function).
 *
 * Grammar accepted (strict where it matters for safety, lenient elsewhere):
 *   line  = code ( "-" text / " " text / <nothing> )
 *   code  = %x32-35 %x30-35 DIGIT       (200..559; anything else is garbage)
 * A "-" line is a continuation: more lines follow, and each must carry the
 * same code; a mismatch is a protocol error (SMTP_REPLY_BAD). Text bytes
 * outside printable ASCII are stored as '?'. The lines' texts are joined by
 * '\n' in text[], cut (never overflowing) at SMTP_REPLY_TEXT_MAX bytes; a
 * reply of more than SMTP_REPLY_LINES_MAX lines is refused. A line longer
 * than the caller's bound is handled by the caller (it feeds the first
 * SMTP_REPLY_LINE_MAX bytes and discards the rest).
 *
 * Results of smtp_reply_feed(): SMTP_REPLY_MORE (a continuation line was
 * taken), SMTP_REPLY_DONE (the last line: the reply is complete), or
 * SMTP_REPLY_BAD (garbage, code mismatch, too many lines; the reply is
 * unusable and the connection should be dropped). Feeding after DONE or
 * BAD is a contract violation that returns SMTP_REPLY_BAD.
 */
#ifndef SMTP_REPLY_H
#define SMTP_REPLY_H

#include <stddef.h>

#define SMTP_REPLY_LINE_MAX  1000 /* bytes of one line we look at */
#define SMTP_REPLY_LINES_MAX 100  /* lines of one reply */
#define SMTP_REPLY_TEXT_MAX  2000 /* bytes of joined text kept */
#define SMTP_REPLY_DSN_MAX   15   /* "5.123.456" at most 9; room to spare */

#define SMTP_REPLY_MORE 0
#define SMTP_REPLY_DONE 1
#define SMTP_REPLY_BAD  (-1)

struct smtp_reply {
    int code;       /* 200..559, 0 before the first line */
    int state;      /* SMTP_REPLY_MORE, _DONE or _BAD */
    unsigned lines; /* lines taken */
    size_t len;     /* bytes in text */
    char text[SMTP_REPLY_TEXT_MAX + 1];   /* NUL-terminated */
    char dsn[SMTP_REPLY_DSN_MAX + 1];     /* "5.1.1", or "" */
};

/*@ predicate smtp_reply_valid(struct smtp_reply *r) =
        \valid(r) && r->len <= SMTP_REPLY_TEXT_MAX && r->text[r->len] == 0;
 */

/*@ requires \valid(r);
    assigns *r;
    ensures smtp_reply_valid(r) && r->code == 0 && r->lines == 0;
    ensures r->state == SMTP_REPLY_MORE;
 */
void smtp_reply_init(struct smtp_reply *r);

/*@ requires smtp_reply_valid(r);
    requires \valid_read(line + (0 .. len - 1));
    assigns *r;
    ensures smtp_reply_valid(r);
    ensures \result == SMTP_REPLY_MORE || \result == SMTP_REPLY_DONE
            || \result == SMTP_REPLY_BAD;
    ensures \result == SMTP_REPLY_DONE ==> 200 <= r->code <= 559;
 */
int smtp_reply_feed(struct smtp_reply *r, const char *line, size_t len);

/*
 * The enhanced status code (RFC 3463) at the start of a text: class digit
 * equal to want_class, 1-3 digit subject and detail, then a space or the
 * end. Copies it into out (at least SMTP_REPLY_DSN_MAX + 1 bytes) and
 * returns its length, or 0 (out = "") when there is none.
 */
/*@ requires \valid_read(text + (0 .. len - 1));
    requires \valid(out + (0 .. SMTP_REPLY_DSN_MAX));
    assigns out[0 .. SMTP_REPLY_DSN_MAX];
    ensures 0 <= \result <= 9;
 */
size_t smtp_reply_dsn(const char *text, size_t len, int want_class,
                      char *out);

#endif
