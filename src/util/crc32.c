/*
 * crc32.c - CRC-32 (IEEE 802.3) (crc32.h), eight bytes per step.
 *
 * table[0] holds the remainder of every byte value; table[k][n] is the
 * remainder of n followed by k zero bytes. Eight bytes then take eight
 * independent lookups instead of eight dependent ones (slicing by eight):
 * a queue file's seal is computed by cleanup over the whole file and
 * checked by qmgr, and a byte at a time this was a tenth of both
 * programs' instructions. The bytes are assembled little-endian by hand,
 * so the result does not depend on the host's byte order or alignment.
 */
#include "crc32.h"

static uint32_t table[8][256];
static int table_ready;

/* make_table - the remainders, once per process */
static void make_table(void)
{
    uint32_t c;
    unsigned n, k;

    for (n = 0; n < 256; n++) {
        c = n;
        for (k = 0; k < 8; k++)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[0][n] = c;
    }
    for (n = 0; n < 256; n++)
        for (k = 1; k < 8; k++)
            table[k][n] = (table[k - 1][n] >> 8) ^
                          table[0][table[k - 1][n] & 0xFF];
    table_ready = 1;
}

/* load32 - four bytes as a little-endian word */
static uint32_t load32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

/* crc32_update - continue a CRC over len more bytes */
uint32_t crc32_update(uint32_t crc, const void *buf, size_t len)
{
    const unsigned char *p = buf;
    uint32_t c = crc ^ 0xFFFFFFFFu, lo, hi;

    if (!table_ready)
        make_table();
    for (; len >= 8; len -= 8, p += 8) {
        lo = c ^ load32(p);
        hi = load32(p + 4);
        c = table[7][lo & 0xFF] ^ table[6][(lo >> 8) & 0xFF] ^
            table[5][(lo >> 16) & 0xFF] ^ table[4][lo >> 24] ^
            table[3][hi & 0xFF] ^ table[2][(hi >> 8) & 0xFF] ^
            table[1][(hi >> 16) & 0xFF] ^ table[0][hi >> 24];
    }
    while (len-- > 0)
        c = table[0][(c ^ *p++) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}
