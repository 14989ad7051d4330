/*
 * test_queue_seal.c - the commit seal and commits in place: the seal's
 * format, a committed recycled file that carries a seal naming its id
 * with the CRC of what precedes it, and the recovery of a commit whose
 * rename a crash undid -- such a file is never taken or dropped, and
 * queue_spare_recover moves it to incoming/; a retired file, a torn one
 * and an emptied one are garbage.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crc32.h"
#include "queue.h"
#include "queue_file.h"
#include "queue_fixture.h"
#include "queue_seal.h"
#include "queue_spare.h"
#include "record.h"
#include "testkit.h"
#include "vstring.h"

#define SPARE_NAME "0000000700007000007000A" /* the undone rename's source */

/* committed_as - queue_seal_committed on <queue>/<file>, named name */
static int committed_as(const char *queue, const char *file, const char *name,
                        char *id)
{
    struct stat st;
    int fd = open(queue_fixture_path(queue, file), O_RDONLY), r;

    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_FATAL(fstat(fd, &st) == 0);
    r = queue_seal_committed(fd, st.st_size, name, id);
    close(fd);
    return r;
}

/* undo_rename - what a crash after the commit's fsync leaves: the file
 * back in spare/ under a name that is not its id */
static void undo_rename(const char *id)
{
    CU_ASSERT_EQUAL_FATAL(rename(queue_fixture_path(QUEUE_INCOMING, id),
                                 queue_fixture_path(QUEUE_SPARE, SPARE_NAME)),
                          0);
}

/* flip_byte - change one byte of a file at offset */
static void flip_byte(const char *queue, const char *name, off_t offset)
{
    unsigned char c;
    int fd = open(queue_fixture_path(queue, name), O_RDWR);

    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL(pread(fd, &c, 1, offset), 1);
    c ^= 0x20;
    CU_ASSERT_EQUAL(pwrite(fd, &c, 1, offset), 1);
    close(fd);
}

static void test_payload_and_parse(void)
{
    const char *id = "0000000100001000001000A";
    unsigned char rec[QUEUE_SEAL_SIZE];
    char got[QUEUE_ID_LEN + 1];
    uint32_t crc = 0;

    record_header_encode(rec, REC_END, QUEUE_SEAL_PAYLOAD);
    queue_seal_payload((char *)rec + RECORD_HEADER_SIZE, id, 0xCBF43926u);
    CU_ASSERT(memcmp(rec + RECORD_HEADER_SIZE + QUEUE_ID_LEN, " cbf43926", 9) ==
              0);
    CU_ASSERT_EQUAL(queue_seal_parse(rec, got, &crc), 1);
    CU_ASSERT_STRING_EQUAL(got, id);
    CU_ASSERT_EQUAL(crc, 0xCBF43926u);
    /* not a seal: another type, a lower-case id, a non-hex digit */
    rec[0] = REC_CONTENT_END;
    CU_ASSERT_EQUAL(queue_seal_parse(rec, got, &crc), 0);
    rec[0] = REC_END;
    rec[RECORD_HEADER_SIZE + QUEUE_ID_LEN - 1] = 'a';
    CU_ASSERT_EQUAL(queue_seal_parse(rec, got, &crc), 0);
    rec[RECORD_HEADER_SIZE + QUEUE_ID_LEN - 1] = 'A';
    rec[QUEUE_SEAL_SIZE - 1] = 'g';
    CU_ASSERT_EQUAL(queue_seal_parse(rec, got, &crc), 0);
    rec[QUEUE_SEAL_SIZE - 1] = '6';
    CU_ASSERT_EQUAL(queue_seal_parse(rec, got, &crc), 1);
    /* a length other than the seal's */
    record_header_encode(rec, REC_END, QUEUE_SEAL_PAYLOAD - 1);
    CU_ASSERT_EQUAL(queue_seal_parse(rec, got, &crc), 0);
}

/* padding_at - offset of the 'P' record that ends exactly at end, or 0 */
static size_t padding_at(const unsigned char *buf, size_t end)
{
    size_t pos = 0;
    struct record_view rec;

    while (record_parse(buf, end, &pos, &rec) == RECORD_OK)
        if (rec.type == REC_PADDING && pos == end)
            return rec.offset;
    return 0;
}

/* A committed file ends with its seal: its id, the CRC of what precedes */
static void test_file_carries_its_seal(void)
{
    unsigned char *buf = malloc(8192);
    char got[QUEUE_ID_LEN + 1];
    const char *id;
    uint32_t crc = 0;
    ssize_t n;
    size_t pad;
    int fd, recycled;

    CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
    queue_fixture_empty(QUEUE_SPARE);
    id = queue_fixture_commit(100, &recycled);
    CU_ASSERT_EQUAL(recycled, 0);
    fd = open(queue_fixture_path(QUEUE_INCOMING, id), O_RDONLY);
    CU_ASSERT_FATAL(fd >= 0);
    n = read(fd, buf, 8192);
    close(fd);
    CU_ASSERT_FATAL(n > QUEUE_SEAL_SIZE && n < 8192);
    CU_ASSERT_EQUAL(queue_seal_parse(buf + n - QUEUE_SEAL_SIZE, got, &crc), 1);
    CU_ASSERT_STRING_EQUAL(got, id);
    /* the padding runs up to the seal; its payload is not counted */
    pad = padding_at(buf, (size_t)n - QUEUE_SEAL_SIZE);
    CU_ASSERT_FATAL(pad > 0);
    CU_ASSERT_EQUAL(crc,
                    crc32_update(CRC32_INIT, buf, pad + RECORD_HEADER_SIZE));
    /* under its own name it is not "committed in place", under another
     * it is, unless a byte under the CRC changed (one of the padding
     * is not) */
    CU_ASSERT_EQUAL(committed_as(QUEUE_INCOMING, id, id, got), 0);
    CU_ASSERT_EQUAL(committed_as(QUEUE_INCOMING, id, SPARE_NAME, got), 1);
    CU_ASSERT_STRING_EQUAL(got, id);
    CU_ASSERT_FATAL(pad + RECORD_HEADER_SIZE < (size_t)n - QUEUE_SEAL_SIZE);
    flip_byte(QUEUE_INCOMING, id, (off_t)pad + RECORD_HEADER_SIZE);
    CU_ASSERT_EQUAL(committed_as(QUEUE_INCOMING, id, SPARE_NAME, got), 1);
    flip_byte(QUEUE_INCOMING, id, 30);
    CU_ASSERT_EQUAL(committed_as(QUEUE_INCOMING, id, SPARE_NAME, got), 0);
    unlink(queue_fixture_path(QUEUE_INCOMING, id));
    free(buf);
}

/* qmgr marks recipients done in the file it took out of spare/; a crash
 * that undoes the move but keeps a mark must leave a message, not garbage:
 * the seal counts a 'D' type byte as 'R', in files read in several chunks
 * too, while any other change still breaks it */
static void test_marked_file_still_sealed(void)
{
    static const size_t sizes[] = {100, 200000};
    struct queue_message *m;
    char id[QUEUE_ID_LEN + 1], got[QUEUE_ID_LEN + 1];
    size_t i;
    int recycled;

    for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        queue_fixture_empty(QUEUE_SPARE);
        queue_fixture_empty(QUEUE_INCOMING);
        snprintf(id, sizeof(id), "%s",
                 queue_fixture_commit(sizes[i], &recycled));
        m = 0;
        CU_ASSERT_EQUAL_FATAL(queue_file_read(root, QUEUE_INCOMING, id,
                                              QUEUE_FILE_RDWR, &m, why),
                              QUEUE_FILE_OK);
        CU_ASSERT_EQUAL(queue_message_mark_done(m, 0, why), 0);
        queue_message_free(m);
        CU_ASSERT_EQUAL(committed_as(QUEUE_INCOMING, id, SPARE_NAME, got), 1);
        CU_ASSERT_STRING_EQUAL(got, id);
        undo_rename(id);
        CU_ASSERT_EQUAL(queue_spare_recover(root), 1);
        m = 0;
        CU_ASSERT_EQUAL(queue_file_read(root, QUEUE_INCOMING, id,
                                        QUEUE_FILE_RDONLY, &m, why),
                        QUEUE_FILE_OK);
        if (m) {
            CU_ASSERT_EQUAL(m->rcpt_count, 1);
            CU_ASSERT_EQUAL(m->rcpts[0].done, 1);
            queue_message_free(m);
        }
        /* a byte of the last content chunk, far past the first read */
        flip_byte(QUEUE_INCOMING, id, (off_t)sizes[i]);
        CU_ASSERT_EQUAL(committed_as(QUEUE_INCOMING, id, SPARE_NAME, got), 0);
        unlink(queue_fixture_path(QUEUE_INCOMING, id));
    }
}

/* A commit whose rename was undone: never taken, never dropped (even when
 * larger than the pool keeps), moved on by recovery, then readable */
static void test_undone_rename_recovered(void)
{
    char id[QUEUE_ID_LEN + 1];
    int recycled;

    queue_fixture_empty(QUEUE_SPARE);
    queue_fixture_empty(QUEUE_INCOMING);
    snprintf(id, sizeof(id), "%s",
             queue_fixture_commit(QUEUE_SPARE_MAX_SIZE + 1000, &recycled));
    undo_rename(id);
    (void)queue_fixture_commit(10, &recycled);
    CU_ASSERT_EQUAL(recycled, 0); /* the only spare was not taken */
    CU_ASSERT_EQUAL(queue_spare_fill(root, 0, 1000), 0);
    CU_ASSERT_EQUAL(access(queue_fixture_path(QUEUE_SPARE, SPARE_NAME), F_OK),
                    0);
    queue_fixture_empty(QUEUE_INCOMING);
    CU_ASSERT_EQUAL(queue_spare_recover(root), 1);
    CU_ASSERT_EQUAL(queue_fixture_count(QUEUE_SPARE), 0);
    queue_fixture_read_ok(QUEUE_INCOMING, id);
    CU_ASSERT_EQUAL(queue_spare_recover(root), 0);
    queue_fixture_empty(QUEUE_INCOMING);
}

/* A locked file is a live committer's: recovery leaves it alone */
static void test_recovery_skips_locked(void)
{
    const char *id;
    int fd, recycled;

    queue_fixture_empty(QUEUE_SPARE);
    id = queue_fixture_commit(10, &recycled);
    undo_rename(id);
    fd = open(queue_fixture_path(QUEUE_SPARE, SPARE_NAME), O_RDONLY);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL(flock(fd, LOCK_EX), 0);
    CU_ASSERT_EQUAL(queue_spare_recover(root), 0);
    close(fd);
    CU_ASSERT_EQUAL(queue_spare_recover(root), 1);
    queue_fixture_empty(QUEUE_INCOMING);
}

/* garbage_taken - the one file in spare/ is not recovered but taken */
static void garbage_taken(void)
{
    int recycled;

    CU_ASSERT_EQUAL(queue_spare_recover(root), 0);
    (void)queue_fixture_commit(10, &recycled);
    CU_ASSERT_EQUAL(recycled, 1);
    queue_fixture_empty(QUEUE_INCOMING);
}

/* Garbage is taken: a retired file (sealed under its own name), a torn
 * one (a byte under the CRC changed), one a taker gave up on */
static void test_garbage_is_taken(void)
{
    struct queue_file *qf;
    struct stat st;
    char id[QUEUE_ID_LEN + 1];
    int recycled;

    queue_fixture_empty(QUEUE_SPARE);
    snprintf(id, sizeof(id), "%s", queue_fixture_commit(10, &recycled));
    CU_ASSERT_EQUAL(rename(queue_fixture_path(QUEUE_INCOMING, id),
                           queue_fixture_path(QUEUE_SPARE, id)),
                    0); /* retired */
    garbage_taken();
    snprintf(id, sizeof(id), "%s", queue_fixture_commit(10, &recycled));
    undo_rename(id);
    flip_byte(QUEUE_SPARE, SPARE_NAME, 8); /* torn */
    garbage_taken();
    /* a taker gives up on a whole, sealed-looking file: emptied */
    snprintf(id, sizeof(id), "%s", queue_fixture_commit(10, &recycled));
    undo_rename(id);
    CU_ASSERT_EQUAL(queue_spare_recover(root), 1);
    CU_ASSERT_EQUAL(rename(queue_fixture_path(QUEUE_INCOMING, id),
                           queue_fixture_path(QUEUE_SPARE, id)),
                    0);
    qf = queue_file_create(root, QUEUE_INCOMING, 0600, why);
    CU_ASSERT_PTR_NOT_NULL_FATAL(qf);
    CU_ASSERT_EQUAL(qf->recycled, 1);
    queue_file_abort(qf);
    CU_ASSERT_EQUAL(stat(queue_fixture_path(QUEUE_SPARE, id), &st), 0);
    CU_ASSERT_EQUAL(st.st_size, 0);
    queue_fixture_empty(QUEUE_SPARE);
    queue_fixture_empty(QUEUE_INCOMING);
}

/* The reader accepts an end record that is empty or a seal, nothing else */
static void test_reader_end_record(void)
{
    struct queue_message *m = 0;
    const char *id;
    struct stat st;
    int recycled;

    queue_fixture_empty(QUEUE_SPARE);
    id = queue_fixture_commit(10, &recycled);
    CU_ASSERT_EQUAL(stat(queue_fixture_path(QUEUE_INCOMING, id), &st), 0);
    /* the seal's hex digits are not checked against anything here: the
     * CRC changes when recipients are marked done; its form is */
    flip_byte(QUEUE_INCOMING, id,
              st.st_size - 1); /* '0'-'9','a'-'f' -> other */
    CU_ASSERT_NOT_EQUAL(
        queue_file_read(root, QUEUE_INCOMING, id, QUEUE_FILE_RDONLY, &m, why),
        QUEUE_FILE_OK);
    if (m)
        queue_message_free(m);
    queue_fixture_empty(QUEUE_INCOMING);
    queue_fixture_empty(QUEUE_CORRUPT);
}

static const struct testkit_case cases[] = {
    {"seal: payload and parse, and what is not a seal", test_payload_and_parse},
    {"seal: a committed file ends with its id and CRC",
     test_file_carries_its_seal},
    {"seal: a file with recipients marked done still holds its message",
     test_marked_file_still_sealed},
    {"seal: an undone rename is kept, never taken, and recovered",
     test_undone_rename_recovered},
    {"seal: recovery leaves a locked file to its committer",
     test_recovery_skips_locked},
    {"seal: retired, torn and abandoned files are garbage",
     test_garbage_is_taken},
    {"seal: the reader refuses a malformed seal", test_reader_end_record},
    {NULL, NULL}};

TESTKIT_SUITE("queue_seal", queue_fixture_spare_setup,
              queue_fixture_spare_teardown, cases);
