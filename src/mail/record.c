/*
 * record.c - typed, length-prefixed records (see record.h for the format).
 *
 * The memory parser (record_parse) and the header decoder hold all the
 * decisions; the stream functions only move bytes, so that the part a
 * fuzzer or a prover looks at is small and has no I/O in it.
 */
#include <string.h>

#include "msg.h"
#include "record.h"
#include "vstream.h"
#include "vstring.h"

/* record_type_valid - is this one of the record types of the format? */
int record_type_valid(int type)
{
    int ok = 0;

    switch (type) {
    case REC_VERSION:
    case REC_TIME:
    case REC_ATTR:
    case REC_SENDER:
    case REC_RCPT:
    case REC_DONE:
    case REC_MESSAGE:
    case REC_CONTENT:
    case REC_CONTENT_END:
    case REC_PADDING:
    case REC_END:
        ok = 1;
        break;
    default:
        break;
    }
    return ok;
}

/* record_type_name - a readable name for logs */
const char *record_type_name(int type)
{
    static const struct {
        int type;
        const char *name;
    } names[] = {
        {REC_VERSION, "version"},
        {REC_TIME, "time"},
        {REC_ATTR, "attribute"},
        {REC_SENDER, "sender"},
        {REC_RCPT, "recipient"},
        {REC_DONE, "done recipient"},
        {REC_MESSAGE, "message"},
        {REC_CONTENT, "content"},
        {REC_CONTENT_END, "end of content"},
        {REC_PADDING, "padding"},
        {REC_END, "end"},
    };
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (names[i].type == type)
            return names[i].name;
    return "unknown";
}

/* record_result_str - a readable text for a reader's result */
const char *record_result_str(int result)
{
    switch (result) {
    case RECORD_OK:
        return "ok";
    case RECORD_EOF:
        return "end of file";
    case RECORD_TRUNCATED:
        return "truncated record";
    case RECORD_BAD_TYPE:
        return "unknown record type";
    case RECORD_TOO_LONG:
        return "record length over the maximum";
    case RECORD_IO:
        return "read error";
    default:
        return "unknown result";
    }
}

/* record_header_encode - type byte and big-endian length */
void record_header_encode(unsigned char hdr[RECORD_HEADER_SIZE], int type,
                          size_t len)
{
    if (!record_type_valid(type))
        msg_panic("record_header_encode: bad record type %d", type);
    if (len > RECORD_MAX_PAYLOAD)
        msg_panic("record_header_encode: length %zu over maximum", len);
    hdr[0] = (unsigned char)type;
    hdr[1] = (unsigned char)((len >> 24) & 0xff);
    hdr[2] = (unsigned char)((len >> 16) & 0xff);
    hdr[3] = (unsigned char)((len >> 8) & 0xff);
    hdr[4] = (unsigned char)(len & 0xff);
}

/* record_header_decode - check a header: known type, bounded length */
int record_header_decode(const unsigned char hdr[RECORD_HEADER_SIZE], int *type,
                         size_t *len)
{
    unsigned long n;
    int result = RECORD_OK;

    n = ((unsigned long)hdr[1] << 24) | ((unsigned long)hdr[2] << 16) |
        ((unsigned long)hdr[3] << 8) | (unsigned long)hdr[4];
    *type = hdr[0];
    *len = (size_t)n;
    if (!record_type_valid(hdr[0]))
        result = RECORD_BAD_TYPE;
    else if (n > RECORD_MAX_PAYLOAD)
        result = RECORD_TOO_LONG;
    return result;
}

/* record_parse - one record from a memory buffer, never past its end */
int record_parse(const unsigned char *buf, size_t buflen, size_t *pos,
                 struct record_view *rec)
{
    size_t at = *pos;
    size_t left = buflen - at;
    size_t len = 0;
    int type = 0;
    int result;

    if (left == 0) {
        result = RECORD_EOF;
    } else if (left < RECORD_HEADER_SIZE) {
        result = RECORD_TRUNCATED;
    } else if ((result = record_header_decode(buf + at, &type, &len)) !=
               RECORD_OK) {
        /* result says why */
    } else if (len > left - RECORD_HEADER_SIZE) {
        result = RECORD_TRUNCATED;
    } else {
        rec->type = type;
        rec->offset = at;
        rec->len = len;
        rec->payload = buf + at + RECORD_HEADER_SIZE;
        *pos = at + RECORD_HEADER_SIZE + len;
    }
    return result;
}

/* record_put - write header and payload */
int record_put(struct vstream *s, int type, const void *data, size_t len)
{
    unsigned char hdr[RECORD_HEADER_SIZE];

    record_header_encode(hdr, type, len);
    if (vstream_write(s, hdr, sizeof(hdr)) < 0)
        return -1;
    if (len > 0 && vstream_write(s, data, len) < 0)
        return -1;
    return 0;
}

/* record_put_str - write a record whose payload is a C string */
int record_put_str(struct vstream *s, int type, const char *str)
{
    return record_put(s, type, str, strlen(str));
}

/* read_exact - read len bytes or say why not (EOF inside = truncation) */
static int read_exact(struct vstream *s, void *buf, size_t len)
{
    size_t got = vstream_read(s, buf, len);

    if (got == len)
        return RECORD_OK;
    return vstream_error(s) == VSTREAM_EOF || vstream_error(s) == 0
               ? RECORD_TRUNCATED
               : RECORD_IO;
}

/* record_get - read one record from a stream, bounded by the maximum */
int record_get(struct vstream *s, struct record *rec, struct vstring *payload)
{
    unsigned char hdr[RECORD_HEADER_SIZE];
    unsigned char skip[512];
    off_t offset = vstream_tell(s);
    size_t got, len = 0, left, chunk;
    int type = 0, result;

    got = vstream_read(s, hdr, 1);
    if (got == 0) {
        result = vstream_error(s) == VSTREAM_EOF || vstream_error(s) == 0
                     ? RECORD_EOF
                     : RECORD_IO;
        goto out;
    }
    if ((result = read_exact(s, hdr + 1, RECORD_HEADER_SIZE - 1)) != RECORD_OK)
        goto out;
    if ((result = record_header_decode(hdr, &type, &len)) != RECORD_OK)
        goto out;
    if (payload) {
        vstring_reset(payload);
        if (vstring_reserve(payload, len) < 0)
            msg_panic("record_get: bounded length %zu did not fit", len);
        if (len > 0 &&
            (result = read_exact(s, payload->data, len)) != RECORD_OK)
            goto out;
        payload->len = len;
        payload->data[len] = 0;
    } else {
        left = len;
        while (left > 0 && result == RECORD_OK) {
            chunk = left < sizeof(skip) ? left : sizeof(skip);
            result = read_exact(s, skip, chunk);
            left -= chunk;
        }
        if (result != RECORD_OK)
            goto out;
    }
    rec->type = type;
    rec->offset = offset;
    rec->len = len;
out:
    return result;
}
