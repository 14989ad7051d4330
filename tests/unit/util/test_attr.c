/*
 * test_attr.c - the IPC attribute codec as a specification: binary-safe
 * round trips, one canonical encoding, every limit and malformation turned
 * into -1 with a reason, EOF distinguished from a truncated record.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "attr.h"
#include "testkit.h"
#include "vstream.h"
#include "vstring.h"

/* stream_from - a read stream over a pipe preloaded with bytes */
static struct vstream *stream_from(const char *text, size_t len)
{
    int fds[2];

    if (pipe(fds) < 0 || write(fds[1], text, len) != (ssize_t)len)
        abort();
    close(fds[1]);
    return vstream_fdopen(fds[0], VSTREAM_READ);
}

/* temp_stream - a read-write stream over an unlinked temporary file */
static struct vstream *temp_stream(void)
{
    char *dir = testkit_tempdir(), path[512];
    int fd;

    snprintf(path, sizeof(path), "%s/rec", dir);
    fd = open(path, O_RDWR | O_CREAT, 0600);
    testkit_rmtree(dir);
    free(dir);
    if (fd < 0)
        abort();
    return vstream_fdopen(fd, VSTREAM_RW);
}

/* test_round_trip_all_bytes - every byte value survives, order kept */
static void test_round_trip_all_bytes(void)
{
    struct attr_list *out = attr_list_alloc(), *in = attr_list_alloc();
    struct vstring *why = vstring_alloc(32);
    struct vstream *s = temp_stream();
    char all[256], *big = malloc(50000);
    size_t i, len;

    for (i = 0; i < 256; i++)
        all[i] = (char)i;
    for (i = 0; i < 50000; i++)
        big[i] = (char)(rand() & 0xff);
    attr_list_add_bytes(out, "all", all, sizeof(all));
    attr_list_add(out, "empty", "");
    attr_list_add(out, "rcpt", "a@example.org");
    attr_list_add(out, "rcpt", "b%c@example.org");
    attr_list_add_bytes(out, "big", big, 50000);
    attr_list_add_long(out, "size", -1234567);
    CU_ASSERT_EQUAL(attr_write(s, out), 0);
    CU_ASSERT_EQUAL(attr_write(s, out), 0);
    CU_ASSERT_EQUAL(vstream_seek(s, 0), 0);
    CU_ASSERT_EQUAL(attr_read(s, in, NULL, why), 1);
    CU_ASSERT_EQUAL_FATAL(attr_list_count(in), attr_list_count(out));
    for (i = 0; i < attr_list_count(out); i++) {
        const char *v = attr_list_value_at(out, i, &len);
        size_t in_len;
        const char *w = attr_list_value_at(in, i, &in_len);

        CU_ASSERT_STRING_EQUAL(attr_list_name_at(in, i),
                               attr_list_name_at(out, i));
        CU_ASSERT_EQUAL(in_len, len);
        CU_ASSERT_EQUAL(memcmp(v, w, len), 0);
        CU_ASSERT_EQUAL(w[len], 0);
    }
    CU_ASSERT_EQUAL(attr_read(s, in, NULL, why), 1); /* the second copy */
    CU_ASSERT_EQUAL(attr_read(s, in, NULL, why), 0); /* clean EOF */
    CU_ASSERT_EQUAL(attr_list_count(in), 0);
    vstream_close(s);
    attr_list_free(out);
    attr_list_free(in);
    vstring_free(why);
    free(big);
}

/* test_wire_form - the encoding is the documented one */
static void test_wire_form(void)
{
    static const char want[] = "v=%25 %0D%0A%00%7F\xff~\nn=7\n\n";
    struct attr_list *out = attr_list_alloc();
    struct vstream *s = temp_stream();
    char got[64] = {0};

    attr_list_add_bytes(out, "v", "% \r\n\0\x7f\xff~", 8);
    attr_list_add_long(out, "n", 7);
    CU_ASSERT_EQUAL(attr_write(s, out), 0);
    CU_ASSERT_EQUAL(vstream_seek(s, 0), 0);
    CU_ASSERT_EQUAL(vstream_read(s, got, sizeof(got)), sizeof(want) - 1);
    CU_ASSERT_EQUAL(memcmp(got, want, sizeof(want) - 1), 0);
    vstream_close(s);
    attr_list_free(out);
}

static const struct bad_case {
    const char *input;
    struct attr_limits limits;
    int result;
    const char *why; /* a substring of the reason */
} bad_cases[] = {
    {"a=1\nb=2\nc=3\n\n", {2, 64, 100, 1000}, -1, "more than 2 attributes"},
    {"a=1\nb=2\n\n", {2, 64, 100, 1000}, 1, ""},
    {"names=x\n\n", {9, 4, 100, 1000}, -1, "name longer than 4"},
    {"name=x\n\n", {9, 4, 100, 1000}, 1, ""},
    {"a=abcd\n\n", {9, 9, 3, 1000}, -1, "value longer than 3"},
    {"a=%0A%0A%0A\n\n", {9, 9, 3, 1000}, 1, ""},
    {"a=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n\n",
     {9, 9, 5, 1000},
     -1,
     "line longer than"},
    {"a=12345\nb=1234\n\n", {9, 9, 100, 15}, -1, "record longer than 15"},
    {"a=12345\nb=123\n\n", {9, 9, 100, 15}, 1, ""},
    {"a=12345\nb=1234\n", {9, 9, 100, 15}, -1, "record longer than 15"},
    {"novalue\n\n", {9, 9, 9, 99}, -1, "no '='"},
    {"Bad=x\n\n", {9, 9, 9, 99}, -1, "malformed attribute name"},
    {"=x\n\n", {9, 9, 9, 99}, -1, "malformed attribute name"},
    {"a-b=x\n\n", {9, 9, 9, 99}, -1, "malformed attribute name"},
    {"a=%0a\n\n", {9, 9, 9, 99}, -1, "malformed %XX"},
    {"a=%4\n\n", {9, 9, 9, 99}, -1, "malformed %XX"},
    {"a=%\n\n", {9, 9, 9, 99}, -1, "malformed %XX"},
    {"a=%41\n\n", {9, 9, 9, 99}, -1, "escape of a plain byte"},
    {"a=x\r\n\n", {9, 9, 9, 99}, -1, "control byte 0x0D"},
    {"a=\tb\n\n", {9, 9, 9, 99}, -1, "control byte 0x09 (attribute a)"},
    {"a==\n\n", {9, 9, 9, 99}, 1, ""},
    {"a=1\n", {9, 9, 9, 99}, -1, "unexpected EOF inside a record"},
    {"a=1\nb=", {9, 9, 9, 99}, -1, "unexpected EOF inside a line"},
    {"\r\n", {9, 9, 9, 99}, -1, "no '='"},
    {"", {9, 9, 9, 99}, 0, ""},
    {"a=1\n\n", {9, SIZE_MAX, SIZE_MAX, SIZE_MAX}, 1, ""}, /* no wrap */
    {"a=1\n\n", {9, 9, SIZE_MAX / 2, SIZE_MAX}, 1, ""},
};

/* test_limits_and_malformed - every row's result and reason */
static void test_limits_and_malformed(void)
{
    struct attr_list *list = attr_list_alloc();
    struct vstring *why = vstring_alloc(32);
    size_t i;

    for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
        const struct bad_case *c = &bad_cases[i];
        struct vstream *s = stream_from(c->input, strlen(c->input));
        int r;

        vstring_reset(why);
        r = attr_read(s, list, &c->limits, why);
        CU_ASSERT_EQUAL(r, c->result);
        CU_ASSERT_PTR_NOT_NULL(strstr(vstring_str(why), c->why));
        if (r != c->result || !strstr(vstring_str(why), c->why))
            fprintf(stderr, "row %zu: %d \"%s\"\n", i, r, vstring_str(why));
        CU_ASSERT_EQUAL(vstring_len(why) > 0, r < 0);
        vstream_close(s);
    }
    attr_list_free(list);
    vstring_free(why);
}

/* test_timeout - a peer that stops inside a record costs one deadline */
static void test_timeout(void)
{
    struct attr_list *list = attr_list_alloc();
    struct vstring *why = vstring_alloc(32);
    struct vstream *s;
    int sv[2];

    CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    CU_ASSERT_EQUAL(write(sv[1], "a=1\n", 4), 4);
    s = vstream_fdopen(sv[0], VSTREAM_RW);
    vstream_set_timeout(s, 1);
    CU_ASSERT_EQUAL(attr_read(s, list, NULL, why), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(vstring_str(why), "timeout"));
    vstream_close(s);
    close(sv[1]);
    attr_list_free(list);
    vstring_free(why);
}

/* test_io_errors - write to a closed peer, read from a bad descriptor */
static void test_io_errors(void)
{
    void (*old)(int) = signal(SIGPIPE, SIG_IGN);
    struct attr_list *list = attr_list_alloc();
    struct vstring *why = vstring_alloc(32);
    struct vstream *s;
    int p[2];

    CU_ASSERT_FATAL(pipe(p) == 0);
    close(p[0]);
    s = vstream_fdopen(p[1], VSTREAM_WRITE);
    attr_list_add(list, "a", "b");
    CU_ASSERT_EQUAL(attr_write(s, list), -1);
    CU_ASSERT_EQUAL(attr_write(s, list), -1); /* sticky */
    vstream_close(s);
    s = vstream_fdopen(open("/dev/null", O_WRONLY), VSTREAM_READ);
    CU_ASSERT_EQUAL(attr_read(s, list, NULL, why), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(vstring_str(why), "read error"));
    vstream_close(s);
    attr_list_free(list);
    vstring_free(why);
    signal(SIGPIPE, old);
}

static const struct long_case {
    const char *value;
    int result;
    long want;
} long_cases[] = {
    {"12", 0, 12}, {"-5", 0, -5},
    {"0", 0, 0},   {"12x", -1, 0},
    {"x", -1, 0},  {" 1", -1, 0},
    {"+1", -1, 0}, {"-", -1, 0},
    {"", -1, 0},   {"99999999999999999999", -1, 0},
};

/* test_get_long - strict decimal parsing */
static void test_get_long(void)
{
    struct attr_list *list = attr_list_alloc();
    size_t i;
    long n;

    for (i = 0; i < sizeof(long_cases) / sizeof(long_cases[0]); i++) {
        attr_list_reset(list);
        attr_list_add(list, "n", long_cases[i].value);
        n = 4242;
        CU_ASSERT_EQUAL(attr_list_get_long(list, "n", &n),
                        long_cases[i].result);
        CU_ASSERT_EQUAL(n,
                        long_cases[i].result == 0 ? long_cases[i].want : 4242);
    }
    attr_list_reset(list);
    attr_list_add_bytes(list, "n",
                        "12\0"
                        "3",
                        4);
    CU_ASSERT_EQUAL(attr_list_get_long(list, "n", &n), -1);
    CU_ASSERT_EQUAL(attr_list_get_long(list, "missing", &n), -1);
    attr_list_free(list);
}

/* test_repeated_names - find walks every "rcpt" in order */
static void test_repeated_names(void)
{
    static const char *const rcpts[] = {"a@x", "b@x", "c@x"};
    struct attr_list *list = attr_list_alloc();
    ssize_t at = -1;
    size_t i, seen = 0;

    attr_list_add(list, "sender", "s@x");
    for (i = 0; i < 3; i++) {
        attr_list_add(list, "rcpt", rcpts[i]);
        attr_list_add_long(list, "flags", (long)i);
    }
    while ((at = attr_list_find(list, "rcpt", (size_t)(at + 1))) >= 0)
        CU_ASSERT_STRING_EQUAL(attr_list_value_at(list, (size_t)at, NULL),
                               rcpts[seen++]);
    CU_ASSERT_EQUAL(seen, 3);
    CU_ASSERT_STRING_EQUAL(attr_list_get(list, "flags"), "0");
    CU_ASSERT_PTR_NULL(attr_list_get(list, "nothing"));
    CU_ASSERT_EQUAL(attr_list_count(list), 7);
    attr_list_free(list);
    attr_list_free(NULL);
}

static void call_bad_name(void *arg)
{
    attr_list_add(arg, "Bad Name", "x");
}

static void call_bad_index(void *arg)
{
    attr_list_name_at(arg, 1);
}

/* test_contracts - invalid names and indexes panic */
static void test_contracts(void)
{
    struct attr_list *list = attr_list_alloc();

    attr_list_add(list, "ok", "x");
    CU_ASSERT_EQUAL(testkit_expect_exit(call_bad_name, list), 2);
    CU_ASSERT_EQUAL(testkit_expect_exit(call_bad_index, list), 2);
    CU_ASSERT_EQUAL(attr_list_count(list), 1);
    attr_list_free(list);
}

static const struct testkit_case cases[] = {
    {"round trip of every byte value", test_round_trip_all_bytes},
    {"wire form as documented", test_wire_form},
    {"limits and malformed records: table", test_limits_and_malformed},
    {"timeout inside a record", test_timeout},
    {"write and read errors", test_io_errors},
    {"get_long is strict", test_get_long},
    {"repeated names in order", test_repeated_names},
    {"contract violations panic", test_contracts},
    {NULL, NULL}};

TESTKIT_SUITE("attr", NULL, NULL, cases);
