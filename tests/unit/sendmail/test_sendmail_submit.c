/*
 * test_sendmail_submit.c - the records sendmail writes for the gate:
 * envelope from the command line, content from stdin with the "." rule.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "record.h"
#include "sendmail_args.h"
#include "sendmail_submit.h"
#include "testkit.h"
#include "vstream.h"
#include "vstring.h"

/* stream_of - a temporary file holding text, positioned at its start */
static struct vstream *stream_of(const char *dir, const char *name,
                                 const char *text, size_t len)
{
    struct vstring *path = vstring_alloc(100);
    struct vstream *s;
    int fd;

    vstring_sprintf(path, "%s/%s", dir, name);
    fd = open(vstring_str(path), O_RDWR | O_CREAT | O_TRUNC, 0600);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL((size_t)write(fd, text, len), len);
    lseek(fd, 0, SEEK_SET);
    s = vstream_fdopen(fd, VSTREAM_RW);
    vstring_free(path);
    return s;
}

/* records - "T:payload|" for each record of s (NUL shown as '0') */
static void records(struct vstream *s, struct vstring *out)
{
    struct vstring *p = vstring_alloc(100);
    struct record rec;
    size_t i;

    vstring_reset(out);
    CU_ASSERT_EQUAL(vstream_seek(s, 0), 0);
    while (record_get(s, &rec, p) == RECORD_OK) {
        vstring_sprintf_append(out, "%c:", rec.type);
        for (i = 0; i < vstring_len(p); i++)
            vstring_append_char(out, vstring_str(p)[i] ? vstring_str(p)[i]
                                                        : '0');
        vstring_append_char(out, '|');
    }
    vstring_free(p);
}

struct content_case {
    int ignore_dots;
    const char *in;
    const char *out;
};

static const struct content_case content_cases[] = {
    {0, "a\r\nb\n.\nnot read\n", "M:|C:a\nb\n|X:|E:|"},
    {1, "a\n.\nb", "M:|C:a\n.\nb|X:|E:|"},
    {0, "..\n. \n", "M:|C:..\n. \n|X:|E:|"},
    {0, "", "M:|X:|E:|"},
    {0, ".\n", "M:|X:|E:|"},
    {0, 0, 0},
};

/* test_content - the "." rule, CRLF, last line without LF */
static void test_content(void)
{
    char *dir = testkit_tempdir();
    struct vstring *why = vstring_alloc(10), *got = vstring_alloc(100);
    const struct content_case *c;
    struct vstream *in, *out;

    for (c = content_cases; c->in; c++) {
        in = stream_of(dir, "in", c->in, strlen(c->in));
        out = stream_of(dir, "out", "", 0);
        CU_ASSERT_EQUAL(sendmail_content(in, out, c->ignore_dots, why), 0);
        records(out, got);
        CU_ASSERT_STRING_EQUAL(vstring_str(got), c->out);
        vstream_close(in);
        vstream_close(out);
    }
    vstring_free(why);
    vstring_free(got);
    testkit_rmtree(dir);
    free(dir);
}

/* test_long_line - a line longer than a chunk, then a "." that is data */
static void test_long_line(void)
{
    char *dir = testkit_tempdir();
    size_t n = SENDMAIL_CHUNK, total = 0; /* the "." is a piece of its own */
    char *text = malloc(n + 10);
    struct vstring *why = vstring_alloc(10), *p = vstring_alloc(100);
    struct vstream *in, *out;
    struct record rec;

    memset(text, 'x', n);
    memcpy(text + n, ".\n.\nzz\n", 7);
    in = stream_of(dir, "in", text, n + 7);
    out = stream_of(dir, "out", "", 0);
    CU_ASSERT_EQUAL(sendmail_content(in, out, 0, why), 0);
    CU_ASSERT_EQUAL(vstream_seek(out, 0), 0);
    while (record_get(out, &rec, p) == RECORD_OK)
        if (rec.type == REC_CONTENT)
            total += rec.len;
    CU_ASSERT_EQUAL(total, n + 2); /* "xxx...x.\n", the lone "." ended it */
    vstream_close(in);
    vstream_close(out);
    free(text);
    vstring_free(why);
    vstring_free(p);
    testkit_rmtree(dir);
    free(dir);
}

/* test_envelope - attributes, sender, recipients split as address lists */
static void test_envelope(void)
{
    char *argv[] = {"sendmail", "-t",  "-F", "Al", "-N", "failure,delay",
                    "-V",       "e1",  "a@b, Carol <c@d>", "bare", 0};
    char *bad[] = {"sendmail", "not an <address", 0};
    struct sendmail_args args;
    char *dir = testkit_tempdir();
    struct vstring *why = vstring_alloc(10), *got = vstring_alloc(100);
    struct vstream *out;

    CU_ASSERT_EQUAL_FATAL(sendmail_args_parse(&args, 10, argv, why), 0);
    out = stream_of(dir, "out", "", 0);
    CU_ASSERT_EQUAL(sendmail_envelope(out, &args, "me@here", why), 0);
    vstream_flush(out);
    records(out, got);
    CU_ASSERT_STRING_EQUAL(vstring_str(got),
                           "V:" RECORD_VERSION "|A:cleanup_flags=1|A:fullname=Al|"
                           "A:envid=e1|S:me@here|R:a@b0FAILURE,DELAY0|"
                           "R:c@d0FAILURE,DELAY0|R:bare0FAILURE,DELAY0|");
    vstream_close(out);
    sendmail_args_free(&args);
    CU_ASSERT_EQUAL_FATAL(sendmail_args_parse(&args, 2, bad, why), 0);
    out = stream_of(dir, "out", "", 0);
    CU_ASSERT_EQUAL(sendmail_envelope(out, &args, "me@here", why), EX_NOUSER);
    vstream_close(out);
    sendmail_args_free(&args);
    vstring_free(why);
    vstring_free(got);
    testkit_rmtree(dir);
    free(dir);
}

static const struct testkit_case cases[] = {
    {"content: dots, CRLF, end of input", test_content},
    {"content: a line longer than a chunk", test_long_line},
    {"envelope records from the command line", test_envelope},
    {0, 0},
};

TESTKIT_SUITE("sendmail_submit", 0, 0, cases);
