/*
 * crc32.c - CRC-32 (IEEE 802.3), one table lookup per byte (crc32.h).
 */
#include "crc32.h"

static uint32_t table[256];
static int table_ready;

/* make_table - the remainders of every byte value, once per process */
static void make_table(void)
{
    uint32_t c;
    unsigned n, k;

    for (n = 0; n < 256; n++) {
        c = n;
        for (k = 0; k < 8; k++)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[n] = c;
    }
    table_ready = 1;
}

/* crc32_update - continue a CRC over len more bytes */
uint32_t crc32_update(uint32_t crc, const void *buf, size_t len)
{
    const unsigned char *p = buf;
    uint32_t c = crc ^ 0xFFFFFFFFu;

    if (!table_ready)
        make_table();
    while (len-- > 0)
        c = table[(c ^ *p++) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}
