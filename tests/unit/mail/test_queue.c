/*
 * test_queue.c - queue names, ids (unique over many calls and across fork,
 * sorted by time), directory creation and repair, moves, listing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "queue.h"
#include "testkit.h"
#include "vstring.h"

#define MANY 20000

static int compare_ids(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_names_and_ids(void)
{
    static const struct {
        const char *id;
        int ok;
    } table[] = {
        {"65A1B2C3000010003E80000", 1},
        {"65A1B2C3000010003E8000", 0},   /* short */
        {"65A1B2C3000010003E800000", 0}, /* long */
        {"65a1b2c3000010003e80000", 0},  /* lower case */
        {"65A1B2C3000010003E8000G", 0},
        {"../../../../etc/passwd00", 0},
        {"", 0},
    };
    size_t i;

    for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        CU_ASSERT_EQUAL(queue_id_valid(table[i].id), table[i].ok);
    CU_ASSERT(queue_name_valid("incoming"));
    CU_ASSERT(queue_name_valid("maildrop"));
    CU_ASSERT(!queue_name_valid("../incoming"));
    CU_ASSERT(!queue_name_valid("tmp"));
}

/* collect - n ids into an array of strings */
static char **collect(size_t n)
{
    struct vstring *id = vstring_alloc(32);
    char **ids = malloc(n * sizeof(*ids));
    size_t i;

    for (i = 0; i < n; i++) {
        queue_id_new(id);
        ids[i] = strdup(vstring_str(id));
    }
    vstring_free(id);
    return ids;
}

static void free_ids(char **ids, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
}

static void test_ids_unique_and_sorted(void)
{
    char **ids = collect(MANY);
    size_t i, sorted = 1, dup = 0;

    for (i = 1; i < MANY; i++)
        if (strcmp(ids[i - 1], ids[i]) >= 0)
            sorted = 0;
    CU_ASSERT(sorted); /* one process: time then counter keep them ordered */
    qsort(ids, MANY, sizeof(*ids), compare_ids);
    for (i = 1; i < MANY; i++)
        if (strcmp(ids[i - 1], ids[i]) == 0)
            dup++;
    CU_ASSERT_EQUAL(dup, 0);
    CU_ASSERT(queue_id_valid(ids[0]));
    free_ids(ids, MANY);
}

static void test_ids_unique_across_fork(void)
{
    int pipefd[2];
    char **ids, buf[QUEUE_ID_LEN + 1];
    size_t i, n = 0, dup = 0, per = 2000;
    char **all = malloc(3 * per * sizeof(*all));
    pid_t pid[2];
    int k, status;

    CU_ASSERT_FATAL(pipe(pipefd) == 0);
    ids = collect(per); /* the parent's counter has moved on: fork copies it */
    for (k = 0; k < 2; k++) {
        if ((pid[k] = fork()) == 0) {
            char **mine = collect(per);
            for (i = 0; i < per; i++)
                if (write(pipefd[1], mine[i], QUEUE_ID_LEN) != QUEUE_ID_LEN)
                    _exit(1);
            _exit(0);
        }
    }
    close(pipefd[1]);
    for (i = 0; i < per; i++)
        all[n++] = ids[i];
    while (read(pipefd[0], buf, QUEUE_ID_LEN) == QUEUE_ID_LEN) {
        buf[QUEUE_ID_LEN] = 0;
        all[n++] = strdup(buf);
    }
    close(pipefd[0]);
    for (k = 0; k < 2; k++) {
        waitpid(pid[k], &status, 0);
        CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    CU_ASSERT_EQUAL(n, 3 * per);
    qsort(all, n, sizeof(*all), compare_ids);
    for (i = 1; i < n; i++)
        if (strcmp(all[i - 1], all[i]) == 0)
            dup++;
    CU_ASSERT_EQUAL(dup, 0);
    free(ids);
    free_ids(all, n);
}

static void test_dirs_create_and_repair(void)
{
    char *root = testkit_tempdir();
    struct vstring *why = vstring_alloc(64);
    struct vstring *p = vstring_alloc(64);
    struct stat st;
    char link_target[300];

    CU_ASSERT_EQUAL(queue_dirs_create(root, (uid_t)-1, (gid_t)-1, why), 0);
    queue_dir_path(p, root, QUEUE_MAILDROP);
    CU_ASSERT_EQUAL(stat(vstring_str(p), &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 07777, QUEUE_MODE_MAILDROP);
    queue_dir_path(p, root, QUEUE_INCOMING);
    CU_ASSERT_EQUAL(stat(vstring_str(p), &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 07777, QUEUE_MODE_PRIVATE);

    /* a loosened mode is repaired; running twice is fine */
    chmod(vstring_str(p), 0777);
    CU_ASSERT_EQUAL(queue_dirs_create(root, (uid_t)-1, (gid_t)-1, why), 0);
    CU_ASSERT_EQUAL(stat(vstring_str(p), &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 07777, QUEUE_MODE_PRIVATE);

    /* a symlink in place of a queue is refused */
    queue_dir_path(p, root, QUEUE_HOLD);
    rmdir(vstring_str(p));
    snprintf(link_target, sizeof(link_target), "%s/incoming", root);
    CU_ASSERT_EQUAL(symlink(link_target, vstring_str(p)), 0);
    CU_ASSERT_EQUAL(queue_dirs_create(root, (uid_t)-1, (gid_t)-1, why), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(vstring_str(why), "hold"));

    testkit_rmtree(root);
    free(root);
    vstring_free(why);
    vstring_free(p);
}

static struct vstring *bad_path_buf;

static void bad_path(void *arg)
{
    queue_path(bad_path_buf, "/q", "incoming", (const char *)arg);
}

static void test_move_and_scan(void)
{
    char *root = testkit_tempdir();
    struct vstring *why = vstring_alloc(64);
    struct vstring *p = vstring_alloc(64);
    struct vstring *id = vstring_alloc(32);
    struct vstring *seen = vstring_alloc(32);
    struct queue_scan scan;
    char keep[QUEUE_ID_LEN + 1];
    int fd, is_part, found = 0, parts = 0;

    CU_ASSERT_FATAL(queue_dirs_create(root, (uid_t)-1, (gid_t)-1, why) == 0);
    queue_id_new(id);
    snprintf(keep, sizeof(keep), "%s", vstring_str(id));
    queue_path(p, root, QUEUE_INCOMING, keep);
    fd = open(vstring_str(p), O_CREAT | O_WRONLY, 0600);
    close(fd);
    vstring_append_str(p, ".part");
    close(open(vstring_str(p), O_CREAT | O_WRONLY, 0600));
    queue_dir_path(p, root, QUEUE_INCOMING);
    vstring_append_str(p, "/junk");
    close(open(vstring_str(p), O_CREAT | O_WRONLY, 0600));

    CU_ASSERT_EQUAL(queue_scan_open(&scan, root, QUEUE_INCOMING, why), 0);
    while (queue_scan_next(&scan, seen, &is_part)) {
        CU_ASSERT_STRING_EQUAL(vstring_str(seen), keep);
        parts += is_part;
        found++;
    }
    queue_scan_close(&scan);
    CU_ASSERT_EQUAL(found, 2);
    CU_ASSERT_EQUAL(parts, 1);

    CU_ASSERT_EQUAL(queue_move(root, QUEUE_INCOMING, QUEUE_ACTIVE, keep, why),
                    0);
    queue_path(p, root, QUEUE_ACTIVE, keep);
    CU_ASSERT_EQUAL(access(vstring_str(p), F_OK), 0);
    /* gone from the source: a second move fails with ENOENT */
    CU_ASSERT_EQUAL(queue_move(root, QUEUE_INCOMING, QUEUE_ACTIVE, keep, why),
                    -1);
    CU_ASSERT_EQUAL(errno, ENOENT);
    /* never overwrites */
    queue_path(p, root, QUEUE_DEFERRED, keep);
    close(open(vstring_str(p), O_CREAT | O_WRONLY, 0600));
    CU_ASSERT_EQUAL(queue_move(root, QUEUE_ACTIVE, QUEUE_DEFERRED, keep, why),
                    -1);
    CU_ASSERT_EQUAL(errno, EEXIST);
    CU_ASSERT_EQUAL(
        queue_scan_open(&scan, "/nonexistent-sluice", QUEUE_HOLD, why), -1);

    bad_path_buf = p;
    CU_ASSERT_EQUAL(testkit_expect_exit(bad_path, "../x"), 2);
    testkit_rmtree(root);
    free(root);
    vstring_free(why);
    vstring_free(p);
    vstring_free(id);
    vstring_free(seen);
}

static const struct testkit_case cases[] = {
    {"queue names and id syntax", test_names_and_ids},
    {"ids unique and sorted over many calls", test_ids_unique_and_sorted},
    {"ids unique across fork", test_ids_unique_across_fork},
    {"directories created, repaired, symlink refused",
     test_dirs_create_and_repair},
    {"move by rename, no overwrite; scan", test_move_and_scan},
    {NULL, NULL}};
TESTKIT_SUITE("queue", NULL, NULL, cases);
