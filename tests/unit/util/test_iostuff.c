/*
 * test_iostuff.c - descriptor flags report and change state; whole-buffer
 * I/O moves every byte or says why not; sane_rename moves and syncs.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iostuff.h"
#include "testkit.h"

/* test_close_on_exec - returns the old state, sets the new one */
static void test_close_on_exec(void)
{
    int p[2];

    CU_ASSERT_FATAL(pipe(p) == 0);
    CU_ASSERT_EQUAL(io_close_on_exec(p[0], 1), 0);
    CU_ASSERT(fcntl(p[0], F_GETFD) & FD_CLOEXEC);
    CU_ASSERT_EQUAL(io_close_on_exec(p[0], 1), 1);
    CU_ASSERT_EQUAL(io_close_on_exec(p[0], 0), 1);
    CU_ASSERT_FALSE(fcntl(p[0], F_GETFD) & FD_CLOEXEC);
    CU_ASSERT_EQUAL(io_close_on_exec(-1, 1), -1);
    CU_ASSERT_EQUAL(errno, EBADF);
    close(p[0]);
    close(p[1]);
}

/* test_non_blocking - returns the old state, sets the new one */
static void test_non_blocking(void)
{
    int p[2];
    char c;

    CU_ASSERT_FATAL(pipe(p) == 0);
    CU_ASSERT_EQUAL(io_non_blocking(p[0], 1), 0);
    CU_ASSERT_EQUAL(read(p[0], &c, 1), -1);
    CU_ASSERT_EQUAL(errno, EAGAIN);
    CU_ASSERT_EQUAL(io_non_blocking(p[0], 0), 1);
    CU_ASSERT_FALSE(fcntl(p[0], F_GETFL) & O_NONBLOCK);
    CU_ASSERT_EQUAL(io_non_blocking(-1, 0), -1);
    close(p[0]);
    close(p[1]);
}

/* test_write_read_all - a large buffer round-trips through a file */
static void test_write_read_all(void)
{
    size_t len = 300000, i;
    char *out = malloc(len), *in = malloc(len + 10);
    char *dir = testkit_tempdir(), path[512];
    int fd;

    for (i = 0; i < len; i++)
        out[i] = (char)(i * 7);
    snprintf(path, sizeof(path), "%s/data", dir);
    fd = open(path, O_RDWR | O_CREAT, 0600);
    CU_ASSERT_EQUAL(io_write_all(fd, out, len), 0);
    CU_ASSERT_EQUAL(lseek(fd, 0, SEEK_SET), 0);
    CU_ASSERT_EQUAL(io_read_all(fd, in, len + 10), (ssize_t)len);
    CU_ASSERT_EQUAL(memcmp(in, out, len), 0);
    CU_ASSERT_EQUAL(io_read_all(fd, in, 10), 0);
    close(fd);
    CU_ASSERT_EQUAL(io_read_all(fd, in, 10), -1);
    CU_ASSERT_EQUAL(errno, EBADF);
    testkit_rmtree(dir);
    free(dir);
    free(out);
    free(in);
}

/* test_write_all_error - a closed pipe is EPIPE, not a silent loss */
static void test_write_all_error(void)
{
    void (*old)(int) = signal(SIGPIPE, SIG_IGN);
    int p[2];

    CU_ASSERT_FATAL(pipe(p) == 0);
    close(p[0]);
    CU_ASSERT_EQUAL(io_write_all(p[1], "abc", 3), -1);
    CU_ASSERT_EQUAL(errno, EPIPE);
    close(p[1]);
    signal(SIGPIPE, old);
}

static const struct rename_case {
    const char *from;
    const char *to;
    int result;
    int err;
} rename_cases[] = {
    {"a/msg", "a/msg2", 0, 0}, /* within one directory */
    {"a/msg2", "b/msg", 0, 0}, /* across directories */
    {"a/none", "b/x", -1, ENOENT},
    {"b/msg", "c/msg", -1, ENOENT},
};

/* test_sane_rename - moves the file; failures leave it where it was */
static void test_sane_rename(void)
{
    char *dir = testkit_tempdir(), from[512], to[512];
    struct stat st;
    size_t i;
    int fd;

    snprintf(from, sizeof(from), "%s/a", dir);
    mkdir(from, 0700);
    snprintf(from, sizeof(from), "%s/b", dir);
    mkdir(from, 0700);
    snprintf(from, sizeof(from), "%s/a/msg", dir);
    fd = open(from, O_WRONLY | O_CREAT, 0600);
    close(fd);
    for (i = 0; i < sizeof(rename_cases) / sizeof(rename_cases[0]); i++) {
        const struct rename_case *c = &rename_cases[i];

        snprintf(from, sizeof(from), "%s/%s", dir, c->from);
        snprintf(to, sizeof(to), "%s/%s", dir, c->to);
        errno = 0;
        CU_ASSERT_EQUAL(io_sane_rename(from, to), c->result);
        if (c->result == 0) {
            CU_ASSERT_EQUAL(stat(to, &st), 0);
            CU_ASSERT_EQUAL(stat(from, &st), -1);
        } else {
            CU_ASSERT_EQUAL(errno, c->err);
        }
    }
    snprintf(to, sizeof(to), "%s/b/msg", dir);
    CU_ASSERT_EQUAL(stat(to, &st), 0); /* the failed move left it there */
    testkit_rmtree(dir);
    free(dir);
}

static const struct testkit_case cases[] = {
    {"close-on-exec on and off", test_close_on_exec},
    {"non-blocking on and off", test_non_blocking},
    {"write_all/read_all round trip, EOF, EBADF", test_write_read_all},
    {"write_all to a closed pipe", test_write_all_error},
    {"sane_rename within and across directories", test_sane_rename},
    {NULL, NULL}};

TESTKIT_SUITE("iostuff", NULL, NULL, cases);
