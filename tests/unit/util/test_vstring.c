/*
 * test_vstring.c - vstring as a specification: content, length, NUL
 * termination and failure leaving the string unchanged.
 */
#include <stdint.h>
#include <string.h>

#include "testkit.h"
#include "vstring.h"

static void test_append_grows_through_doublings(void)
{
    struct vstring *v = vstring_alloc(1);
    size_t i;

    for (i = 0; i < 100000; i++)
        CU_ASSERT_EQUAL(vstring_append_char(v, (char)('a' + i % 26)), 0);
    CU_ASSERT_EQUAL(vstring_len(v), 100000);
    CU_ASSERT_EQUAL(vstring_str(v)[100000], 0);
    CU_ASSERT_EQUAL(vstring_str(v)[27], 'b');
    CU_ASSERT(v->cap > v->len);
    vstring_free(v);
}

static void test_binary_safe(void)
{
    struct vstring *v = vstring_alloc(4);

    CU_ASSERT_EQUAL(vstring_append(v, "a\0b", 3), 0);
    CU_ASSERT_EQUAL(vstring_len(v), 3);
    CU_ASSERT_EQUAL(memcmp(vstring_str(v), "a\0b\0", 4), 0);
    vstring_free(v);
}

static void test_overflow_refused_unchanged(void)
{
    struct vstring *v = vstring_alloc(16);

    vstring_append_str(v, "keep");
    CU_ASSERT_EQUAL(vstring_append(v, "x", SIZE_MAX), -1);
    CU_ASSERT_EQUAL(vstring_append(v, "x", SIZE_MAX - 4), -1);
    CU_ASSERT_EQUAL(vstring_reserve(v, SIZE_MAX - 2), -1);
    CU_ASSERT_STRING_EQUAL(vstring_str(v), "keep");
    CU_ASSERT_EQUAL(vstring_len(v), 4);
    vstring_free(v);
}

static void test_sprintf(void)
{
    struct vstring *v = vstring_alloc(2);
    int i;

    CU_ASSERT_EQUAL(vstring_sprintf(v, "%s-%d", "id", 42), 0);
    CU_ASSERT_STRING_EQUAL(vstring_str(v), "id-42");
    for (i = 0; i < 50; i++)
        vstring_sprintf_append(v, "%08d", i);
    CU_ASSERT_EQUAL(vstring_len(v), 5 + 50 * 8);
    CU_ASSERT_EQUAL(strncmp(vstring_str(v) + 5, "00000000", 8), 0);
    vstring_free(v);
}

static void test_truncate_reset_set(void)
{
    struct vstring *v = vstring_alloc(0);

    vstring_set_str(v, "hello world");
    vstring_truncate(v, 5);
    CU_ASSERT_STRING_EQUAL(vstring_str(v), "hello");
    vstring_truncate(v, 50);
    CU_ASSERT_EQUAL(vstring_len(v), 5);
    vstring_reset(v);
    CU_ASSERT_EQUAL(vstring_len(v), 0);
    CU_ASSERT_STRING_EQUAL(vstring_str(v), "");
    vstring_set(v, "abc", 2);
    CU_ASSERT_STRING_EQUAL(vstring_str(v), "ab");
    vstring_free(v);
}

static const struct testkit_case cases[] = {
    {"append grows through many doublings", test_append_grows_through_doublings},
    {"binary-safe content", test_binary_safe},
    {"overflow near SIZE_MAX refused, string unchanged", test_overflow_refused_unchanged},
    {"formatted text", test_sprintf},
    {"truncate, reset, set", test_truncate_reset_set},
    {0, 0}};

TESTKIT_SUITE("vstring", 0, 0, cases)
