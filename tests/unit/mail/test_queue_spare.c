/*
 * test_queue_spare.c - recycled queue files: retiring into spare/ (bounded
 * by count and size), taking one back for a new message (never for the
 * maildrop, never a locked or foreign file; one taken ahead is held for
 * the next commit), and a committed recycled file
 * that holds exactly its own message, nothing of the one before; a
 * message claimed in place, held until qmgr breaks its seal.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "queue.h"
#include "queue_fixture.h"
#include "queue_file.h"
#include "queue_seal.h"
#include "queue_spare.h"
#include "record.h"
#include "testkit.h"
#include "vstring.h"

#define OLD_MAIL "<old message>" /* what a spare file holds */

/* put_file - <queue>/<id> of size bytes of OLD_MAIL, with the given mode */
static void put_file(const char *queue, const char *id, size_t size,
                     mode_t mode)
{
    char *buf = malloc(size + 1);
    int fd =
        open(queue_fixture_path(queue, id), O_CREAT | O_EXCL | O_WRONLY, mode);

    size_t i;

    CU_ASSERT_FATAL(fd >= 0 && buf != 0);
    for (i = 0; i < size; i++)
        buf[i] = OLD_MAIL[i % (sizeof(OLD_MAIL) - 1)];
    CU_ASSERT_EQUAL(write(fd, buf, size), (ssize_t)size);
    CU_ASSERT_EQUAL(fchmod(fd, mode), 0);
    close(fd);
    free(buf);
}

static void test_retire_bounded(void)
{
    static const char *ids[] = {
        "0000000100001000001000A", "0000000100001000001000B",
        "0000000100001000001000C", "0000000100001000001000D"};

    queue_fixture_empty(QUEUE_SPARE);
    put_file(QUEUE_ACTIVE, ids[0], 100, 0600);
    CU_ASSERT_EQUAL(queue_spare_retire(root, QUEUE_ACTIVE, ids[0], 1, why), 0);
    CU_ASSERT(access(queue_fixture_path(QUEUE_SPARE, ids[0]), F_OK) == 0);
    CU_ASSERT(access(queue_fixture_path(QUEUE_ACTIVE, ids[0]), F_OK) != 0);
    /* the pool is full (limit 1): unlinked */
    put_file(QUEUE_ACTIVE, ids[1], 100, 0600);
    CU_ASSERT_EQUAL(queue_spare_retire(root, QUEUE_ACTIVE, ids[1], 1, why), 0);
    CU_ASSERT(access(queue_fixture_path(QUEUE_ACTIVE, ids[1]), F_OK) != 0);
    CU_ASSERT_EQUAL(queue_fixture_count(QUEUE_SPARE), 1);
    /* too large to keep: unlinked */
    put_file(QUEUE_ACTIVE, ids[2], QUEUE_SPARE_MAX_SIZE + 1, 0600);
    CU_ASSERT_EQUAL(queue_spare_retire(root, QUEUE_ACTIVE, ids[2], 100, why),
                    0);
    CU_ASSERT(access(queue_fixture_path(QUEUE_SPARE, ids[2]), F_OK) != 0);
    /* limit 0: recycling is off */
    put_file(QUEUE_ACTIVE, ids[3], 100, 0600);
    CU_ASSERT_EQUAL(queue_spare_retire(root, QUEUE_ACTIVE, ids[3], 0, why), 0);
    CU_ASSERT_EQUAL(queue_fixture_count(QUEUE_SPARE), 1);
    /* already gone: ENOENT */
    CU_ASSERT_EQUAL(queue_spare_retire(root, QUEUE_ACTIVE, ids[3], 100, why),
                    -1);
    CU_ASSERT(strstr(vstring_str(why), ids[3]) != 0);
}

/* file_size_has_old - size of <queue>/<id>; *has_old: OLD_MAIL inside */
static off_t file_size_has_old(const char *queue, const char *id, int *has_old)
{
    char buf[65536];
    ssize_t n;
    int fd = open(queue_fixture_path(queue, id), O_RDONLY);

    CU_ASSERT_FATAL(fd >= 0);
    n = read(fd, buf, sizeof(buf));
    close(fd);
    CU_ASSERT_FATAL(n >= 0 && n < (ssize_t)sizeof(buf));
    *has_old = memmem(buf, (size_t)n, OLD_MAIL, sizeof(OLD_MAIL) - 1) != 0;
    return n;
}

/* recycle_spare_of - commit a small message into a spare of `size` bytes
 * full of an older message (with the "warned" execute bit, which must not
 * carry over); the committed file's size, checked free of old bytes */
static off_t recycle_spare_of(off_t size)
{
    struct stat st;
    const char *id;
    off_t recycled_size;
    int recycled, has_old;

    queue_fixture_empty(QUEUE_SPARE);
    put_file(QUEUE_SPARE, "0000000200002000002000A", size, 0700);
    id = queue_fixture_commit(5, &recycled);
    CU_ASSERT_EQUAL(recycled, 1);
    CU_ASSERT_EQUAL(queue_fixture_count(QUEUE_SPARE), 0);
    recycled_size = file_size_has_old(QUEUE_INCOMING, id, &has_old);
    CU_ASSERT_EQUAL(has_old, 0);
    CU_ASSERT_EQUAL(stat(queue_fixture_path(QUEUE_INCOMING, id), &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 07777, 0600);
    queue_fixture_read_ok(QUEUE_INCOMING, id);
    return recycled_size;
}

static void test_take_and_commit_exact(void)
{
    const char *id;
    off_t fresh_size;
    int recycled, has_old;

    queue_fixture_empty(QUEUE_SPARE);
    id = queue_fixture_commit(5, &recycled);
    CU_ASSERT_EQUAL(recycled, 0); /* empty pool: a new file */
    /* padded to a whole block, the seal last */
    fresh_size = file_size_has_old(QUEUE_INCOMING, id, &has_old);
    CU_ASSERT_EQUAL(fresh_size, 4096);
    /* a spare with room to spare keeps its size (a commit that changes
     * only data: PAPER.md section 6, item 37), its old bytes padded over */
    CU_ASSERT_EQUAL(recycle_spare_of(8000), 8000);
    /* one with too much room is cut to the block; one too small grows */
    CU_ASSERT_EQUAL(recycle_spare_of(20000), fresh_size);
    CU_ASSERT_EQUAL(recycle_spare_of(100), fresh_size);
}

static void test_take_skips_locked_foreign_and_maildrop(void)
{
    const char *locked = "0000000300003000003000A";
    struct queue_file *qf;
    int fd, recycled;

    queue_fixture_empty(QUEUE_SPARE);
    put_file(QUEUE_SPARE, locked, 100, 0600);
    fd = open(queue_fixture_path(QUEUE_SPARE, locked), O_RDONLY);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL(flock(fd, LOCK_EX), 0); /* another taker holds it */
    (void)queue_fixture_commit(5, &recycled);
    CU_ASSERT_EQUAL(recycled, 0);
    CU_ASSERT(access(queue_fixture_path(QUEUE_SPARE, locked), F_OK) == 0);
    close(fd);
    /* the maildrop never takes a spare */
    qf = queue_file_create(root, QUEUE_MAILDROP, 0644, why);
    CU_ASSERT_PTR_NOT_NULL_FATAL(qf);
    CU_ASSERT_EQUAL(qf->recycled, 0);
    queue_file_abort(qf);
    CU_ASSERT(access(queue_fixture_path(QUEUE_SPARE, locked), F_OK) == 0);
    /* a file someone else owns is left alone */
    if (geteuid() == 0) {
        CU_ASSERT_EQUAL(chown(queue_fixture_path(QUEUE_SPARE, locked), 1, 1),
                        0);
        (void)queue_fixture_commit(5, &recycled);
        CU_ASSERT_EQUAL(recycled, 0);
        CU_ASSERT(access(queue_fixture_path(QUEUE_SPARE, locked), F_OK) == 0);
    }
}

static void test_fill_reserve(void)
{
    struct queue_file *qf;
    int recycled;

    queue_fixture_empty(QUEUE_SPARE);
    CU_ASSERT_EQUAL(queue_spare_fill(root, 5, 10000), 5);
    CU_ASSERT_EQUAL(queue_fixture_count(QUEUE_SPARE), 5);
    /* already there: nothing more is made */
    CU_ASSERT_EQUAL(queue_spare_fill(root, 5, 10000), 0);
    CU_ASSERT_EQUAL(queue_spare_fill(root, 0, 10000), 0);
    /* no time at all: nothing is made */
    CU_ASSERT_EQUAL(queue_spare_fill(root, 50, 0), 0);
    CU_ASSERT_EQUAL(queue_fixture_count(QUEUE_SPARE), 5);
    queue_fixture_spare_synced();
    /* a reserved file holds one block of zeros and is taken like any
     * spare */
    (void)queue_fixture_commit(5, &recycled);
    CU_ASSERT_EQUAL(recycled, 1);
    CU_ASSERT_EQUAL(queue_fixture_count(QUEUE_SPARE), 4);
    qf = queue_file_create(root, QUEUE_INCOMING, 0600, why);
    CU_ASSERT_PTR_NOT_NULL_FATAL(qf);
    CU_ASSERT_EQUAL(qf->recycled, 1);
    queue_file_abort(qf);
}

/* Many cleanups take at once: names another process holds locked, or took
 * since this one listed them, are skipped without giving up on the pool. */
static void test_take_past_busy_and_gone(void)
{
    char id[QUEUE_ID_LEN + 16]; /* room the format checker can prove */
    int fds[12], i, recycled;

    queue_fixture_empty(QUEUE_SPARE);
    for (i = 0; i < 12; i++) {
        snprintf(id, sizeof(id), "00000004000040000040%03d", i);
        put_file(QUEUE_SPARE, id, 10, 0600);
        fds[i] = -1;
    }
    /* the first take lists all 12 into the taker's stream; then the other
     * 11 become busy or gone, more than the 8 other failures allowed */
    (void)queue_fixture_commit(5, &recycled);
    CU_ASSERT_EQUAL(recycled, 1);
    for (i = 0; i < 12; i++) {
        snprintf(id, sizeof(id), "00000004000040000040%03d", i);
        if (access(queue_fixture_path(QUEUE_SPARE, id), F_OK) != 0)
            continue;
        if (i % 2) {
            CU_ASSERT_EQUAL(unlink(queue_fixture_path(QUEUE_SPARE, id)), 0);
        } else {
            fds[i] = open(queue_fixture_path(QUEUE_SPARE, id), O_RDONLY);
            CU_ASSERT(fds[i] >= 0 && flock(fds[i], LOCK_EX) == 0);
        }
    }
    /* the last file, named last in no particular order */
    put_file(QUEUE_SPARE, "00000004000040000040999", 10, 0600);
    (void)queue_fixture_commit(5, &recycled);
    CU_ASSERT_EQUAL(recycled, 1);
    CU_ASSERT(access(queue_fixture_path(QUEUE_SPARE, "00000004000040000040999"),
                     F_OK) != 0);
    for (i = 0; i < 12; i++)
        if (fds[i] >= 0)
            close(fds[i]);
}

/* commit_in_only_spare - spare/ holds just the synced file spare; a
 * 300-recipient commit keeps it there; id is the message's queue id */
static void commit_in_only_spare(const char *spare, struct vstring *name,
                                 char id[QUEUE_ID_LEN + 1])
{
    int rc;

    queue_fixture_empty(QUEUE_SPARE);
    queue_spare_forget();
    put_file(QUEUE_SPARE, spare, 100, 0600);
    queue_fixture_spare_synced();
    snprintf(id, QUEUE_ID_LEN + 1, "%s",
             queue_fixture_commit_keep(300, name, &rc));
    CU_ASSERT_EQUAL_FATAL(rc, 1);
    CU_ASSERT_STRING_EQUAL(vstring_str(name), spare);
}

/* A commit that keeps a recycled file in spare/ (cleanup hands it to qmgr
 * by name): committed there, never taken again, and moved on by
 * queue_spare_claim only when it holds the committed message; a new file
 * is committed as usual. */
static void test_commit_keep_and_claim(void)
{
    static const char *spare = "0000000900009000009000A";
    static const char *junk = "0000000900009000009000B";
    struct vstring *name = vstring_alloc(32);
    char id[QUEUE_ID_LEN + 1], got[QUEUE_ID_LEN + 1];
    struct queue_file *qf;
    int rc, fd;

    queue_fixture_empty(QUEUE_ACTIVE);
    commit_in_only_spare(spare, name, id);
    CU_ASSERT_EQUAL(queue_fixture_count(QUEUE_INCOMING), 0);
    CU_ASSERT(access(queue_fixture_path(QUEUE_SPARE, spare), F_OK) == 0);
    /* no taker writes over it: the next file is a new one */
    qf = queue_file_create(root, QUEUE_INCOMING, 0600, why);
    CU_ASSERT_PTR_NOT_NULL_FATAL(qf);
    CU_ASSERT_EQUAL(qf->recycled, 0);
    queue_file_abort(qf);
    /* names that hold no message are never moved */
    put_file(QUEUE_SPARE, junk, 100, 0600);
    CU_ASSERT_EQUAL(queue_spare_claim(root, junk, QUEUE_ACTIVE, got), 0);
    CU_ASSERT_EQUAL(queue_spare_claim(root, "../incoming", QUEUE_ACTIVE, got),
                    0);
    CU_ASSERT_EQUAL(queue_spare_claim(root, "0000000900009000009000C",
                                      QUEUE_ACTIVE, got), 0);
    CU_ASSERT(access(queue_fixture_path(QUEUE_SPARE, junk), F_OK) == 0);
    /* held by another process for the moment: try again */
    fd = open(queue_fixture_path(QUEUE_SPARE, spare), O_RDONLY);
    CU_ASSERT_FATAL(fd >= 0 && flock(fd, LOCK_EX) == 0);
    CU_ASSERT_EQUAL(queue_spare_claim(root, spare, QUEUE_ACTIVE, got), -2);
    close(fd);
    CU_ASSERT_EQUAL(queue_spare_claim(root, spare, QUEUE_ACTIVE, got), 1);
    CU_ASSERT_STRING_EQUAL(got, id);
    queue_fixture_read_ok(QUEUE_ACTIVE, id);
    CU_ASSERT_EQUAL(queue_spare_claim(root, spare, QUEUE_ACTIVE, got), 0);
    /* no spare left but the junk one... taken; then a new file: renamed */
    snprintf(id, sizeof(id), "%s", queue_fixture_commit_keep(10, name, &rc));
    CU_ASSERT_EQUAL(rc, 1);
    CU_ASSERT_STRING_EQUAL(vstring_str(name), junk);
    snprintf(id, sizeof(id), "%s", queue_fixture_commit_keep(10, name, &rc));
    CU_ASSERT_EQUAL(rc, 0);
    queue_fixture_read_ok(QUEUE_INCOMING, id);
    queue_fixture_empty(QUEUE_INCOMING);
    queue_fixture_empty(QUEUE_ACTIVE);
    vstring_free(name);
}

/* A message claimed in place (queue_spare_hold): it stays in spare/,
 * locked, so that no taker, no second claim and no recovery touches it;
 * its broken seal (queue_seal_break, qmgr's retire) makes it a spare
 * again, which a taker may use once spare/ was synced. */
static void test_hold_in_place(void)
{
    static const char *spare = "0000000900009000009000D";
    struct vstring *name = vstring_alloc(32);
    char id[QUEUE_ID_LEN + 1], got[QUEUE_ID_LEN + 1];
    struct queue_file *qf;
    struct stat st;
    int fd, fd2;

    queue_fixture_empty(QUEUE_INCOMING);
    commit_in_only_spare(spare, name, id);
    CU_ASSERT_EQUAL_FATAL(queue_spare_hold(root, spare, got, &fd), 1);
    CU_ASSERT_STRING_EQUAL(got, id);
    CU_ASSERT(access(queue_fixture_path(QUEUE_SPARE, spare), F_OK) == 0);
    queue_fixture_read_ok(QUEUE_SPARE, spare);
    /* held: a second claim waits, recovery and takers pass it by */
    CU_ASSERT_EQUAL(queue_spare_hold(root, spare, got, &fd2), -2);
    CU_ASSERT_EQUAL(queue_spare_recover(root), 0);
    CU_ASSERT_EQUAL(queue_fixture_count(QUEUE_INCOMING), 0);
    qf = queue_file_create(root, QUEUE_INCOMING, 0600, why);
    CU_ASSERT_PTR_NOT_NULL_FATAL(qf);
    CU_ASSERT_EQUAL(qf->recycled, 0);
    queue_file_abort(qf);
    /* retired in place: garbage now, taken once spare/ is synced */
    CU_ASSERT_FATAL(fstat(fd, &st) == 0);
    CU_ASSERT_EQUAL(queue_seal_break(fd, 10), -1);
    CU_ASSERT_EQUAL(queue_seal_break(fd, st.st_size), 0);
    close(fd);
    CU_ASSERT_EQUAL(queue_spare_hold(root, spare, got, &fd2), 0);
    CU_ASSERT_EQUAL(queue_spare_recover(root), 0);
    queue_spare_forget();
    queue_fixture_spare_synced();
    qf = queue_file_create(root, QUEUE_INCOMING, 0600, why);
    CU_ASSERT_PTR_NOT_NULL_FATAL(qf);
    CU_ASSERT_EQUAL(qf->recycled, 1);
    queue_file_abort(qf);
    queue_fixture_empty(QUEUE_INCOMING);
    queue_fixture_empty(QUEUE_SPARE);
    vstring_free(name);
}

/* A pool larger than one listing (sample_spares reads a few hundred names
 * from a random point of spare/ and wraps around to its start): every
 * file is taken once, none twice, until none is left. */
static void test_take_whole_large_pool(void)
{
    struct vstring *path = vstring_alloc(100);
    int i, fd, taken = 0;

    queue_fixture_empty(QUEUE_SPARE);
    queue_spare_forget();
    CU_ASSERT_EQUAL_FATAL(queue_spare_fill(root, 700, 60000), 700);
    queue_fixture_spare_synced();
    for (i = 0; i < 710; i++) {
        if ((fd = queue_spare_take(root, 0600, path, why)) < 0)
            break;
        CU_ASSERT_EQUAL(unlink(vstring_str(path)), 0);
        close(fd);
        taken++;
    }
    CU_ASSERT_EQUAL(taken, 700);
    CU_ASSERT_EQUAL(queue_fixture_count(QUEUE_SPARE), 0);
    vstring_free(path);
}

/* An aborted recycled file stays a spare, emptied, however large it grew
 * (no seal may survive in it); qmgr's start drops spare names with a
 * second link (a crash kept both names of a commit's rename) and
 * oversized spares. */
static void test_abort_and_start_check(void)
{
    const char *linked = "0000000500005000005000A";
    struct queue_file *qf;
    char *big = calloc(1, QUEUE_SPARE_MAX_SIZE + 1);
    char other[512];
    struct stat st;
    size_t i;
    int fd;

    CU_ASSERT_PTR_NOT_NULL_FATAL(big);
    queue_fixture_empty(QUEUE_SPARE);
    put_file(QUEUE_SPARE, "0000000500005000005000B", 10, 0600);
    qf = queue_file_create(root, QUEUE_INCOMING, 0600, why);
    CU_ASSERT_PTR_NOT_NULL_FATAL(qf);
    CU_ASSERT_EQUAL(qf->recycled, 1);
    queue_file_abort(qf);
    CU_ASSERT_EQUAL(queue_fixture_count(QUEUE_SPARE), 1);
    /* larger than the pool keeps: emptied, kept */
    qf = queue_file_create(root, QUEUE_INCOMING, 0600, why);
    CU_ASSERT_PTR_NOT_NULL_FATAL(qf);
    CU_ASSERT_EQUAL(qf->recycled, 1);
    queue_file_put_str(qf, REC_TIME, "1700000000.5");
    queue_file_put_str(qf, REC_SENDER, "a@example.org");
    for (i = 0; i < 8; i++)
        queue_file_put(qf, REC_ATTR, big, 60000);
    queue_file_abort(qf);
    CU_ASSERT_EQUAL(queue_fixture_count(QUEUE_SPARE), 1);
    CU_ASSERT_EQUAL(
        stat(queue_fixture_path(QUEUE_SPARE, "0000000500005000005000B"), &st),
        0);
    CU_ASSERT_EQUAL(st.st_size, 0);
    queue_fixture_empty(QUEUE_SPARE);
    /* the start check */
    put_file(QUEUE_SPARE, "0000000500005000005000C", 10, 0600);
    put_file(QUEUE_INCOMING, linked, 10, 0600);
    snprintf(other, sizeof(other), "%s",
             queue_fixture_path(QUEUE_INCOMING, linked));
    CU_ASSERT_EQUAL(link(other, queue_fixture_path(QUEUE_SPARE, linked)), 0);
    put_file(QUEUE_SPARE, "0000000500005000005000D", QUEUE_SPARE_MAX_SIZE + 1,
             0600);
    /* as large, but locked: a taker is writing it, so it stays */
    put_file(QUEUE_SPARE, "0000000500005000005000E", QUEUE_SPARE_MAX_SIZE + 1,
             0600);
    fd = open(queue_fixture_path(QUEUE_SPARE, "0000000500005000005000E"),
              O_RDONLY);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL(flock(fd, LOCK_EX), 0);
    CU_ASSERT_EQUAL(queue_spare_fill(root, 1, 10000), 0);
    queue_fixture_spare_synced();
    CU_ASSERT_EQUAL(queue_fixture_count(QUEUE_SPARE), 2);
    CU_ASSERT(access(queue_fixture_path(QUEUE_SPARE, "0000000500005000005000D"),
                     F_OK) != 0);
    CU_ASSERT(access(queue_fixture_path(QUEUE_SPARE, linked), F_OK) != 0);
    close(fd);
    CU_ASSERT_EQUAL(
        unlink(queue_fixture_path(QUEUE_SPARE, "0000000500005000005000E")), 0);
    CU_ASSERT(access(queue_fixture_path(QUEUE_INCOMING, linked), F_OK) == 0);
    CU_ASSERT_EQUAL(unlink(queue_fixture_path(QUEUE_INCOMING, linked)), 0);
    free(big);
}

/* A file retired since spare/ was last synced is not taken: a commit in
 * place relies on its spare name surviving a crash */
static void test_take_waits_for_sync(void)
{
    struct timespec past;
    int recycled;

    queue_fixture_empty(QUEUE_SPARE);
    clock_gettime(CLOCK_REALTIME, &past);
    past.tv_sec -= 10;
    queue_spare_synced(root, &past);
    queue_spare_forget();
    put_file(QUEUE_SPARE, "0000000600006000006000A", 100, 0600);
    (void)queue_fixture_commit(5, &recycled);
    CU_ASSERT_EQUAL(recycled, 0);
    CU_ASSERT_EQUAL(queue_fixture_count(QUEUE_SPARE), 1);
    queue_fixture_spare_synced();
    (void)queue_fixture_commit(5, &recycled);
    CU_ASSERT_EQUAL(recycled, 1);
    CU_ASSERT_EQUAL(queue_fixture_count(QUEUE_SPARE), 0);
}

/* locked_by_other - is <spare>/name flocked by another descriptor? */
static int locked_by_other(const char *name)
{
    int fd = open(queue_fixture_path(QUEUE_SPARE, name), O_RDONLY);
    int locked;

    CU_ASSERT_FATAL(fd >= 0);
    locked = flock(fd, LOCK_EX | LOCK_NB) < 0;
    close(fd);
    return locked;
}

/* A spare taken ahead is held, locked, and is the one the next commit
 * uses; forgetting lets it go */
static void test_take_ahead(void)
{
    static const char *names[] = {"0000000800008000008000A",
                                  "0000000800008000008000B"};
    int held[2], recycled;

    queue_fixture_empty(QUEUE_SPARE);
    queue_spare_forget();
    put_file(QUEUE_SPARE, names[0], 100, 0600);
    put_file(QUEUE_SPARE, names[1], 100, 0600);
    queue_spare_take_ahead(root, 0600);
    held[0] = locked_by_other(names[0]);
    held[1] = locked_by_other(names[1]);
    CU_ASSERT_EQUAL(held[0] + held[1], 1);
    (void)queue_fixture_commit(5, &recycled);
    CU_ASSERT_EQUAL(recycled, 1);
    CU_ASSERT_EQUAL(queue_fixture_count(QUEUE_SPARE), 1);
    CU_ASSERT(access(queue_fixture_path(QUEUE_SPARE, names[held[0] ? 0 : 1]),
                     F_OK) != 0);
    queue_spare_take_ahead(root, 0600); /* the other one */
    CU_ASSERT(locked_by_other(names[held[0] ? 1 : 0]));
    queue_spare_forget();
    CU_ASSERT(!locked_by_other(names[held[0] ? 1 : 0]));
    queue_fixture_empty(QUEUE_INCOMING);
}

static const struct testkit_case cases[] = {
    {"retire: into spare/, bounded by count and size", test_retire_bounded},
    {"take: a committed recycled file holds only its message",
     test_take_and_commit_exact},
    {"take: never a locked or foreign file, never for maildrop",
     test_take_skips_locked_foreign_and_maildrop},
    {"fill: zeroed files reserved up to a count, within a time",
     test_fill_reserve},
    {"take: past names busy or gone, while one is free",
     test_take_past_busy_and_gone},
    {"take: not a file retired since spare/ was last synced",
     test_take_waits_for_sync},
    {"take ahead: held, locked, used by the next commit", test_take_ahead},
    {"commit keep: stays in spare/, untaken; claim moves only a message",
     test_commit_keep_and_claim},
    {"hold: claimed in place, untouched until its seal is broken",
     test_hold_in_place},
    {"take: every file of a pool larger than a listing, once",
     test_take_whole_large_pool},
    {"abort empties a spare; start drops linked and oversized ones",
     test_abort_and_start_check},
    {NULL, NULL}};
TESTKIT_SUITE("queue_spare", queue_fixture_spare_setup,
              queue_fixture_spare_teardown, cases);
