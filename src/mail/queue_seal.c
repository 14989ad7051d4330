/*
 * queue_seal.c - writing and checking the commit seal (queue_seal.h).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "crc32.h"
#include "queue_seal.h"

#define CRC_CHUNK 65536

static const char hex_digits[] = "0123456789abcdef";

/* queue_seal_payload - "<id> <crc as 8 lower-case hex digits>" */
void queue_seal_payload(char out[QUEUE_SEAL_PAYLOAD], const char *id,
                        uint32_t crc)
{
    int i;

    memcpy(out, id, QUEUE_ID_LEN);
    out[QUEUE_ID_LEN] = ' ';
    for (i = 0; i < 8; i++)
        out[QUEUE_ID_LEN + 1 + i] = hex_digits[(crc >> (28 - 4 * i)) & 0xF];
}

/* hex_value - one lower-case hex digit, or -1 */
static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* queue_seal_parse - a seal record, or 0 */
int queue_seal_parse(const unsigned char rec[QUEUE_SEAL_SIZE],
                     char id[QUEUE_ID_LEN + 1], uint32_t *crc)
{
    const unsigned char *p = rec + RECORD_HEADER_SIZE;
    uint32_t value = 0;
    size_t len;
    int type, i, d;

    if (record_header_decode(rec, &type, &len) != RECORD_OK ||
        type != REC_END || len != QUEUE_SEAL_PAYLOAD || p[QUEUE_ID_LEN] != ' ')
        return 0;
    memcpy(id, p, QUEUE_ID_LEN);
    id[QUEUE_ID_LEN] = 0;
    if (!queue_id_valid(id))
        return 0;
    for (i = 0; i < 8; i++) {
        if ((d = hex_value(p[QUEUE_ID_LEN + 1 + i])) < 0)
            return 0;
        value = (value << 4) | (uint32_t)d;
    }
    *crc = value;
    return 1;
}

/*
 * The CRC walks the records: a record's type byte counts as 'R' where qmgr
 * marked it 'D' (done), so that a committed file a crash brings back into
 * spare/ after some of its recipients were marked still holds its message
 * (the marks then say which recipients are done). Payloads count as they
 * are, except a 'P' record's (padding, which means nothing). The walk
 * keeps its place across the chunks of a read.
 */
struct seal_walk {
    uint32_t crc;
    unsigned char head[RECORD_HEADER_SIZE]; /* the header being read */
    size_t header_at; /* bytes of it read so far */
    uint32_t left;    /* payload bytes still to come */
    int padding;      /* the payload is a 'P' record's: not counted */
};

/* header_done - a whole header: counted, and its payload set up */
static void header_done(struct seal_walk *w)
{
    unsigned char *h = w->head;

    w->padding = h[0] == REC_PADDING;
    if (h[0] == REC_DONE)
        h[0] = REC_RCPT;
    w->crc = crc32_update(w->crc, h, RECORD_HEADER_SIZE);
    w->left = (uint32_t)h[1] << 24 | (uint32_t)h[2] << 16 |
              (uint32_t)h[3] << 8 | h[4];
    w->header_at = 0;
}

/* walk_bytes - n more bytes of the file into the walk */
static void walk_bytes(struct seal_walk *w, const unsigned char *b, size_t n)
{
    size_t take;

    while (n > 0) {
        if (w->left > 0) {
            take = n < w->left ? n : w->left;
            if (!w->padding)
                w->crc = crc32_update(w->crc, b, take);
            w->left -= (uint32_t)take;
        } else {
            take = RECORD_HEADER_SIZE - w->header_at;
            if (take > n)
                take = n;
            memcpy(w->head + w->header_at, b, take);
            if ((w->header_at += take) == RECORD_HEADER_SIZE)
                header_done(w);
        }
        b += take;
        n -= take;
    }
}

/* walk_end - the CRC of what was walked: a header cut short counts as
 * far as it goes */
static uint32_t walk_end(struct seal_walk *w)
{
    if (w->header_at > 0) {
        if (w->head[0] == REC_DONE)
            w->head[0] = REC_RCPT;
        w->crc = crc32_update(w->crc, w->head, w->header_at);
    }
    return w->crc;
}

/* crc_of_prefix - the seal's CRC of fd's bytes [0, len); 0 or -1 */
static int crc_of_prefix(int fd, off_t len, uint32_t *crc)
{
    static unsigned char buf[CRC_CHUNK];
    struct seal_walk w = {CRC32_INIT, {0}, 0, 0, 0};
    off_t at = 0;
    ssize_t got;
    size_t want;

    while (at < len) {
        want = len - at < CRC_CHUNK ? (size_t)(len - at) : CRC_CHUNK;
        if ((got = pread(fd, buf, want, at)) < 0)
            return -1;
        if (got == 0)
            break; /* shorter than its size said: cannot match */
        walk_bytes(&w, buf, (size_t)got);
        at += got;
    }
    *crc = at == len ? walk_end(&w) : ~walk_end(&w);
    return 0;
}

/* queue_seal_committed - sealed under another id, and whole? */
int queue_seal_committed(int fd, off_t size, const char *name,
                         char id[QUEUE_ID_LEN + 1])
{
    unsigned char tail[QUEUE_SEAL_SIZE];
    uint32_t want, have;
    ssize_t got;

    if (size < QUEUE_SEAL_SIZE)
        return 0;
    if ((got = pread(fd, tail, sizeof(tail), size - QUEUE_SEAL_SIZE)) < 0)
        return -1;
    if (got != (ssize_t)sizeof(tail) || !queue_seal_parse(tail, id, &want) ||
        strcmp(id, name) == 0)
        return 0;
    if (crc_of_prefix(fd, size - QUEUE_SEAL_SIZE, &have) < 0)
        return -1;
    return have == want;
}

/* queue_seal_break - the seal record's type byte, 'E' -> QUEUE_SEAL_BROKEN */
int queue_seal_break(int fd, off_t size)
{
    static const char broken = QUEUE_SEAL_BROKEN;

    if (size < QUEUE_SEAL_SIZE) {
        errno = EINVAL;
        return -1;
    }
    switch (pwrite(fd, &broken, 1, size - QUEUE_SEAL_SIZE)) {
    case 1:
        return 0;
    case 0:
        errno = EIO;
        /* FALLTHROUGH */
    default:
        return -1;
    }
}
