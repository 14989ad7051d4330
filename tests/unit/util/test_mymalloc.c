/*
 * test_mymalloc.c - the allocator never returns NULL: zero-length requests
 * give distinct usable pointers, copies are exact and terminated, and an
 * impossible request ends in msg_fatal (status 1).
 */
#include <stdint.h>
#include <string.h>

#include "mymalloc.h"
#include "testkit.h"

/* test_zero_length - distinct non-NULL pointers, freeable */
static void test_zero_length(void)
{
    void *a = mymalloc(0), *b = mymalloc(0);
    void *c = myrealloc(0, 0);

    CU_ASSERT_PTR_NOT_NULL(a);
    CU_ASSERT_PTR_NOT_NULL(b);
    CU_ASSERT_PTR_NOT_EQUAL(a, b);
    CU_ASSERT_PTR_NOT_NULL(c);
    myfree(a);
    myfree(b);
    myfree(c);
    myfree(NULL);
}

/* test_realloc_keeps - growing and shrinking keep the prefix */
static void test_realloc_keeps(void)
{
    char *p = myrealloc(NULL, 4);

    memcpy(p, "abcd", 4);
    p = myrealloc(p, 100000);
    CU_ASSERT_EQUAL(memcmp(p, "abcd", 4), 0);
    p = myrealloc(p, 2);
    CU_ASSERT_EQUAL(memcmp(p, "ab", 2), 0);
    p = myrealloc(p, 0);
    CU_ASSERT_PTR_NOT_NULL(p);
    myfree(p);
}

static const struct ndup_case {
    const char *src;
    size_t len;
    const char *want;
} ndup_cases[] = {
    {"hello", 3, "hel"}, {"hello", 5, "hello"}, {"hello", 50, "hello"},
    {"hello", 0, ""},    {"", 10, ""},
};

/* test_copies - strdup, strndup, memdup are exact and terminated */
static void test_copies(void)
{
    static const char bin[] = {'a', 0, 'b', (char)0xff};
    char *s = mystrdup("queue id 4F2A");
    void *m;
    size_t i;

    CU_ASSERT_STRING_EQUAL(s, "queue id 4F2A");
    myfree(s);
    for (i = 0; i < sizeof(ndup_cases) / sizeof(ndup_cases[0]); i++) {
        s = mystrndup(ndup_cases[i].src, ndup_cases[i].len);
        CU_ASSERT_STRING_EQUAL(s, ndup_cases[i].want);
        myfree(s);
    }
    m = mymemdup(bin, sizeof(bin));
    CU_ASSERT_EQUAL(memcmp(m, bin, sizeof(bin)), 0);
    myfree(m);
    m = mymemdup(NULL, 0);
    CU_ASSERT_PTR_NOT_NULL(m);
    myfree(m);
}

#ifndef __SANITIZE_ADDRESS__
static void call_huge_malloc(void *arg)
{
    (void)arg;
    mymalloc(SIZE_MAX - 4096);
}

static void call_huge_realloc(void *arg)
{
    (void)arg;
    myrealloc(NULL, SIZE_MAX - 4096);
}
#endif

/* test_out_of_memory - fatal, never NULL (skipped under ASan, which
 * reports huge requests itself) */
static void test_out_of_memory(void)
{
#ifndef __SANITIZE_ADDRESS__
    CU_ASSERT_EQUAL(testkit_expect_exit(call_huge_malloc, 0), 1);
    CU_ASSERT_EQUAL(testkit_expect_exit(call_huge_realloc, 0), 1);
#endif
}

static const struct testkit_case cases[] = {
    {"zero-length requests", test_zero_length},
    {"realloc keeps the contents", test_realloc_keeps},
    {"strdup, strndup, memdup", test_copies},
    {"out of memory is fatal", test_out_of_memory},
    {NULL, NULL}};

TESTKIT_SUITE("mymalloc", NULL, NULL, cases);
