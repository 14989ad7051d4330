/*
 * test_bytes.c - bytes_8bit finds one high byte wherever it sits (in the
 * word-at-a-time part or the tail) and nothing in plain ASCII.
 */
#include <string.h>

#include "bytes.h"
#include "testkit.h"

/* test_8bit_every_position - lengths 0..40, the high byte at each place */
static void test_8bit_every_position(void)
{
    char buf[41];
    size_t len, at;

    for (len = 0; len <= 40; len++) {
        memset(buf, 'x', sizeof(buf));
        buf[len] = (char)0xc3; /* just past the range: must not count */
        CU_ASSERT_EQUAL(bytes_8bit(buf, len), 0);
        for (at = 0; at < len; at++) {
            buf[at] = (char)0x80;
            CU_ASSERT_EQUAL(bytes_8bit(buf, len), 1);
            buf[at] = 0x7f;
            CU_ASSERT_EQUAL(bytes_8bit(buf, len), 0);
        }
    }
}

static const struct testkit_case cases[] = {
    {"8bit: every position, nothing past the range", test_8bit_every_position},
    {NULL, NULL}};

TESTKIT_SUITE("bytes", NULL, NULL, cases);
