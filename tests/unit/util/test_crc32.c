/*
 * test_crc32.c - the check value of CRC-32/IEEE, the empty input, that
 * feeding the bytes in pieces gives the CRC of the whole, and that the
 * eight-bytes-a-step code agrees with the definition, bit by bit, at every
 * length and alignment.
 */
#include <string.h>

#include "crc32.h"
#include "testkit.h"

/* test_check_value - the catalogue's check value and the empty string */
static void test_check_value(void)
{
    CU_ASSERT_EQUAL(crc32_update(CRC32_INIT, "123456789", 9), 0xCBF43926u);
    CU_ASSERT_EQUAL(crc32_update(CRC32_INIT, "", 0), 0u);
    CU_ASSERT_EQUAL(crc32_update(CRC32_INIT, "a", 1), 0xE8B7BE43u);
}

/* test_pieces - every split point of a text gives the same CRC */
static void test_pieces(void)
{
    const char *text = "The quick brown fox jumps over the lazy dog";
    size_t len = strlen(text), cut;
    uint32_t whole = crc32_update(CRC32_INIT, text, len);

    CU_ASSERT_EQUAL(whole, 0x414FA339u);
    for (cut = 0; cut <= len; cut++)
        CU_ASSERT_EQUAL(crc32_update(crc32_update(CRC32_INIT, text, cut),
                                     text + cut, len - cut),
                        whole);
}

/* test_one_bit - flipping any bit of the input changes the CRC */
static void test_one_bit(void)
{
    unsigned char buf[64];
    uint32_t base;
    size_t i;
    int bit;

    memset(buf, 0x5a, sizeof(buf));
    base = crc32_update(CRC32_INIT, buf, sizeof(buf));
    for (i = 0; i < sizeof(buf); i++)
        for (bit = 0; bit < 8; bit++) {
            buf[i] ^= (unsigned char)(1u << bit);
            CU_ASSERT_NOT_EQUAL(crc32_update(CRC32_INIT, buf, sizeof(buf)),
                                base);
            buf[i] ^= (unsigned char)(1u << bit);
        }
}

/* reference - the CRC by its definition, one bit at a time */
static uint32_t reference(const unsigned char *p, size_t len)
{
    uint32_t c = 0xFFFFFFFFu;
    int k;

    while (len-- > 0) {
        c ^= *p++;
        for (k = 0; k < 8; k++)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    }
    return c ^ 0xFFFFFFFFu;
}

/* test_reference - every length 0..300 at every alignment 0..7, pseudo-
 * random bytes, agrees with the bitwise definition */
static void test_reference(void)
{
    unsigned char buf[320];
    unsigned seed = 12345;
    size_t i, len, off;

    for (i = 0; i < sizeof(buf); i++) {
        seed = seed * 1103515245u + 12345u;
        buf[i] = (unsigned char)(seed >> 16);
    }
    for (off = 0; off < 8; off++)
        for (len = 0; len + off <= 308; len++)
            CU_ASSERT_EQUAL(crc32_update(CRC32_INIT, buf + off, len),
                            reference(buf + off, len));
}

static const struct testkit_case cases[] = {
    {"crc32: check value and empty input", test_check_value},
    {"crc32: pieces give the CRC of the whole", test_pieces},
    {"crc32: any single bit flip is seen", test_one_bit},
    {"crc32: agrees with the bitwise definition", test_reference},
    {NULL, NULL}};

TESTKIT_SUITE("crc32", NULL, NULL, cases);
