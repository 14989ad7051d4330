/*
 * bytes.c - byte-range scans (bytes.h).
 */
#include <stdint.h>
#include <string.h>

#include "bytes.h"

/* bytes_8bit - OR every byte, a word at a time, then test the high bits */
int bytes_8bit(const char *p, size_t len)
{
    uint64_t acc = 0, w;
    size_t i;

    for (i = 0; i + sizeof(w) <= len; i += sizeof(w)) {
        memcpy(&w, p + i, sizeof(w));
        acc |= w;
    }
    for (; i < len; i++)
        acc |= (unsigned char)p[i];
    return (acc & 0x8080808080808080ULL) != 0;
}
