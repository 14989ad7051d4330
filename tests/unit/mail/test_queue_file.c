/*
 * test_queue_file.c - the commit protocol and the one reader: a committed
 * file reads back exactly; a writer that dies leaves a .part the sweeper
 * removes; every malformed or incomplete file is refused and moved to
 * corrupt/; marking done rewrites one byte.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "queue.h"
#include "queue_fixture.h"
#include "queue_file.h"
#include "record.h"
#include "testkit.h"
#include "vstream.h"
#include "vstring.h"


/* exists - is <root>/<queue>/<name> there? */
static int exists(const char *queue, const char *name)
{
    char path[512];

    snprintf(path, sizeof(path), "%s/%s/%s", root, queue, name);
    return access(path, F_OK) == 0;
}

/* write_message - a complete file in queue; returns its id (static) */
static const char *write_message(const char *queue, int rcpts)
{
    static char id[QUEUE_ID_LEN + 1];
    struct vstring *r = vstring_alloc(64);
    struct vstring *addr = vstring_alloc(64);
    struct queue_file *qf = queue_file_create(root, queue, 0600, why);
    int i;

    CU_ASSERT_PTR_NOT_NULL_FATAL(qf);
    snprintf(id, sizeof(id), "%s", queue_file_id(qf));
    CU_ASSERT(exists(queue, "") && !exists(queue, id));
    queue_file_put_str(qf, REC_TIME, "1700000000.5");
    queue_file_put_str(qf, REC_SENDER, "");
    queue_file_put_str(qf, REC_ATTR, "helo=client.example");
    for (i = 0; i < rcpts; i++) {
        vstring_sprintf(addr, "u%d@example.org", i);
        record_rcpt_encode(r, vstring_str(addr), i ? "" : "SUCCESS", "");
        queue_file_put(qf, REC_RCPT, vstring_str(r), vstring_len(r));
    }
    queue_file_put(qf, REC_MESSAGE, "", 0);
    queue_file_put_str(qf, REC_CONTENT, "Subject: hi\n\n");
    queue_file_put_str(qf, REC_CONTENT, "body\n");
    queue_file_put(qf, REC_CONTENT_END, "", 0);
    CU_ASSERT_EQUAL(queue_file_commit(qf, why), 0);
    vstring_free(r);
    vstring_free(addr);
    return id;
}

static void test_commit_and_read_back(void)
{
    const char *id = write_message(QUEUE_INCOMING, 2);
    struct vstring *chunk = vstring_alloc(64);
    struct queue_message *m;
    char part[64];

    snprintf(part, sizeof(part), "%s.part", id);
    CU_ASSERT(exists(QUEUE_INCOMING, id));
    CU_ASSERT(!exists(QUEUE_INCOMING, part));
    CU_ASSERT_EQUAL_FATAL(
        queue_file_read(root, QUEUE_INCOMING, id, QUEUE_FILE_RDWR, &m, why),
        QUEUE_FILE_OK);
    CU_ASSERT_STRING_EQUAL(m->sender, "");
    CU_ASSERT_EQUAL(m->arrival_sec, 1700000000);
    CU_ASSERT_EQUAL(m->arrival_usec, 500000);
    CU_ASSERT_EQUAL(m->attr_count, 1);
    CU_ASSERT_STRING_EQUAL(m->attrs[0].name, "helo");
    CU_ASSERT_STRING_EQUAL(m->attrs[0].value, "client.example");
    CU_ASSERT_EQUAL_FATAL(m->rcpt_count, 2);
    CU_ASSERT_STRING_EQUAL(m->rcpts[1].address, "u1@example.org");
    CU_ASSERT_STRING_EQUAL(m->rcpts[0].notify, "SUCCESS");
    CU_ASSERT_EQUAL(m->rcpts[0].done, 0);
    CU_ASSERT_EQUAL(m->content_size, 18);
    CU_ASSERT_EQUAL(queue_message_rewind(m), 0);
    CU_ASSERT_EQUAL(queue_message_next_chunk(m, chunk), 1);
    CU_ASSERT_STRING_EQUAL(vstring_str(chunk), "Subject: hi\n\n");
    CU_ASSERT_EQUAL(queue_message_next_chunk(m, chunk), 1);
    CU_ASSERT_EQUAL(queue_message_next_chunk(m, chunk), 0);

    /* done is one byte, durable, idempotent, and only on an R record */
    CU_ASSERT_EQUAL(queue_message_mark_done(m, 1, why), 0);
    CU_ASSERT_EQUAL(queue_message_mark_done(m, 1, why), 0);
    CU_ASSERT_EQUAL(queue_file_mark_done(vstream_fd(m->stream), 0, why), -1);
    CU_ASSERT_EQUAL(queue_file_mark_done(vstream_fd(m->stream), 1 << 20, why),
                    -1);
    queue_message_free(m);
    CU_ASSERT_EQUAL(
        queue_file_read(root, QUEUE_INCOMING, id, QUEUE_FILE_RDONLY, &m, why),
        QUEUE_FILE_OK);
    CU_ASSERT_EQUAL(m->rcpts[0].done, 0);
    CU_ASSERT_EQUAL(m->rcpts[1].done, 1);
    queue_message_free(m);
    vstring_free(chunk);
}

static void test_crash_before_commit_swept(void)
{
    struct queue_file *live;
    struct queue_message *m;
    char part[64];
    int fds[2], status;
    char child_id[QUEUE_ID_LEN + 1] = "";
    pid_t pid;

    CU_ASSERT_FATAL(pipe(fds) == 0);
    if ((pid = fork()) == 0) {
        struct queue_file *qf =
            queue_file_create(root, QUEUE_INCOMING, 0600, why);
        if (qf == 0 || write(fds[1], queue_file_id(qf), QUEUE_ID_LEN) < 0)
            _exit(1);
        queue_file_put_str(qf, REC_TIME, "1.0");
        _exit(0); /* dies between create and commit */
    }
    close(fds[1]);
    CU_ASSERT_EQUAL(read(fds[0], child_id, QUEUE_ID_LEN), QUEUE_ID_LEN);
    close(fds[0]);
    waitpid(pid, &status, 0);
    snprintf(part, sizeof(part), "%s.part", child_id);
    CU_ASSERT(exists(QUEUE_INCOMING, part));

    /* a live writer's file is left alone; the dead one's is removed */
    live = queue_file_create(root, QUEUE_INCOMING, 0600, why);
    CU_ASSERT_PTR_NOT_NULL_FATAL(live);
    CU_ASSERT_EQUAL(queue_file_sweep(root, QUEUE_INCOMING, why), 1);
    CU_ASSERT(!exists(QUEUE_INCOMING, part));
    CU_ASSERT_EQUAL(queue_file_sweep(root, QUEUE_INCOMING, why), 0);
    snprintf(part, sizeof(part), "%s.part", queue_file_id(live));
    CU_ASSERT(exists(QUEUE_INCOMING, part));
    queue_file_abort(live);
    CU_ASSERT(!exists(QUEUE_INCOMING, part));
    /* a .part is never read: its id has no committed file */
    CU_ASSERT_EQUAL(queue_file_read(root, QUEUE_INCOMING, child_id,
                                    QUEUE_FILE_RDONLY, &m, why),
                    QUEUE_FILE_GONE);
}

static void test_maildrop_profile(void)
{
    struct queue_file *qf = queue_file_create(root, QUEUE_MAILDROP, 0644, why);
    struct queue_message *m;
    struct stat st;
    char path[512];
    char id[QUEUE_ID_LEN + 1];

    CU_ASSERT_PTR_NOT_NULL_FATAL(qf);
    snprintf(id, sizeof(id), "%s", queue_file_id(qf));
    queue_file_put_str(qf, REC_TIME, "2.25");
    queue_file_put_str(qf, REC_SENDER, "alice");
    queue_file_put(qf, REC_MESSAGE, "", 0); /* sendmail -t: no recipient */
    queue_file_put_str(qf, REC_CONTENT, "To: bob\n\nhi\n");
    queue_file_put(qf, REC_CONTENT_END, "", 0);
    CU_ASSERT_EQUAL(queue_file_commit(qf, why), 0);
    snprintf(path, sizeof(path), "%s/maildrop/%s", root, id);
    CU_ASSERT_EQUAL(stat(path, &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 0777, 0644);
    CU_ASSERT_EQUAL(
        queue_file_read(root, QUEUE_MAILDROP, id, QUEUE_FILE_RDONLY, &m, why),
        QUEUE_FILE_OK);
    CU_ASSERT_EQUAL(m->rcpt_count, 0);
    CU_ASSERT_STRING_EQUAL(m->sender, "alice");
    CU_ASSERT_EQUAL(m->arrival_usec, 250000);
    queue_message_free(m);
}

static void put_end(void *arg)
{
    queue_file_put((struct queue_file *)arg, REC_END, "", 0);
}

static void put_content_without_rcpt(void *arg)
{
    struct queue_file *qf = arg;

    queue_file_put_str(qf, REC_TIME, "1.0");
    queue_file_put_str(qf, REC_SENDER, "");
    queue_file_put(qf, REC_MESSAGE, "", 0);
}

static void commit_early(void *arg)
{
    queue_file_commit((struct queue_file *)arg, why);
}

static void test_writer_contract(void)
{
    struct queue_file *qf = queue_file_create(root, QUEUE_INCOMING, 0600, why);

    CU_ASSERT_EQUAL(testkit_expect_exit(put_end, qf), 2);
    CU_ASSERT_EQUAL(testkit_expect_exit(put_content_without_rcpt, qf), 2);
    queue_file_abort(qf);
    qf = queue_file_create(root, QUEUE_INCOMING, 0600, why);
    CU_ASSERT_EQUAL(testkit_expect_exit(commit_early, qf), 2);
    queue_file_abort(qf);
}

static const struct testkit_case cases[] = {
    {"commit then read back, mark done", test_commit_and_read_back},
    {"crash before commit leaves .part, swept", test_crash_before_commit_swept},
    {"maildrop allows no recipient", test_maildrop_profile},
    {"writer contract panics", test_writer_contract},
    {NULL, NULL}};
TESTKIT_SUITE("queue_file", queue_fixture_setup, queue_fixture_teardown,
              cases);
