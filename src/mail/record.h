/*
 * record.h - the one record format of Sluice: queue files, maildrop files
 * and the stream a client (smtpd, pickup) sends to cleanup.
 *
 * A record is
 *
 *     +------+-----------------------+---------------------+
 *     | type | length (4 bytes, BE)  | payload (length B)  |
 *     +------+-----------------------+---------------------+
 *
 * type is one ASCII byte from the table below; length is an unsigned 32-bit
 * big-endian count of payload bytes, at most RECORD_MAX_PAYLOAD. There is no
 * padding, no escaping and no terminator: a record's extent is known from its
 * 5-byte header alone, which is what makes a reader easy to bound and prove.
 *
 *   'V' version    first record; payload exactly RECORD_VERSION
 *   'T' time       arrival time, decimal "seconds.microseconds"
 *   'A' attribute  "name=value" (client_address, helo, protocol, envid,
 *                  ret, size, uid, ...); name non-empty, no '=' in it
 *   'S' sender     envelope sender; empty payload = the null sender <>
 *   'R' recipient  three NUL-separated fields "address\0notify\0orcpt"
 *                  (DSN NOTIFY and ORCPT, each may be empty)
 *   'D' done       an 'R' whose delivery is final; qmgr rewrites the type
 *                  byte R -> D in place (one byte + fsync), never the reverse
 *   'M' message    start of content; empty payload
 *   'C' content    a chunk of the message (headers and body, LF line ends)
 *   'X' end of content; empty payload
 *   'P' padding    bytes that mean nothing (zeros); only between X and E of
 *                  a file in the queue profile. The writer sizes it so that
 *                  a recycled file keeps its size, and a new one ends on a
 *                  block boundary (queue_file.c: why)
 *   'E' end        last record; empty payload. A file without it is
 *                  incomplete and is never delivered.
 *
 * Grammar (checked by struct record_grammar, which every reader and the
 * writer in queue_file.c run):
 *
 *     file     = V envelope M *C X [P] E
 *     envelope = any order of: one T, exactly one S, any A,
 *                R and D records
 *
 * In the RECORD_PROFILE_QUEUE profile (incoming, active, deferred, hold) at
 * least one R or D is required; in RECORD_PROFILE_SUBMIT (maildrop files and
 * the client->cleanup stream) zero recipients are allowed (sendmail -t:
 * cleanup takes them from the headers), T is optional (at most one; cleanup
 * stamps the arrival time when the client did not) and D and P are
 * refused.
 * Nothing may follow E. The client->cleanup stream starts with V too: a
 * client speaking another version is refused at its first record.
 *
 * Errors are result codes (enum record_result), never messages of their own:
 * a reader refuses an unknown type, a length over the maximum, and a record
 * cut short by end of file (truncation), and says which.
 */
#ifndef RECORD_H
#define RECORD_H

#include <stddef.h>
#include <sys/types.h>

struct vstream;
struct vstring;

#define RECORD_HEADER_SIZE 5
#define RECORD_MAX_PAYLOAD (64 * 1024)
#define RECORD_VERSION "sluice-queue-1"

#define REC_VERSION 'V'
#define REC_TIME 'T'
#define REC_ATTR 'A'
#define REC_SENDER 'S'
#define REC_RCPT 'R'
#define REC_DONE 'D'
#define REC_MESSAGE 'M'
#define REC_CONTENT 'C'
#define REC_CONTENT_END 'X'
#define REC_PADDING 'P'
#define REC_END 'E'

enum record_result {
    RECORD_OK = 0,        /* one record read */
    RECORD_EOF = 1,       /* clean end of input before a header */
    RECORD_TRUNCATED = 2, /* input ended inside a header or payload */
    RECORD_BAD_TYPE = 3,  /* type byte not in the table */
    RECORD_TOO_LONG = 4,  /* length over RECORD_MAX_PAYLOAD */
    RECORD_IO = 5         /* read error or timeout (see vstream_error) */
};

/* One record as located by a reader: type, where it starts, payload size. */
struct record {
    int type;
    off_t offset; /* file offset of the type byte */
    size_t len;   /* payload length */
};

/* A record parsed out of a memory buffer; payload points into the buffer. */
struct record_view {
    int type;
    size_t offset;
    size_t len;
    const unsigned char *payload;
};

/* Returns 1 when type is one of the REC_* bytes above, else 0. */
/*@ assigns \nothing;
    ensures \result == 0 || \result == 1;
 */
int record_type_valid(int type);

/* A short English name for a REC_* type ("recipient"), "unknown" else. */
const char *record_type_name(int type);

/* A short English text for an enum record_result. */
const char *record_result_str(int result);

/*
 * Encodes a header into hdr[0..4]. Contract: type valid and
 * len <= RECORD_MAX_PAYLOAD (else msg_panic).
 */
void record_header_encode(unsigned char hdr[RECORD_HEADER_SIZE], int type,
                          size_t len);

/*
 * Decodes a header: RECORD_OK with *type and *len set, RECORD_BAD_TYPE or
 * RECORD_TOO_LONG (then *type and *len still hold what was seen).
 */
/*@ requires \valid_read(hdr + (0 .. RECORD_HEADER_SIZE - 1));
    requires \valid(type) && \valid(len);
    assigns *type, *len;
    ensures \result == RECORD_OK || \result == RECORD_BAD_TYPE
            || \result == RECORD_TOO_LONG;
    ensures \result == RECORD_OK ==> *len <= RECORD_MAX_PAYLOAD;
 */
int record_header_decode(const unsigned char hdr[RECORD_HEADER_SIZE], int *type,
                         size_t *len);

/*
 * Parses the record at buf[*pos]. On RECORD_OK fills *rec (payload inside
 * buf) and advances *pos past the record; on any other result *pos is
 * unchanged. RECORD_EOF when *pos == buflen. Never reads outside
 * buf[0 .. buflen-1]. This is the fuzzing and proof entry point.
 */
/*@ requires \valid_read(buf + (0 .. buflen - 1));
    requires \valid(pos) && \valid(rec);
    requires *pos <= buflen;
    assigns *pos, *rec;
    ensures *pos <= buflen;
    ensures \result == RECORD_OK ==> *pos == \old(*pos) + RECORD_HEADER_SIZE
                                              + rec->len;
    ensures \result != RECORD_OK ==> *pos == \old(*pos);
 */
int record_parse(const unsigned char *buf, size_t buflen, size_t *pos,
                 struct record_view *rec);

/*
 * Writes one record. Contract: type valid, len <= RECORD_MAX_PAYLOAD.
 * Returns 0, or -1 when the stream reported a write error (sticky; the
 * caller learns it at the latest from vstream_fsync/vstream_close).
 */
int record_put(struct vstream *s, int type, const void *data, size_t len);
int record_put_str(struct vstream *s, int type, const char *str);

/*
 * Reads one record from s. On RECORD_OK, rec holds type, offset and length
 * and payload (when not NULL) holds exactly the payload bytes (plus the
 * vstring's NUL); with payload == NULL the payload is read and discarded.
 * Any other result leaves the stream at an unspecified position.
 */
int record_get(struct vstream *s, struct record *rec, struct vstring *payload);

/* ---- grammar ------------------------------------------------------------ */

#define RECORD_PROFILE_QUEUE 0
#define RECORD_PROFILE_SUBMIT 1

struct record_grammar {
    int profile;
    int state;             /* internal: where in the file we are */
    unsigned long times;   /* T records seen */
    unsigned long senders; /* S records seen */
    unsigned long rcpts;   /* R and D records seen */
};

void record_grammar_init(struct record_grammar *g, int profile);

/*
 * Feeds the next record type. Returns NULL when it is allowed here, else a
 * short reason ("recipient after content") and the grammar stays refused.
 */
const char *record_grammar_step(struct record_grammar *g, int type);

/* NULL when the records fed so far form a complete file (E seen). */
const char *record_grammar_done(const struct record_grammar *g);

/* ---- payload helpers ---------------------------------------------------- */

/* The fields of an 'R'/'D' payload; pointers into the payload, not NUL-
 * terminated by this function. */
struct record_rcpt {
    const char *address;
    size_t address_len;
    const char *notify;
    size_t notify_len;
    const char *orcpt;
    size_t orcpt_len;
};

/*
 * Builds an 'R' payload into out (replacing its content). Returns 0, or -1
 * when a field contains a NUL or the result exceeds RECORD_MAX_PAYLOAD.
 */
int record_rcpt_encode(struct vstring *out, const char *address,
                       const char *notify, const char *orcpt);

/* Splits an 'R'/'D' payload; 0, or -1 unless exactly three fields. */
int record_rcpt_decode(const char *payload, size_t len, struct record_rcpt *r);

/*
 * Splits an 'A' payload "name=value": returns the name length (> 0), or -1
 * when there is no '=' or the name is empty. The value starts after it.
 */
/*@ requires \valid_read(payload + (0 .. len - 1));
    assigns \nothing;
    ensures -1 <= \result < (long)len;
 */
long record_attr_split(const char *payload, size_t len);

#endif
