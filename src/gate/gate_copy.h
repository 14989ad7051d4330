/*
 * gate_copy.h - what the setgid gate accepts from sendmail, record by
 * record, and writes into a maildrop file.
 *
 * The gate runs with the group that may write queue/maildrop, on input
 * from any local user, so nothing is believed: the input must be the
 * submission profile of record.h (V envelope M *C X E, checked by the
 * record grammar, every record bounded by RECORD_MAX_PAYLOAD), and then:
 *   - T from the client is dropped: the gate stamps the arrival time;
 *   - A must be "name=value" with a name of [a-z0-9_] (at most 64 bytes)
 *     and a value without control bytes; "uid" is refused (the gate writes
 *     the submitter's real uid itself, first), and cleanup_flags may only
 *     be 0 or 1 (sendmail -t); at most GATE_ATTR_MAX of them;
 *   - S and R: no control bytes in the address; R has its three fields;
 *     at most lim->rcpt_max recipients;
 *   - C: the sum of the payloads at most lim->size_max bytes (0 = none);
 *   - nothing may follow E.
 * Refusals return EX_DATAERR with a reason; I/O errors on the input
 * EX_NOINPUT-like EX_IOERR; a write error into the file EX_TEMPFAIL. The
 * caller aborts the file on any refusal and commits it only on 0.
 */
#ifndef GATE_COPY_H
#define GATE_COPY_H

#include <stddef.h>
#include <sys/types.h>

struct vstream;
struct vstring;
struct queue_file;

#define GATE_ATTR_MAX 100

struct gate_limits {
    size_t rcpt_max;
    size_t size_max; /* content bytes; 0 = no limit */
};

/* Copies the records of in into qf; 0 or an EX_* code with why filled. */
int gate_copy(struct vstream *in, struct queue_file *qf, uid_t uid,
              const struct gate_limits *lim, struct vstring *why);

#endif
