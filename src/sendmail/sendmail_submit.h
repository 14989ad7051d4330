/*
 * sendmail_submit.h - turning "sendmail -bm" (what the command line says
 * plus the message on stdin) into the records the setgid gate reads.
 *
 * The stream is the submission profile of record.h:
 *   V, A cleanup_flags=1 (for -t), A fullname (-F), A envid (-V),
 *   A ret (-R: FULL|HDRS), A body_type (-B), S sender, R per recipient
 *   (NOTIFY from -N as the RFC 3461 list), M, C*, X, E.
 * The sender is -f's, else "<login name>@$myorigin"; recipients are the
 * command-line arguments, each read as an RFC 5322 address list ("Alice
 * <a@b>, c" gives a@b and c; cleanup qualifies the bare c).
 *
 * Content: stdin line by line; LF or CRLF in, LF out. Without -i a line
 * holding a single "." ends the message (the rest of stdin is not read);
 * with -i only end of file does. Content is written in 'C' records of at
 * most SENDMAIL_CHUNK bytes; a message never sits in memory whole.
 *
 * Errors: sendmail_envelope() returns 0 or EX_DATAERR / EX_NOUSER with a
 * reason (a recipient that is not an address); sendmail_content() returns
 * 0, or EX_IOERR when stdin failed and EX_TEMPFAIL when the gate stopped
 * reading (it died or refused: its exit status tells the rest).
 */
#ifndef SENDMAIL_SUBMIT_H
#define SENDMAIL_SUBMIT_H

struct vstream;
struct vstring;
struct sendmail_args;

#define SENDMAIL_CHUNK 32768

/* The envelope records (V .. R). sender: already chosen by the caller. */
int sendmail_envelope(struct vstream *out, const struct sendmail_args *args,
                      const char *sender, struct vstring *why);

/* M, C*, X, E from in. */
int sendmail_content(struct vstream *in, struct vstream *out, int ignore_dots,
                     struct vstring *why);

#endif
