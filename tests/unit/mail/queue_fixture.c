/*
 * queue_fixture.c - the temporary queue tree the queue-file suites share
 * (queue_fixture.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "queue.h"
#include "queue_file.h"
#include "queue_fixture.h"
#include "queue_spare.h"
#include "testkit.h"
#include "vstring.h"

char *root;
struct vstring *why;

/* queue_fixture_setup - a new root with every queue directory */
int queue_fixture_setup(void)
{
    root = testkit_tempdir();
    why = vstring_alloc(100);
    return queue_dirs_create(root, (uid_t)-1, (gid_t)-1, why);
}

/* queue_fixture_teardown - remove the tree */
int queue_fixture_teardown(void)
{
    testkit_rmtree(root);
    free(root);
    vstring_free(why);
    return 0;
}

/* queue_fixture_path - <root>/<queue>/<name> (one of two static buffers) */
const char *queue_fixture_path(const char *queue, const char *name)
{
    static char path[2][512];
    static int which;

    which = !which;
    snprintf(path[which], sizeof(path[which]), "%s/%s/%s", root, queue, name);
    return path[which];
}

/* queue_fixture_count - files in a queue directory */
int queue_fixture_count(const char *queue)
{
    struct queue_scan scan;
    struct vstring *id = vstring_alloc(32);
    int n = 0, is_part;

    CU_ASSERT_EQUAL_FATAL(queue_scan_open(&scan, root, queue, why), 0);
    while (queue_scan_next(&scan, id, &is_part))
        n++;
    queue_scan_close(&scan);
    vstring_free(id);
    return n;
}

/* queue_fixture_empty - remove every file of a queue directory */
void queue_fixture_empty(const char *queue)
{
    struct queue_scan scan;
    struct vstring *id = vstring_alloc(32);
    int is_part;

    CU_ASSERT_EQUAL_FATAL(queue_scan_open(&scan, root, queue, why), 0);
    while (queue_scan_next(&scan, id, &is_part))
        unlink(queue_fixture_path(queue, vstring_str(id)));
    queue_scan_close(&scan);
    vstring_free(id);
}

/* fixture_file - a one-recipient message of body_len bytes of body,
 * written into a new queue file (a spare when one may be taken), not yet
 * committed; its id into id */
static struct queue_file *fixture_file(size_t body_len, int *recycled,
                                       char *id)
{
    struct vstring *r = vstring_alloc(64);
    struct queue_file *qf = queue_file_create(root, QUEUE_INCOMING, 0600, why);
    char *body = malloc(body_len + 1);
    size_t at, chunk;

    CU_ASSERT_PTR_NOT_NULL_FATAL(qf);
    CU_ASSERT_PTR_NOT_NULL_FATAL(body);
    memset(body, 'b', body_len);
    *recycled = qf->recycled;
    snprintf(id, QUEUE_ID_LEN + 1, "%s", queue_file_id(qf));
    queue_file_put_str(qf, REC_TIME, "1700000000.5");
    queue_file_put_str(qf, REC_SENDER, "a@example.org");
    record_rcpt_encode(r, "b@example.org", "", "");
    queue_file_put(qf, REC_RCPT, vstring_str(r), vstring_len(r));
    queue_file_put(qf, REC_MESSAGE, "", 0);
    queue_file_put_str(qf, REC_CONTENT, "Subject: fixture\n\n");
    for (at = 0; at < body_len; at += chunk) {
        chunk = body_len - at < 60000 ? body_len - at : 60000;
        queue_file_put(qf, REC_CONTENT, body + at, chunk);
    }
    queue_file_put(qf, REC_CONTENT_END, "", 0);
    vstring_free(r);
    free(body);
    return qf;
}

/* queue_fixture_commit - a one-recipient message of body_len bytes of
 * body, committed into incoming/ (into a spare when one may be taken) */
const char *queue_fixture_commit(size_t body_len, int *recycled)
{
    static char id[QUEUE_ID_LEN + 1];
    struct queue_file *qf = fixture_file(body_len, recycled, id);

    CU_ASSERT_EQUAL(queue_file_commit(qf, why), 0);
    return id;
}

/* queue_fixture_commit_keep - the same message committed with
 * queue_file_commit_keep; its result into *rc, a kept spare's name into
 * name */
const char *queue_fixture_commit_keep(size_t body_len, struct vstring *name,
                                      int *rc)
{
    static char id[QUEUE_ID_LEN + 1];
    int recycled;
    struct queue_file *qf = fixture_file(body_len, &recycled, id);

    *rc = queue_file_commit_keep(qf, name, why);
    return id;
}

/* queue_fixture_read_ok - queue/id reads back as queue_fixture_commit
 * wrote it */
void queue_fixture_read_ok(const char *queue, const char *id)
{
    struct queue_message *m = 0;

    CU_ASSERT_EQUAL(
        queue_file_read(root, queue, id, QUEUE_FILE_RDONLY, &m, why),
        QUEUE_FILE_OK);
    if (m) {
        CU_ASSERT_STRING_EQUAL(m->sender, "a@example.org");
        queue_message_free(m);
    }
}

/* queue_fixture_spare_synced - spare/ counts as synced for an hour */
void queue_fixture_spare_synced(void)
{
    struct timespec later;

    clock_gettime(CLOCK_REALTIME, &later);
    later.tv_sec += 3600;
    queue_spare_synced(root, &later);
}

/* queue_fixture_spare_setup - the tree, its spare/ synced */
int queue_fixture_spare_setup(void)
{
    if (queue_fixture_setup() != 0)
        return -1;
    queue_fixture_spare_synced();
    return 0;
}

/* queue_fixture_spare_teardown - the tree goes, and the taker's sample */
int queue_fixture_spare_teardown(void)
{
    queue_spare_forget();
    return queue_fixture_teardown();
}
