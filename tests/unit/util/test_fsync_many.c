/*
 * test_fsync_many.c - a batch of fsyncs at once: every file done, each
 * failure reported for its own descriptor (a pipe, a closed descriptor),
 * batches larger than one submission, and a child process after a fork
 * (an AIO context is not inherited).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fsync_many.h"
#include "testkit.h"

#define FILES (FSYNC_MANY_MAX + 6)

static char *dir;
static int fds[FILES];

/* open_files - n written files under dir, into fds */
static void open_files(size_t n)
{
    char path[512];
    size_t i;

    for (i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "%s/f%zu", dir, i);
        fds[i] = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
        CU_ASSERT_FATAL(fds[i] >= 0);
        CU_ASSERT_EQUAL(write(fds[i], "mail\n", 5), 5);
    }
}

static void close_files(size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        close(fds[i]);
}

static int setup(void)
{
    dir = testkit_tempdir();
    return dir ? 0 : -1;
}

static int teardown(void)
{
    testkit_rmtree(dir);
    free(dir);
    return 0;
}

static void test_all_files(void)
{
    int errs[FILES];
    size_t i;

    open_files(FILES);
    memset(errs, 0x55, sizeof(errs));
    CU_ASSERT_EQUAL(fsync_many(fds, errs, 5), 0);
    CU_ASSERT_EQUAL(fsync_many(fds, errs, FILES), 0); /* two submissions */
    for (i = 0; i < FILES; i++)
        CU_ASSERT_EQUAL(errs[i], 0);
    CU_ASSERT_EQUAL(fsync_many(fds, errs, 0), 0);
    close_files(FILES);
}

static void test_each_failure_its_own(void)
{
    int errs[5], pipefd[2], closed;

    open_files(3);
    CU_ASSERT_FATAL(pipe(pipefd) == 0);
    closed = dup(fds[0]);
    close(closed);
    {
        int batch[5] = {fds[0], pipefd[0], fds[1], closed, fds[2]};

        CU_ASSERT_EQUAL(fsync_many(batch, errs, 5), 2);
    }
    CU_ASSERT_EQUAL(errs[0], 0);
    CU_ASSERT_EQUAL(errs[1], EINVAL); /* a pipe cannot be fsynced */
    CU_ASSERT_EQUAL(errs[2], 0);
    CU_ASSERT_EQUAL(errs[3], EBADF);
    CU_ASSERT_EQUAL(errs[4], 0);
    close(pipefd[0]);
    close(pipefd[1]);
    close_files(3);
}

static void test_after_fork(void)
{
    int errs[4], status = -1;
    pid_t pid;

    open_files(4);
    CU_ASSERT_EQUAL(fsync_many(fds, errs, 4), 0); /* the parent's context */
    if ((pid = fork()) == 0)
        _exit(fsync_many(fds, errs, 4) == 0 && errs[3] == 0 ? 0 : 1);
    CU_ASSERT_FATAL(pid > 0);
    CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
    CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CU_ASSERT_EQUAL(fsync_many(fds, errs, 4), 0);
    close_files(4);
}

static const struct testkit_case cases[] = {
    {"fsync_many: every file, in one or more submissions", test_all_files},
    {"fsync_many: a pipe and a closed fd fail alone", test_each_failure_its_own},
    {"fsync_many: a child after fork has its own context", test_after_fork},
    {NULL, NULL}};

TESTKIT_SUITE("fsync_many", setup, teardown, cases);
