/*
 * test_argv.c - argv as a specification: always NULL-terminated, grows
 * without limit up to its bound, and splits as argv.h documents.
 */
#include <stdio.h>
#include <string.h>

#include "argv.h"
#include "testkit.h"
#include "vstring.h"

/* test_add_grow_truncate - entries are copies, argv[argc] is NULL */
static void test_add_grow_truncate(void)
{
    struct argv *a = argv_alloc(0);
    char buf[16];
    size_t i;

    CU_ASSERT_EQUAL(a->argc, 0);
    CU_ASSERT_PTR_NULL(a->argv[0]);
    for (i = 0; i < 1000; i++) {
        snprintf(buf, sizeof(buf), "arg%zu", i);
        argv_add(a, buf);
        CU_ASSERT_PTR_NULL(a->argv[a->argc]);
    }
    buf[0] = 'X'; /* the array kept its own copy */
    CU_ASSERT_EQUAL(a->argc, 1000);
    CU_ASSERT_STRING_EQUAL(a->argv[999], "arg999");
    argv_addn(a, "abcdef", 3);
    CU_ASSERT_STRING_EQUAL(a->argv[1000], "abc");
    argv_truncate(a, 2);
    CU_ASSERT_EQUAL(a->argc, 2);
    CU_ASSERT_PTR_NULL(a->argv[2]);
    argv_truncate(a, 10);
    CU_ASSERT_EQUAL(a->argc, 2);
    argv_free(a);
    argv_free(NULL);
}

#define MAXF 6

static const struct split_case {
    const char *input;
    const char *seps;
    int quoted;
    int result;               /* argv_split_quoted result */
    const char *fields[MAXF]; /* NULL-terminated */
} split_cases[] = {
    {"a b  c", " ", 0, 0, {"a", "b", "c"}},
    {"  lead and trail  ", " ", 0, 0, {"lead", "and", "trail"}},
    {"", " ", 0, 0, {0}},
    {" \t ", " \t", 0, 0, {0}},
    {"x,y;;z", ",;", 0, 0, {"x", "y", "z"}},
    {"a \"b c\"", " ", 0, 0, {"a", "\"b", "c\""}}, /* no quoting */
    {"a \"b c\" d", " ", 1, 0, {"a", "b c", "d"}},
    {"a\"b c\"d", " ", 1, 0, {"ab cd"}},
    {"\"\" x", " ", 1, 0, {"", "x"}},
    {"\"q\\\"t\\\\\\n\"", " ", 1, 0, {"q\"t\\\\n"}},
    {"back\\slash", " ", 1, 0, {"back\\slash"}},
    {"ok \"open", " ", 1, -1, {0}},
    {"\"ends in \\\"", " ", 1, -1, {0}},
};

/* test_split_table - every row splits into exactly its fields */
static void test_split_table(void)
{
    struct vstring *why = vstring_alloc(16);
    size_t i, j;

    for (i = 0; i < sizeof(split_cases) / sizeof(split_cases[0]); i++) {
        const struct split_case *c = &split_cases[i];
        struct argv *a;

        if (c->quoted) {
            a = argv_alloc(1);
            argv_add(a, "kept");
            vstring_reset(why);
            CU_ASSERT_EQUAL(argv_split_quoted(a, c->input, c->seps, why),
                            c->result);
            CU_ASSERT_STRING_EQUAL(a->argv[0], "kept");
            CU_ASSERT_EQUAL(vstring_len(why) > 0, c->result < 0);
            argv_truncate(a, 0);
            if (c->result == 0)
                argv_split_quoted(a, c->input, c->seps, why);
        } else {
            a = argv_split(c->input, c->seps);
        }
        for (j = 0; j < MAXF && c->fields[j]; j++) {
            CU_ASSERT_FATAL(j < a->argc);
            CU_ASSERT_STRING_EQUAL(a->argv[j], c->fields[j]);
        }
        CU_ASSERT_EQUAL(a->argc, j);
        CU_ASSERT_PTR_NULL(a->argv[a->argc]);
        argv_free(a);
    }
    vstring_free(why);
}

static void call_huge_alloc(void *arg)
{
    (void)arg;
    argv_alloc((size_t)ARGV_MAX + 1);
}

/* test_bound - asking beyond ARGV_MAX is a broken contract */
static void test_bound(void)
{
    CU_ASSERT_EQUAL(testkit_expect_exit(call_huge_alloc, 0), 2);
}

static const struct testkit_case cases[] = {
    {"add, grow, truncate keep the NULL terminator", test_add_grow_truncate},
    {"split and split_quoted: table", test_split_table},
    {"allocation beyond ARGV_MAX panics", test_bound},
    {NULL, NULL}};

TESTKIT_SUITE("argv", NULL, NULL, cases);
