/*
 * test_dict.c - text tables: logical lines, the two syntaxes, bounds with
 * file:line reasons, folding, duplicates, and reload on change.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

#include "dict.h"
#include "testkit.h"
#include "vstring.h"

/* One table text and what must (or must not) be in it. */
struct load_case {
    const char *text;
    enum dict_syntax syntax;
    int flags;
    const char *key;   /* looked up after a good load */
    const char *value; /* expected value, NULL for "not found" */
    const char *error; /* expected reason (substring), NULL for success */
};

static const struct load_case load_cases[] = {
    {"alice bob@example.org\n", DICT_SYNTAX_SPACE, 0, "alice",
     "bob@example.org", 0},
    {"alice\t  bob carol  \n", DICT_SYNTAX_SPACE, 0, "alice", "bob carol", 0},
    {"alice: bob, carol\n", DICT_SYNTAX_COLON, 0, "alice", "bob, carol", 0},
    {"alice :bob\n", DICT_SYNTAX_COLON, 0, "alice", "bob", 0},
    {"a: x\r\nb: y\r\n", DICT_SYNTAX_COLON, 0, "b", "y", 0},
    {"# comment\n\n   \nk v", DICT_SYNTAX_SPACE, 0, "k", "v", 0},
    {"k v # not a comment\n", DICT_SYNTAX_SPACE, 0, "k", "v # not a comment",
     0},
    {"list: a,\n  b,\n# between\n\tc\nnext: d\n", DICT_SYNTAX_COLON, 0, "list",
     "a, b, c", 0},
    {"list: a,\n  b,\nnext: d\n", DICT_SYNTAX_COLON, 0, "next", "d", 0},
    {"  # indented comment\nk v\n", DICT_SYNTAX_SPACE, 0, "k", "v", 0},
    {"Alice@Example.ORG x\n", DICT_SYNTAX_SPACE, DICT_FLAG_FOLD_KEYS,
     "aLiCe@example.org", "x", 0},
    {"Alice x\n", DICT_SYNTAX_SPACE, 0, "alice", 0, 0},
    {"k first\nk second\n", DICT_SYNTAX_SPACE, 0, "k", "first", 0},
    {"", DICT_SYNTAX_SPACE, 0, "k", 0, 0},
    {"  orphan\nk v\n", DICT_SYNTAX_SPACE, 0, 0, 0,
     "t:1: continuation line without an entry"},
    {"k v\nnovalue\n", DICT_SYNTAX_SPACE, 0, 0, 0, "t:2: missing value"},
    {"k v\n\nalice bob\n", DICT_SYNTAX_COLON, 0, 0, 0,
     "t:1: missing ':' after the name"},
    {": v\n", DICT_SYNTAX_COLON, 0, 0, 0, "t:1: missing key"},
    {"a b: v\n", DICT_SYNTAX_COLON, 0, 0, 0, "t:1: blank inside the key"},
    {"k v\nx\0y v\n", DICT_SYNTAX_SPACE, 0, 0, 0, "t:2: NUL byte"},
    {0, 0, 0, 0, 0, 0},
};

/* test_load_table - every case of load_cases */
static void test_load_table(void)
{
    const struct load_case *c;
    struct vstring *why = vstring_alloc(64);

    for (c = load_cases; c->text; c++) {
        struct dict *d = dict_create(c->syntax, c->flags, 0);
        /* the NUL case: length up to the second line's end */
        size_t len = strlen(c->text);
        int rc;

        if (c->error && strstr(c->error, "NUL"))
            len = 10;
        rc = dict_load_buffer(d, "t", c->text, len, why);
        if (c->error) {
            CU_ASSERT_EQUAL(rc, -1);
            CU_ASSERT_PTR_NOT_NULL(strstr(vstring_str(why), c->error));
            if (strstr(vstring_str(why), c->error) == 0)
                fprintf(stderr, "case %s: got %s\n", c->text, vstring_str(why));
        } else {
            const char *v;

            CU_ASSERT_EQUAL(rc, 0);
            v = dict_lookup(d, c->key);
            if (c->value == 0) {
                CU_ASSERT_PTR_NULL(v);
            } else {
                CU_ASSERT(v && strcmp(v, c->value) == 0);
            }
        }
        dict_free(d);
    }
    vstring_free(why);
}

/* test_bounds - line, key, value and entry bounds give file:line reasons */
static void test_bounds(void)
{
    struct dict_limits lim = {20, 5, 8, 3, 1000};
    static const struct {
        const char *text;
        const char *error;
    } cases[] = {
        {"k v\nk2 0123456789012345678901\n", "t:2: line longer than 20"},
        {"k v\nk2 a\n  0123456789\n  0123456789\n",
         "t:4: logical line longer than 20"},
        {"longkey v\n", "t:1: key longer than 5"},
        {"k 123456789\n", "t:1: value longer than 8"},
        {"a 1\nb 2\nc 3\nd 4\n", "t:4: more than 3 entries"},
        {0, 0},
    };
    struct vstring *why = vstring_alloc(64);
    int i;

    for (i = 0; cases[i].text; i++) {
        struct dict *d = dict_create(DICT_SYNTAX_SPACE, 0, &lim);

        CU_ASSERT_EQUAL(
            dict_load_buffer(d, "t", cases[i].text, strlen(cases[i].text), why),
            -1);
        CU_ASSERT_PTR_NOT_NULL(strstr(vstring_str(why), cases[i].error));
        dict_free(d);
    }
    vstring_free(why);
}

/* test_failed_load_keeps_old - a broken reload leaves the old content */
static void test_failed_load_keeps_old(void)
{
    struct dict *d = dict_create(DICT_SYNTAX_SPACE, 0, 0);
    struct vstring *why = vstring_alloc(64);

    CU_ASSERT_EQUAL(dict_load_buffer(d, "t", "a 1\nb 2\n", 8, why), 0);
    CU_ASSERT_EQUAL(dict_count(d), 2);
    CU_ASSERT_EQUAL(dict_load_buffer(d, "t", "c 3\nbroken\n", 11, why), -1);
    CU_ASSERT_STRING_EQUAL(dict_lookup(d, "a"), "1");
    CU_ASSERT_PTR_NULL(dict_lookup(d, "c"));
    CU_ASSERT_EQUAL(dict_count(d), 2);
    vstring_free(why);
    dict_free(d);
}

/* test_many_entries - the hash table grows and finds every key */
static void test_many_entries(void)
{
    struct vstring *text = vstring_alloc(1000);
    struct vstring *why = vstring_alloc(64);
    struct dict *d = dict_create(DICT_SYNTAX_SPACE, 0, 0);
    char key[32], val[32];
    int i, found = 0;

    for (i = 0; i < 5000; i++)
        vstring_sprintf_append(text, "user%d value%d\n", i, i * 7);
    vstring_sprintf_append(text, "user17 duplicate\n");
    CU_ASSERT_EQUAL_FATAL(
        dict_load_buffer(d, "t", vstring_str(text), vstring_len(text), why), 0);
    CU_ASSERT_EQUAL(dict_count(d), 5000);
    CU_ASSERT_EQUAL(dict_duplicates(d), 1);
    for (i = 0; i < 5000; i++) {
        const char *v;

        snprintf(key, sizeof(key), "user%d", i);
        snprintf(val, sizeof(val), "value%d", i * 7);
        v = dict_lookup(d, key);
        found += v && strcmp(v, val) == 0;
    }
    CU_ASSERT_EQUAL(found, 5000);
    CU_ASSERT_PTR_NULL(dict_lookup(d, "user5000"));
    CU_ASSERT_PTR_NULL(dict_lookup(d, ""));
    vstring_free(text);
    vstring_free(why);
    dict_free(d);
}

/* write_file - replace a file's content */
static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");

    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    fputs(text, fp);
    fclose(fp);
}

/* test_file_and_refresh - open, no change, change, broken change */
static void test_file_and_refresh(void)
{
    char *dir = testkit_tempdir();
    char path[512];
    struct vstring *why = vstring_alloc(64);
    struct dict *d;
    struct timespec times[2] = {{0, UTIME_OMIT}, {1000, 0}};

    snprintf(path, sizeof(path), "%s/virtual", dir);
    CU_ASSERT_PTR_NULL(dict_open(path, DICT_SYNTAX_SPACE, 0, 0, why));
    CU_ASSERT_PTR_NOT_NULL(strstr(vstring_str(why), "No such file"));
    write_file(path, "a 1\n");
    d = dict_open(path, DICT_SYNTAX_SPACE, 0, 0, why);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_STRING_EQUAL(dict_lookup(d, "a"), "1");
    CU_ASSERT_EQUAL(dict_refresh(d, why), 0);
    /* same size, new mtime: must reload */
    write_file(path, "a 2\n");
    utimensat(-1, path, times, 0);
    CU_ASSERT_EQUAL(dict_refresh(d, why), 1);
    CU_ASSERT_STRING_EQUAL(dict_lookup(d, "a"), "2");
    /* a broken edit: the old content stays, the reason names the line */
    write_file(path, "a 3\nb\n");
    CU_ASSERT_EQUAL(dict_refresh(d, why), -1);
    CU_ASSERT_PTR_NOT_NULL(
        strstr(vstring_str(why), "virtual:2: missing value"));
    CU_ASSERT_STRING_EQUAL(dict_lookup(d, "a"), "2");
    unlink(path);
    CU_ASSERT_EQUAL(dict_refresh(d, why), -1);
    CU_ASSERT_STRING_EQUAL(dict_lookup(d, "a"), "2");
    dict_free(d);
    /* not a regular file, too large */
    CU_ASSERT_PTR_NULL(dict_open(dir, DICT_SYNTAX_SPACE, 0, 0, why));
    CU_ASSERT_PTR_NOT_NULL(strstr(vstring_str(why), "not a regular file"));
    {
        struct dict_limits lim = dict_default_limits;

        lim.file_max = 3;
        write_file(path, "a 1\n");
        CU_ASSERT_PTR_NULL(dict_open(path, DICT_SYNTAX_SPACE, 0, &lim, why));
        CU_ASSERT_PTR_NOT_NULL(strstr(vstring_str(why), "larger than 3"));
    }
    vstring_free(why);
    testkit_rmtree(dir);
    free(dir);
}

/* test_reader_line_numbers - start lines of logical lines */
static void test_reader_line_numbers(void)
{
    static const char text[] = "# c\na: 1\n  2\n\nb: 3\n\tx\n\ty\nc: 4";
    struct dict_reader r;
    struct vstring *line = vstring_alloc(16);
    struct vstring *why = vstring_alloc(16);
    size_t start = 0;

    dict_reader_init(&r, text, sizeof(text) - 1, 100);
    CU_ASSERT_EQUAL(dict_reader_next(&r, line, &start, why), 1);
    CU_ASSERT_STRING_EQUAL(vstring_str(line), "a: 1 2");
    CU_ASSERT_EQUAL(start, 2);
    CU_ASSERT_EQUAL(dict_reader_next(&r, line, &start, why), 1);
    CU_ASSERT_STRING_EQUAL(vstring_str(line), "b: 3 x y");
    CU_ASSERT_EQUAL(start, 5);
    CU_ASSERT_EQUAL(dict_reader_next(&r, line, &start, why), 1);
    CU_ASSERT_STRING_EQUAL(vstring_str(line), "c: 4");
    CU_ASSERT_EQUAL(start, 8);
    CU_ASSERT_EQUAL(dict_reader_next(&r, line, &start, why), 0);
    vstring_free(line);
    vstring_free(why);
}

static const struct testkit_case cases[] = {
    {"table texts: syntaxes, comments, continuation, errors", test_load_table},
    {"bounds give file:line reasons", test_bounds},
    {"a failed load keeps the old content", test_failed_load_keeps_old},
    {"5000 entries, one duplicate", test_many_entries},
    {"file open and reload on change", test_file_and_refresh},
    {"logical lines and their start line numbers", test_reader_line_numbers},
    {0, 0},
};

TESTKIT_SUITE("dict", 0, 0, cases);
