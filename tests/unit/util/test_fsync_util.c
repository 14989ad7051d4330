/*
 * test_fsync_util.c - fsync helpers: success on the objects they are for,
 * errno on the rest, and fsync_parent choosing the right directory (seen
 * through the errors it gets when that directory is missing or a file).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsync_util.h"
#include "testkit.h"

static char *dir;

static int setup(void)
{
    char path[512];
    int fd;

    dir = testkit_tempdir();
    snprintf(path, sizeof(path), "%s/file", dir);
    fd = open(path, O_WRONLY | O_CREAT, 0600);
    if (fd < 0)
        return -1;
    close(fd);
    return 0;
}

static int teardown(void)
{
    testkit_rmtree(dir);
    free(dir);
    return 0;
}

/* test_fsync_fd - a file syncs, a pipe and a bad fd do not */
static void test_fsync_fd(void)
{
    char path[512];
    int fd, p[2];

    snprintf(path, sizeof(path), "%s/file", dir);
    fd = open(path, O_WRONLY);
    CU_ASSERT_EQUAL(fsync_fd(fd), 0);
    close(fd);
    CU_ASSERT_FATAL(pipe(p) == 0);
    CU_ASSERT_EQUAL(fsync_fd(p[0]), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    close(p[0]);
    close(p[1]);
    CU_ASSERT_EQUAL(fsync_fd(-1), -1);
    CU_ASSERT_EQUAL(errno, EBADF);
}

static const struct path_case {
    const char *suffix; /* appended to the temp dir; NULL: used as is */
    const char *plain;
    int result;
    int err;
} dir_cases[] = {
    {"", 0, 0, 0},
    {"/", 0, 0, 0},
    {"/missing", 0, -1, ENOENT},
    {"/file", 0, -1, ENOTDIR},
    {0, "/", 0, 0},
    {0, ".", 0, 0},
};

/* test_fsync_dir - directories sync; missing names and files do not */
static void test_fsync_dir(void)
{
    char path[512];
    size_t i;

    for (i = 0; i < sizeof(dir_cases) / sizeof(dir_cases[0]); i++) {
        const struct path_case *c = &dir_cases[i];

        if (c->suffix)
            snprintf(path, sizeof(path), "%s%s", dir, c->suffix);
        else
            snprintf(path, sizeof(path), "%s", c->plain);
        errno = 0;
        CU_ASSERT_EQUAL(fsync_dir(path), c->result);
        if (c->result < 0)
            CU_ASSERT_EQUAL(errno, c->err);
    }
}

static const struct path_case parent_cases[] = {
    {"/file", 0, 0, 0},          /* parent: the temp dir */
    {"/new-name", 0, 0, 0},      /* the name itself need not exist */
    {"/file/x", 0, -1, ENOTDIR}, /* parent is a file */
    {"/gone/x", 0, -1, ENOENT},  /* parent is missing */
    {"/gone/x/", 0, -1, ENOENT}, /* trailing slash: same parent */
    {"/file/", 0, 0, 0},         /* parent of "<dir>/file": the dir */
    {"//", 0, 0, 0},             /* "<dir>//" -> "<dir>" */
    {0, "plain-name", 0, 0},     /* parent: "." */
    {0, "/etc", 0, 0},           /* parent: "/" */
    {0, "/", 0, 0},
};

/* test_fsync_parent - the parent is derived as documented */
static void test_fsync_parent(void)
{
    char path[512];
    size_t i;

    for (i = 0; i < sizeof(parent_cases) / sizeof(parent_cases[0]); i++) {
        const struct path_case *c = &parent_cases[i];

        if (c->suffix)
            snprintf(path, sizeof(path), "%s%s", dir, c->suffix);
        else
            snprintf(path, sizeof(path), "%s", c->plain);
        errno = 0;
        CU_ASSERT_EQUAL(fsync_parent(path), c->result);
        if (c->result < 0)
            CU_ASSERT_EQUAL(errno, c->err);
    }
}

static const struct testkit_case cases[] = {
    {"fsync_fd on a file, a pipe, a bad fd", test_fsync_fd},
    {"fsync_dir on directories, missing names, files", test_fsync_dir},
    {"fsync_parent derives the parent", test_fsync_parent},
    {NULL, NULL}};

TESTKIT_SUITE("fsync_util", setup, teardown, cases);
