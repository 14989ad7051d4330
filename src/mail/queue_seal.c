/*
 * queue_seal.c - writing and checking the commit seal (queue_seal.h).
 */
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

/* crc_of_prefix - CRC-32 of fd's bytes [0, len); 0 or -1 */
static int crc_of_prefix(int fd, off_t len, uint32_t *crc)
{
    static unsigned char buf[CRC_CHUNK];
    uint32_t c = CRC32_INIT;
    off_t at = 0;
    ssize_t got;
    size_t want;

    while (at < len) {
        want = len - at < CRC_CHUNK ? (size_t)(len - at) : CRC_CHUNK;
        if ((got = pread(fd, buf, want, at)) < 0)
            return -1;
        if (got == 0)
            break; /* shorter than its size said: cannot match */
        c = crc32_update(c, buf, (size_t)got);
        at += got;
    }
    *crc = at == len ? c : ~c;
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
