/*
 * test_gate_copy.c - what the setgid gate accepts: well-formed submissions
 * are copied (with the gate's own T and uid), every malformed or
 * forbidden input is refused with EX_DATAERR and nothing is committed.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "gate_copy.h"
#include "queue.h"
#include "queue_file.h"
#include "record.h"
#include "testkit.h"
#include "vstream.h"
#include "vstring.h"

struct rec_spec {
    int type;
    const char *payload;
    size_t len; /* 0: strlen(payload) */
};

#define END_SPEC {0, 0, 0}
#define HEAD {'V', RECORD_VERSION, 0}
#define TAIL {'M', "", 0}, {'C', "S: 1\n\nb\n", 0}, {'X', "", 0}, {'E', "", 0}

struct gate_case {
    const char *what;
    int expect;
    struct rec_spec recs[10];
};

static const struct gate_case gate_cases[] = {
    {"plain submission", 0,
     {HEAD, {'S', "a@b", 0}, {'R', "x@y\0\0", 5}, TAIL, END_SPEC}},
    {"-t without recipients, client T dropped", 0,
     {HEAD, {'T', "1.5", 0}, {'A', "cleanup_flags=1", 0}, {'S', "", 0}, TAIL,
      END_SPEC}},
    {"no version", EX_DATAERR, {{'S', "a", 0}, TAIL, END_SPEC}},
    {"forged uid", EX_DATAERR,
     {HEAD, {'A', "uid=0", 0}, {'S', "a", 0}, TAIL, END_SPEC}},
    {"other cleanup flags", EX_DATAERR,
     {HEAD, {'A', "cleanup_flags=2", 0}, {'S', "a", 0}, TAIL, END_SPEC}},
    {"bad attribute name", EX_DATAERR,
     {HEAD, {'A', "Bad=1", 0}, {'S', "a", 0}, TAIL, END_SPEC}},
    {"newline in sender", EX_DATAERR,
     {HEAD, {'S', "a\nTo: x", 0}, TAIL, END_SPEC}},
    {"recipient with two fields", EX_DATAERR,
     {HEAD, {'S', "a", 0}, {'R', "x\0", 2}, TAIL, END_SPEC}},
    {"done record", EX_DATAERR,
     {HEAD, {'S', "a", 0}, {'D', "x\0\0", 3}, TAIL, END_SPEC}},
    {"too many recipients", EX_DATAERR,
     {HEAD, {'S', "a", 0}, {'R', "x\0\0", 3}, {'R', "y\0\0", 3},
      {'R', "z\0\0", 3}, TAIL, END_SPEC}},
    {"too big", EX_DATAERR,
     {HEAD, {'S', "a", 0}, {'M', "", 0},
      {'C', "0123456789012345678901234567890123456789", 0}, {'X', "", 0},
      {'E', "", 0}, END_SPEC}},
    {"cut short", EX_DATAERR, {HEAD, {'S', "a", 0}, {'M', "", 0}, END_SPEC}},
    {"data after E", EX_DATAERR,
     {HEAD, {'S', "a", 0}, TAIL, {'E', "", 0}, END_SPEC}},
    {0, 0, {END_SPEC}},
};

/* input_file - the records of c in a file, opened for reading */
static struct vstream *input_file(const char *dir, const struct gate_case *c)
{
    struct vstring *path = vstring_alloc(100);
    struct vstream *s;
    const struct rec_spec *r;
    int fd;

    vstring_sprintf(path, "%s/input", dir);
    fd = open(vstring_str(path), O_RDWR | O_CREAT | O_TRUNC, 0600);
    CU_ASSERT_FATAL(fd >= 0);
    s = vstream_fdopen(fd, VSTREAM_RW);
    for (r = c->recs; r->type; r++)
        record_put(s, r->type, r->payload, r->len ? r->len : strlen(r->payload));
    CU_ASSERT_EQUAL(vstream_seek(s, 0), 0);
    vstring_free(path);
    return s;
}

/* test_cases - gate_cases through gate_copy into a maildrop file */
static void test_cases(void)
{
    struct gate_limits lim = {2, 30};
    struct vstring *why = vstring_alloc(100);
    const struct gate_case *c;
    struct queue_message *m;
    struct queue_file *qf;
    struct vstream *in;
    char *root = testkit_tempdir(), *id;
    int rc;

    CU_ASSERT_EQUAL_FATAL(queue_dirs_create(root, -1, -1, why), 0);
    for (c = gate_cases; c->what; c++) {
        in = input_file(root, c);
        qf = queue_file_create(root, QUEUE_MAILDROP, 0644, why);
        CU_ASSERT_PTR_NOT_NULL_FATAL(qf);
        rc = gate_copy(in, qf, 4242, &lim, why);
        CU_ASSERT_EQUAL(rc, c->expect);
        if (rc != c->expect)
            fprintf(stderr, "%s: %d %s\n", c->what, rc, vstring_str(why));
        if (rc != 0) {
            queue_file_abort(qf);
        } else {
            id = strdup(queue_file_id(qf));
            CU_ASSERT_EQUAL(queue_file_commit(qf, why), 0);
            CU_ASSERT_EQUAL_FATAL(queue_file_read(root, QUEUE_MAILDROP, id, 0,
                                                  &m, why),
                                  QUEUE_FILE_OK);
            CU_ASSERT_STRING_EQUAL(m->attrs[0].name, "uid");
            CU_ASSERT_STRING_EQUAL(m->attrs[0].value, "4242");
            CU_ASSERT(m->arrival_sec > 1000000000L); /* not the client's */
            queue_message_free(m);
            free(id);
        }
        vstream_close(in);
    }
    vstring_free(why);
    testkit_rmtree(root);
    free(root);
}

static const struct testkit_case cases[] = {
    {"accepted and refused submissions", test_cases},
    {0, 0},
};

TESTKIT_SUITE("gate_copy", 0, 0, cases);
