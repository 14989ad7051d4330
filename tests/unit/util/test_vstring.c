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


/* A failed operation leaves block, sizes and bytes exactly as they were. */
static void test_failure_leaves_string_unchanged(void)
{
    struct vstring *v = vstring_alloc(16);
    char *data;
    size_t cap;

    vstring_append(v, "a\0bc", 4);
    data = v->data;
    cap = v->cap;
    CU_ASSERT_EQUAL(vstring_append(v, "x", SIZE_MAX - 4), -1);
    CU_ASSERT_EQUAL(vstring_set(v, "x", SIZE_MAX), -1);
    CU_ASSERT_EQUAL(vstring_reserve(v, SIZE_MAX - 4), -1);
    CU_ASSERT_PTR_EQUAL(v->data, data);
    CU_ASSERT_EQUAL(v->cap, cap);
    CU_ASSERT_EQUAL(v->len, 4);
    CU_ASSERT_EQUAL(memcmp(v->data, "a\0bc\0", 5), 0);
    /* the largest request that still fits is accepted by the guard */
    CU_ASSERT_EQUAL(vstring_reserve(v, 0), 0);
    vstring_free(v);
}

/*
 * The guards at the very top of size_t. A real string cannot get there, so
 * the struct is made by hand with a length just below SIZE_MAX; the guards
 * must refuse before touching the (small) block.
 */
static void test_guards_at_size_max(void)
{
    static const size_t lens[] = {SIZE_MAX - 1, SIZE_MAX - 2, SIZE_MAX - 3};
    char block[4] = "abc";
    size_t i;

    for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        struct vstring v = {block, lens[i], SIZE_MAX};
        size_t room = SIZE_MAX - 1 - lens[i]; /* bytes that still fit */

        CU_ASSERT_EQUAL(vstring_append(&v, "xyz", room + 1), -1);
        CU_ASSERT_EQUAL(vstring_reserve(&v, room + 1), -1);
        if (room == 0)
            CU_ASSERT_EQUAL(vstring_append_char(&v, 'x'), -1);
        CU_ASSERT_EQUAL(v.len, lens[i]);
        CU_ASSERT_EQUAL(v.cap, SIZE_MAX);
        CU_ASSERT_PTR_EQUAL(v.data, block);
        /* within the room and the capacity nothing grows */
        CU_ASSERT_EQUAL(vstring_reserve(&v, room), 0);
        CU_ASSERT_PTR_EQUAL(v.data, block);
    }
    CU_ASSERT_STRING_EQUAL(block, "abc");
}

/* Growth from the smallest block keeps every byte, through many doublings. */
static void test_growth_keeps_bytes(void)
{
    struct vstring *v = vstring_alloc(0);
    char chunk[37];
    size_t i, j, cap_changes = 0, last_cap = v->cap;

    for (i = 0; i < sizeof(chunk); i++)
        chunk[i] = (char)i;
    for (i = 0; i < 20000; i++) {
        CU_ASSERT_EQUAL_FATAL(vstring_append(v, chunk, i % sizeof(chunk)), 0);
        if (v->cap != last_cap) {
            cap_changes++;
            last_cap = v->cap;
        }
    }
    CU_ASSERT(cap_changes >= 15);
    for (i = 0, j = 0; i < 20000; i++) {
        size_t k, n = i % sizeof(chunk);

        for (k = 0; k < n; k++, j++)
            if (v->data[j] != (char)k)
                break;
        CU_ASSERT_EQUAL_FATAL(k, n);
    }
    CU_ASSERT_EQUAL(v->len, j);
    CU_ASSERT_EQUAL(v->data[v->len], 0);
    vstring_free(v);
}

static const struct testkit_case cases[] = {
    {"append grows through many doublings", test_append_grows_through_doublings},
    {"binary-safe content", test_binary_safe},
    {"overflow near SIZE_MAX refused, string unchanged", test_overflow_refused_unchanged},
    {"failure leaves the string unchanged", test_failure_leaves_string_unchanged},
    {"guards just below SIZE_MAX", test_guards_at_size_max},
    {"growth keeps every byte", test_growth_keeps_bytes},
    {"formatted text", test_sprintf},
    {"truncate, reset, set", test_truncate_reset_set},
    {0, 0}};

TESTKIT_SUITE("vstring", 0, 0, cases)
