/*
 * test_record.c - the record format as a specification: encoding, the
 * bounded memory parser, the stream reader's refusals, and the grammar.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record.h"
#include "testkit.h"
#include "vstream.h"
#include "vstring.h"

static void test_header_round_trip(void)
{
    static const struct {
        int type;
        size_t len;
        unsigned char bytes[5];
    } table[] = {
        {'V', 0, {'V', 0, 0, 0, 0}},
        {'C', 1, {'C', 0, 0, 0, 1}},
        {'R', 258, {'R', 0, 0, 1, 2}},
        {'C', RECORD_MAX_PAYLOAD, {'C', 0, 1, 0, 0}},
    };
    unsigned char hdr[RECORD_HEADER_SIZE];
    size_t i, len;
    int type;

    for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        record_header_encode(hdr, table[i].type, table[i].len);
        CU_ASSERT_EQUAL(memcmp(hdr, table[i].bytes, 5), 0);
        CU_ASSERT_EQUAL(record_header_decode(hdr, &type, &len), RECORD_OK);
        CU_ASSERT_EQUAL(type, table[i].type);
        CU_ASSERT_EQUAL(len, table[i].len);
    }
}

static void test_parse_table(void)
{
    static const struct {
        const char *name;
        const char *buf;
        size_t len;
        int result;
        size_t end;
    } table[] = {
        {"empty", "", 0, RECORD_EOF, 0},
        {"header cut", "V\0\0", 3, RECORD_TRUNCATED, 0},
        {"payload cut", "S\0\0\0\5ab", 7, RECORD_TRUNCATED, 0},
        {"bad type", "Q\0\0\0\0", 5, RECORD_BAD_TYPE, 0},
        {"lower case type", "v\0\0\0\0", 5, RECORD_BAD_TYPE, 0},
        {"NUL type", "\0\0\0\0\0", 5, RECORD_BAD_TYPE, 0},
        {"length over max", "C\0\1\0\1", 5, RECORD_TOO_LONG, 0},
        {"huge length", "C\377\377\377\377", 5, RECORD_TOO_LONG, 0},
        {"empty payload", "E\0\0\0\0", 5, RECORD_OK, 5},
        {"payload", "S\0\0\0\3a@bXX", 10, RECORD_OK, 8},
    };
    struct record_view rec;
    size_t i, pos;
    int r;

    for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        pos = 0;
        r = record_parse((const unsigned char *)table[i].buf, table[i].len,
                         &pos, &rec);
        CU_ASSERT_EQUAL(r, table[i].result);
        CU_ASSERT_EQUAL(pos, table[i].end);
        if (r != table[i].result)
            fprintf(stderr, "case %s: got %s\n", table[i].name,
                    record_result_str(r));
    }
    pos = 0;
    record_parse((const unsigned char *)"S\0\0\0\3a@b", 8, &pos, &rec);
    CU_ASSERT_EQUAL(rec.type, 'S');
    CU_ASSERT_EQUAL(rec.len, 3);
    CU_ASSERT_EQUAL(memcmp(rec.payload, "a@b", 3), 0);
}

/* tmpfile_with - a file holding the given bytes, open for reading */
static struct vstream *stream_with(const void *bytes, size_t len)
{
    char path[] = "/tmp/sluice-rec-XXXXXX";
    int fd = mkstemp(path);

    CU_ASSERT_FATAL(fd >= 0);
    unlink(path);
    CU_ASSERT_FATAL(write(fd, bytes, len) == (ssize_t)len);
    lseek(fd, 0, SEEK_SET);
    return vstream_fdopen(fd, VSTREAM_RW);
}

static void test_stream_round_trip(void)
{
    struct vstream *s = stream_with("", 0);
    struct vstring *p = vstring_alloc(16);
    char big[RECORD_MAX_PAYLOAD];
    struct record rec;

    memset(big, 'x', sizeof(big));
    CU_ASSERT_EQUAL(record_put_str(s, REC_VERSION, RECORD_VERSION), 0);
    CU_ASSERT_EQUAL(record_put(s, REC_SENDER, "", 0), 0);
    CU_ASSERT_EQUAL(record_put(s, REC_CONTENT, big, sizeof(big)), 0);
    CU_ASSERT_EQUAL(record_put(s, REC_RCPT, "a\0\0", 3), 0);
    CU_ASSERT_EQUAL(vstream_seek(s, 0), 0);

    CU_ASSERT_EQUAL(record_get(s, &rec, p), RECORD_OK);
    CU_ASSERT_EQUAL(rec.type, 'V');
    CU_ASSERT_EQUAL(rec.offset, 0);
    CU_ASSERT_STRING_EQUAL(vstring_str(p), RECORD_VERSION);
    CU_ASSERT_EQUAL(record_get(s, &rec, p), RECORD_OK);
    CU_ASSERT_EQUAL(rec.type, 'S');
    CU_ASSERT_EQUAL(vstring_len(p), 0);
    CU_ASSERT_EQUAL(record_get(s, &rec, 0), RECORD_OK); /* skipped payload */
    CU_ASSERT_EQUAL(rec.len, sizeof(big));
    CU_ASSERT_EQUAL(record_get(s, &rec, p), RECORD_OK);
    CU_ASSERT_EQUAL(rec.type, 'R');
    CU_ASSERT_EQUAL(rec.offset, 5 + 14 + 5 + 5 + RECORD_MAX_PAYLOAD);
    CU_ASSERT_EQUAL(vstring_len(p), 3);
    CU_ASSERT_EQUAL(record_get(s, &rec, p), RECORD_EOF);
    vstream_close(s);
    vstring_free(p);
}

static void test_stream_refusals(void)
{
    static const struct {
        const char *bytes;
        size_t len;
        int result;
    } table[] = {
        {"E\0\0\0\0", 5, RECORD_OK},
        {"E\0\0", 3, RECORD_TRUNCATED},
        {"C\0\0\0\11abc", 8, RECORD_TRUNCATED},
        {"C\0\1\0\1abc", 8, RECORD_TOO_LONG},
        {"c\0\0\0\1a", 6, RECORD_BAD_TYPE},
        {"", 0, RECORD_EOF},
    };
    struct vstring *p = vstring_alloc(16);
    struct vstream *s;
    struct record rec;
    size_t i;

    for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        s = stream_with(table[i].bytes, table[i].len);
        CU_ASSERT_EQUAL(record_get(s, &rec, p), table[i].result);
        vstream_close(s);
        s = stream_with(table[i].bytes, table[i].len);
        CU_ASSERT_EQUAL(record_get(s, &rec, 0), table[i].result);
        vstream_close(s);
    }
    vstring_free(p);
}

static void test_grammar_table(void)
{
    static const struct {
        const char *types;
        int profile;
        int ok;
    } table[] = {
        {"VTSRMCXE", RECORD_PROFILE_QUEUE, 1},
        {"VSATRRDAMCCCXE", RECORD_PROFILE_QUEUE, 1},
        {"VTSDMXE", RECORD_PROFILE_QUEUE, 1},
        {"VTSMXE", RECORD_PROFILE_QUEUE, 0},   /* no recipient */
        {"VTSMXE", RECORD_PROFILE_SUBMIT, 1},  /* sendmail -t */
        {"VTSDMXE", RECORD_PROFILE_SUBMIT, 0}, /* done in a submission */
        {"VTSRMCX", RECORD_PROFILE_QUEUE, 0},  /* no end record */
        {"VTSRMC", RECORD_PROFILE_QUEUE, 0},
        {"", RECORD_PROFILE_QUEUE, 0},
        {"TVSRMXE", RECORD_PROFILE_QUEUE, 0},   /* version not first */
        {"VVTSRMXE", RECORD_PROFILE_QUEUE, 0},  /* two versions */
        {"VTTSRMXE", RECORD_PROFILE_QUEUE, 0},  /* two times */
        {"VTSSRMXE", RECORD_PROFILE_QUEUE, 0},  /* two senders */
        {"VSRMXE", RECORD_PROFILE_QUEUE, 0},    /* no time */
        {"VSRMXE", RECORD_PROFILE_SUBMIT, 1},   /* cleanup stamps it */
        {"VTTSMXE", RECORD_PROFILE_SUBMIT, 0},  /* but at most one */
        {"VTRMXE", RECORD_PROFILE_SUBMIT, 0},   /* no sender */
        {"VTRMXE", RECORD_PROFILE_QUEUE, 0},    /* no sender */
        {"VTSRMCRXE", RECORD_PROFILE_QUEUE, 0}, /* rcpt inside content */
        {"VTSRMXCE", RECORD_PROFILE_QUEUE, 0},  /* content after X */
        {"VTSRMXEE", RECORD_PROFILE_QUEUE, 0},  /* after the end */
        {"VTSRCXE", RECORD_PROFILE_QUEUE, 0},   /* content without M */
        {"VTSRXE", RECORD_PROFILE_QUEUE, 0},
        {"VTSRE", RECORD_PROFILE_QUEUE, 0},
        {"VTSRMCXPE", RECORD_PROFILE_QUEUE, 1},  /* padding */
        {"VTSRMCXPPE", RECORD_PROFILE_QUEUE, 0}, /* at most one */
        {"VTSRMCPXE", RECORD_PROFILE_QUEUE, 0},  /* only after X */
        {"VTSRMCXEP", RECORD_PROFILE_QUEUE, 0},  /* nor after E */
        {"VTSRMCXP", RECORD_PROFILE_QUEUE, 0},   /* E still needed */
        {"VTSMCXPE", RECORD_PROFILE_SUBMIT, 0},  /* not in a submission */
    };
    struct record_grammar g;
    const char *why, *t;
    size_t i;

    for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        record_grammar_init(&g, table[i].profile);
        why = 0;
        for (t = table[i].types; *t && why == 0; t++)
            why = record_grammar_step(&g, *t);
        if (why == 0)
            why = record_grammar_done(&g);
        CU_ASSERT_EQUAL(why == 0, table[i].ok);
        if ((why == 0) != table[i].ok)
            fprintf(stderr, "grammar case %s: %s\n", table[i].types,
                    why ? why : "accepted");
    }
    /* a refused grammar stays refused */
    record_grammar_init(&g, RECORD_PROFILE_QUEUE);
    CU_ASSERT_PTR_NOT_NULL(record_grammar_step(&g, 'T'));
    CU_ASSERT_PTR_NOT_NULL(record_grammar_step(&g, 'V'));
    CU_ASSERT_PTR_NOT_NULL(record_grammar_done(&g));
}

static void test_rcpt_payload(void)
{
    static const struct {
        const char *payload;
        size_t len;
        int ok;
    } table[] = {
        {"a@b\0\0", 5, 1}, {"a@b\0SUCCESS,DELAY\0rfc822;a@b", 28, 1},
        {"\0\0", 2, 1},    {"a@b\0", 4, 0},
        {"a@b", 3, 0},     {"a@b\0\0\0", 6, 0},
        {"", 0, 0},
    };
    struct vstring *v = vstring_alloc(16);
    struct record_rcpt r;
    size_t i;

    for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        CU_ASSERT_EQUAL(
            record_rcpt_decode(table[i].payload, table[i].len, &r) == 0,
            table[i].ok);
    CU_ASSERT_EQUAL(
        record_rcpt_encode(v, "u@example.org", "NEVER", "rfc822;u@example.org"),
        0);
    CU_ASSERT_EQUAL(record_rcpt_decode(vstring_str(v), vstring_len(v), &r), 0);
    CU_ASSERT_EQUAL(r.address_len, 13);
    CU_ASSERT_EQUAL(strncmp(r.address, "u@example.org", 13), 0);
    CU_ASSERT_EQUAL(r.notify_len, 5);
    CU_ASSERT_EQUAL(strncmp(r.notify, "NEVER", 5), 0);
    CU_ASSERT_EQUAL(r.orcpt_len, 20);
    vstring_free(v);
}

static void test_attr_split(void)
{
    CU_ASSERT_EQUAL(record_attr_split("helo=mx", 7), 4);
    CU_ASSERT_EQUAL(record_attr_split("a==", 3), 1);
    CU_ASSERT_EQUAL(record_attr_split("=x", 2), -1);
    CU_ASSERT_EQUAL(record_attr_split("novalue", 7), -1);
    CU_ASSERT_EQUAL(record_attr_split("", 0), -1);
}

static void put_bad_type(void *arg)
{
    unsigned char hdr[RECORD_HEADER_SIZE];

    (void)arg;
    record_header_encode(hdr, 'Q', 0);
}

static void put_too_long(void *arg)
{
    unsigned char hdr[RECORD_HEADER_SIZE];

    (void)arg;
    record_header_encode(hdr, 'C', RECORD_MAX_PAYLOAD + 1);
}

static void test_writer_contract(void)
{
    CU_ASSERT_EQUAL(testkit_expect_exit(put_bad_type, 0), 2);
    CU_ASSERT_EQUAL(testkit_expect_exit(put_too_long, 0), 2);
    CU_ASSERT_STRING_EQUAL(record_type_name('R'), "recipient");
    CU_ASSERT_STRING_EQUAL(record_type_name('q'), "unknown");
    CU_ASSERT_STRING_EQUAL(record_type_name('P'), "padding");
    CU_ASSERT_EQUAL(record_type_valid('P'), 1);
}

static void test_parse_random_buffers(void)
{
    static const unsigned char types[] = "VTASRDMCXEQ";
    unsigned char buf[64];
    struct record_view rec;
    unsigned seed = 7;
    size_t i, j, n, pos, before;
    int r, records = 0;

    for (i = 0; i < 20000; i++) {
        n = (seed = seed * 1103515245u + 12345u) >> 16 & 63;
        for (j = 0; j < n; j++) {
            seed = seed * 1103515245u + 12345u;
            /* mostly small lengths and known types, so records do parse */
            buf[j] = (unsigned char)(j % 5 == 0  ? types[(seed >> 16) % 11]
                                     : j % 5 < 4 ? 0
                                                 : (seed >> 16) % 12);
        }
        pos = 0;
        do {
            before = pos;
            r = record_parse(buf, n, &pos, &rec);
            if (r == RECORD_OK) {
                records++;
                CU_ASSERT(rec.payload + rec.len <= buf + n);
                CU_ASSERT_EQUAL(pos, before + RECORD_HEADER_SIZE + rec.len);
            } else {
                CU_ASSERT_EQUAL(pos, before);
            }
        } while (r == RECORD_OK);
        CU_ASSERT(pos <= n);
    }
    CU_ASSERT(records > 0);
}

static const struct testkit_case cases[] = {
    {"header encodes and decodes", test_header_round_trip},
    {"memory parser refuses bad input", test_parse_table},
    {"memory parser stays in bounds on random input",
     test_parse_random_buffers},
    {"stream round trip with offsets", test_stream_round_trip},
    {"stream reader refuses bad input", test_stream_refusals},
    {"grammar accepts and refuses", test_grammar_table},
    {"recipient payload fields", test_rcpt_payload},
    {"attribute split", test_attr_split},
    {"writer contract panics", test_writer_contract},
    {NULL, NULL}};
TESTKIT_SUITE("record", NULL, NULL, cases);
