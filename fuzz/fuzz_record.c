/*
 * fuzz_record.c - the queue-file record format: record_parse and the
 * grammar on a buffer (src/mail/record.h), and the one reader of queue
 * files, queue_file_read, on the same bytes written to a temporary queue.
 * FUZZ-TARGETS: src/mail/record.c src/mail/record_grammar.c src/mail/queue_file_read.c src/mail/queue_seal.c
 *
 * Input: byte 0 picks the queue (maildrop: the submission profile, or
 * incoming), then the file's bytes.
 * Invariants:
 *   - record_parse never moves outside the buffer, advances by exactly
 *     header + payload, leaves *pos alone on failure, and a record it
 *     accepts encodes back (record_header_encode) to the same header;
 *   - queue_file_read accepts only what the model accepts: every record
 *     well formed, the grammar satisfied, the version record first, and
 *     the end record 'E' last with nothing after it, its payload empty or
 *     shaped as a seal (23 of 0-9A-F, a space, 8 of 0-9a-f: queue_seal.h);
 *     it never accepts a file without its end record, and refuses one
 *     whose end record holds anything else;
 *   - an accepted file's envelope is the model's: sender, number of
 *     recipients (with their offsets and done state) and content size;
 *   - a refused file is moved to corrupt/, never left in the queue;
 *   - the same bytes as a file in spare/ hold a message committed in
 *     place (queue_seal_committed) exactly when they end with a seal that
 *     names another id and whose CRC matches the one a plain index walk
 *     over the records computes here, a 'D' type byte counted as 'R' and a
 *     'P' record's payload not counted.
 */
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "queue.h"
#include "crc32.h"
#include "queue_file.h"
#include "queue_seal.h"
#include "record.h"
#include "vstring.h"

#define ID "0123456789ABCDEF0123456"

struct model {
    int ok;           /* structure, grammar and E last */
    int end_ok;       /* E's payload empty or shaped as a seal */
    size_t end;       /* offset of the last record */
    size_t rcpts, done;
    size_t content;
    const unsigned char *sender;
    size_t sender_len;
    size_t offsets[64];
};

/* seal_shaped - 23 upper-case hex digits, a space, 8 lower-case ones */
static int seal_shaped(const unsigned char *p, size_t len)
{
    size_t i;

    if (len != 32 || p[23] != ' ')
        return 0;
    for (i = 0; i < 32; i++)
        if (i != 23 && !((p[i] >= '0' && p[i] <= '9') ||
                         (i < 23 ? (p[i] >= 'A' && p[i] <= 'F')
                                 : (p[i] >= 'a' && p[i] <= 'f'))))
            return 0;
    return 1;
}

/* run_model - every record, in grammar, E last and nothing after it */
static void run_model(const unsigned char *buf, size_t len, int profile,
                      struct model *m)
{
    struct record_grammar g;
    struct record_view rec;
    unsigned char hdr[RECORD_HEADER_SIZE];
    size_t pos = 0, before;
    int r, last = 0, bad = 0, first = 1;

    memset(m, 0, sizeof(*m));
    record_grammar_init(&g, profile);
    for (;;) {
        before = pos;
        r = record_parse(buf, len, &pos, &rec);
        FUZZ_CHECK(pos <= len, "record_parse beyond the buffer");
        if (r != RECORD_OK) {
            FUZZ_CHECK(pos == before, "pos moved on failure");
            if (r != RECORD_EOF)
                bad = 1;
            break;
        }
        FUZZ_CHECK(pos == before + RECORD_HEADER_SIZE + rec.len &&
                       rec.offset == before &&
                       rec.payload == buf + before + RECORD_HEADER_SIZE,
                   "record extent");
        record_header_encode(hdr, rec.type, rec.len);
        FUZZ_CHECK(memcmp(hdr, buf + before, RECORD_HEADER_SIZE) == 0,
                   "header does not encode back");
        if (first && (rec.type != REC_VERSION ||
                      rec.len != strlen(RECORD_VERSION) ||
                      memcmp(rec.payload, RECORD_VERSION, rec.len) != 0))
            bad = 1;
        first = 0;
        if (record_grammar_step(&g, rec.type) != 0)
            bad = 1;
        if (rec.type == REC_SENDER) {
            m->sender = rec.payload;
            m->sender_len = rec.len;
        }
        if (rec.type == REC_RCPT || rec.type == REC_DONE) {
            if (m->rcpts < 64)
                m->offsets[m->rcpts] = before;
            m->rcpts++;
            m->done += rec.type == REC_DONE;
        }
        if (rec.type == REC_CONTENT)
            m->content += rec.len;
        if (rec.type == REC_END)
            m->end_ok = rec.len == 0 || seal_shaped(rec.payload, rec.len);
        m->end = before;
        last = rec.type;
    }
    m->ok = !bad && last == REC_END && pos == len &&
            record_grammar_done(&g) == 0;
}

static char root[64];

/* rm_one - nftw callback: remove what it is handed */
static int rm_one(const char *path, const struct stat *st, int flag,
                  struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

/* cleanup - remove the queue tree at exit */
static void cleanup(void)
{
    nftw(root, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

/* setup - a queue tree in memory-backed storage, once */
static void setup(void)
{
    struct vstring *why;

    if (root[0])
        return;
    why = vstring_alloc(64);
    snprintf(root, sizeof(root), "%s/sluice-fuzz-%ld",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp",
             (long)getpid());
    if (queue_dirs_create(root, (uid_t)-1, (gid_t)-1, why) < 0)
        fuzz_fail("queue_dirs_create: %s", vstring_str(why));
    atexit(cleanup);
    vstring_free(why);
}

/* write_file - the bytes as a queue file */
static void write_file(const char *queue, const uint8_t *data, size_t len)
{
    struct vstring *path = vstring_alloc(128);
    FILE *fp;

    queue_path(path, root, queue, ID);
    fp = fopen(vstring_str(path), "wb");
    if (fp == 0 || (len && fwrite(data, 1, len, fp) != len) || fclose(fp))
        fuzz_fail("cannot write %s", vstring_str(path));
    vstring_free(path);
}

/* remove_file - 1 when queue/ID existed */
static int remove_file(const char *queue)
{
    struct vstring *path = vstring_alloc(128);
    int existed;

    queue_path(path, root, queue, ID);
    existed = unlink(vstring_str(path)) == 0;
    vstring_free(path);
    return existed;
}

/* check_message - the reader's envelope is the model's */
static void check_message(const struct queue_message *qm, const struct model *m)
{
    size_t i, done = 0;

    FUZZ_CHECK(qm->rcpt_count == m->rcpts, "%zu recipients, model %zu",
               qm->rcpt_count, m->rcpts);
    FUZZ_CHECK((size_t)qm->content_size == m->content, "content size");
    FUZZ_CHECK(strlen(qm->sender) == m->sender_len &&
                   fuzz_same(qm->sender, m->sender, m->sender_len),
               "sender differs");
    for (i = 0; i < qm->rcpt_count; i++) {
        done += qm->rcpts[i].done != 0;
        if (i < 64)
            FUZZ_CHECK((size_t)qm->rcpts[i].offset == m->offsets[i],
                       "recipient %zu offset", i);
    }
    FUZZ_CHECK(done == m->done, "done count");
}

/* seal_crc_model - the seal's CRC of b[0, n): each record's header with a
 * 'D' type as 'R', then its payload (none of a 'P' record's), by index; a
 * cut record counts as far as it goes */
static uint32_t seal_crc_model(const unsigned char *b, size_t n)
{
    unsigned char hdr[RECORD_HEADER_SIZE];
    uint32_t c = CRC32_INIT, len;
    size_t pos = 0, h, take;

    while (pos < n) {
        h = n - pos < RECORD_HEADER_SIZE ? n - pos : RECORD_HEADER_SIZE;
        memcpy(hdr, b + pos, h);
        if (hdr[0] == REC_DONE)
            hdr[0] = REC_RCPT;
        c = crc32_update(c, hdr, h);
        if (h < RECORD_HEADER_SIZE)
            break;
        len = (uint32_t)b[pos + 1] << 24 | (uint32_t)b[pos + 2] << 16 |
              (uint32_t)b[pos + 3] << 8 | b[pos + 4];
        pos += RECORD_HEADER_SIZE;
        take = n - pos < len ? n - pos : len;
        if (hdr[0] != REC_PADDING)
            c = crc32_update(c, b + pos, take);
        pos += take;
    }
    return c;
}

/* check_seal - queue_seal_committed on the bytes against the model */
static void check_seal(const uint8_t *data, size_t len)
{
    static const char *name = "0000000000000000000000A";
    char id[QUEUE_ID_LEN + 1], mid[QUEUE_ID_LEN + 1];
    struct vstring *path = vstring_alloc(128);
    uint32_t crc = 0;
    int fd, got, want = 0;

    if (len >= QUEUE_SEAL_SIZE &&
        queue_seal_parse(data + len - QUEUE_SEAL_SIZE, mid, &crc) &&
        strcmp(mid, name) != 0)
        want = crc == seal_crc_model(data, len - QUEUE_SEAL_SIZE);
    write_file(QUEUE_SPARE, data, len);
    queue_path(path, root, QUEUE_SPARE, ID);
    if ((fd = open(vstring_str(path), O_RDONLY)) < 0)
        fuzz_fail("cannot open %s", vstring_str(path));
    got = queue_seal_committed(fd, (off_t)len, name, id);
    close(fd);
    FUZZ_CHECK(got == want, "seal: committed %d, model %d", got, want);
    FUZZ_CHECK(!got || strcmp(id, mid) == 0, "seal: id %s, model %s", id, mid);
    remove_file(QUEUE_SPARE);
    vstring_free(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = {data, size};
    int submit = fuzz_take_byte(&in) & 1;
    const char *queue = submit ? QUEUE_MAILDROP : QUEUE_INCOMING;
    struct queue_message *qm = 0;
    struct vstring *why;
    struct model m;
    int r;

    fuzz_init();
    setup();
    run_model(in.data, in.len, submit ? RECORD_PROFILE_SUBMIT
                                      : RECORD_PROFILE_QUEUE, &m);
    why = vstring_alloc(64);
    write_file(queue, in.data, in.len);
    r = queue_file_read(root, queue, ID, QUEUE_FILE_RDONLY, &qm, why);
    if (r == QUEUE_FILE_OK) {
        FUZZ_CHECK(m.ok && m.end_ok,
                   "reader accepted a file the model refuses");
        FUZZ_CHECK(m.end < in.len && in.data[m.end] == REC_END,
                   "reader accepted a file without its end record");
        check_message(qm, &m);
        queue_message_free(qm);
        FUZZ_CHECK(remove_file(queue), "accepted file gone");
    } else {
        FUZZ_CHECK(r == QUEUE_FILE_CORRUPT, "reader result %d: %s", r,
                   vstring_str(why));
        FUZZ_CHECK(qm == 0, "message on failure");
        FUZZ_CHECK(!remove_file(queue), "refused file left in the queue");
        FUZZ_CHECK(remove_file(QUEUE_CORRUPT), "refused file not in corrupt/");
    }
    check_seal(in.data, in.len);
    vstring_free(why);
    return 0;
}
