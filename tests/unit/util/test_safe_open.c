/*
 * test_safe_open.c - safe_open as a specification: what it opens, what it
 * refuses and why, and that a refusal never leaves a descriptor open. The
 * swap between check and open is made to happen through sys_ops.h's race
 * hook, so the race is deterministic.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safe_open.h"
#include "sys_ops.h"
#include "testkit.h"
#include "vstring.h"

static char *dir;
static char path[512], other[512], fifo[512];

/* lowest_free_fd - the descriptor open() would return next */
static int lowest_free_fd(void)
{
    int fd = dup(0);

    close(fd);
    return fd;
}

/* make_file - a regular file with some content */
static void make_file(const char *name)
{
    FILE *fp = fopen(name, "w");

    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    fputs("content\n", fp);
    fclose(fp);
}

static int setup(void)
{
    dir = testkit_tempdir();
    snprintf(path, sizeof(path), "%s/file", dir);
    snprintf(other, sizeof(other), "%s/other", dir);
    snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
    return 0;
}

static int teardown(void)
{
    testkit_rmtree(dir);
    free(dir);
    return 0;
}

/* fresh - empty the directory's known names */
static void fresh(void)
{
    if (unlink(path) < 0)
        rmdir(path);
    unlink(other);
    unlink(fifo);
    sys_set_race_hook(0);
}

/* Race hooks: change the file system between lstat and open. */
static void swap_regular(const char *name)
{
    make_file(other);
    CU_ASSERT_EQUAL(rename(other, name), 0);
}

static void swap_symlink(const char *name)
{
    unlink(name);
    CU_ASSERT_EQUAL(symlink(other, name), 0);
}

static void swap_fifo(const char *name)
{
    CU_ASSERT_EQUAL(mkfifo(fifo, 0600), 0);
    CU_ASSERT_EQUAL(rename(fifo, name), 0);
}

static void add_hard_link(const char *name)
{
    CU_ASSERT_EQUAL(link(name, other), 0);
}

/* Scene set-ups: what is at path before safe_open runs. */
static void scene_none(void)
{
}

static void scene_file(void)
{
    make_file(path);
}

static void scene_symlink(void)
{
    make_file(other);
    CU_ASSERT_EQUAL(symlink(other, path), 0);
}

static void scene_dangling(void)
{
    CU_ASSERT_EQUAL(symlink(other, path), 0);
}

static void scene_hard_link(void)
{
    make_file(path);
    CU_ASSERT_EQUAL(link(path, other), 0);
}

static void scene_dir(void)
{
    CU_ASSERT_EQUAL(mkdir(path, 0700), 0);
}

static void scene_fifo(void)
{
    CU_ASSERT_EQUAL(mkfifo(path, 0600), 0);
}

struct refusal {
    const char *name;
    void (*scene)(void);
    void (*race)(const char *);
    int flags;      /* for safe_open() */
    int wrong_owner;
    int want;       /* the negative errno */
    const char *why;
};

static const struct refusal refusals[] = {
    {"symlink", scene_symlink, 0, O_RDONLY, 0, -ELOOP, "is a symbolic link"},
    {"hard link", scene_hard_link, 0, O_RDONLY, 0, -EPERM,
     "has more than one link"},
    {"directory", scene_dir, 0, O_RDONLY, 0, -EPERM, "is not a regular file"},
    {"fifo", scene_fifo, 0, O_RDONLY, 0, -EPERM, "is not a regular file"},
    {"wrong owner", scene_file, 0, O_RDONLY, 1, -EPERM,
     "has an unexpected owner"},
    {"missing", scene_none, 0, O_RDONLY, 0, -ENOENT, "does not exist"},
    {"O_TRUNC", scene_file, 0, O_RDWR | O_TRUNC, 0, -EINVAL,
     "unsupported open flags"},
    {"O_EXCL without O_CREAT", scene_file, 0, O_RDWR | O_EXCL, 0, -EINVAL,
     "unsupported open flags"},
    {"swapped for another file", scene_file, swap_regular, O_RDONLY, 0, -EPERM,
     "was replaced between check and open"},
    {"swapped for a symlink", scene_file, swap_symlink, O_RDONLY, 0, -ELOOP,
     "is a symbolic link"},
    {"swapped for a fifo", scene_file, swap_fifo, O_RDONLY, 0, -EPERM,
     "was replaced between check and open"},
    {"hard-linked after the check", scene_file, add_hard_link, O_RDONLY, 0,
     -EPERM, "has more than one link"},
    {"exclusive create, file exists", scene_file, 0,
     O_WRONLY | O_CREAT | O_EXCL, 0, -EEXIST, "already exists"},
    {"exclusive create, dangling symlink", scene_dangling, 0,
     O_WRONLY | O_CREAT | O_EXCL, 0, -EEXIST, "already exists"},
    {"create-or-open, symlink", scene_symlink, 0, O_WRONLY | O_CREAT, 0,
     -ELOOP, "is a symbolic link"},
    {"create-or-open, dangling symlink", scene_dangling, 0, O_WRONLY | O_CREAT,
     0, -ELOOP, "is a symbolic link"},
    {0, 0, 0, 0, 0, 0, 0}};

/* Every refusal: the code, the reason, no descriptor left, nothing made. */
static void test_refusals(void)
{
    const struct refusal *r;
    struct vstring *why = vstring_alloc(0);
    struct stat st;

    for (r = refusals; r->name; r++) {
        int before, fd;

        fresh();
        r->scene();
        sys_set_race_hook(r->race);
        before = lowest_free_fd();
        vstring_set_str(why, "untouched");
        fd = safe_open(path, r->flags, 0600, geteuid() + (uid_t)r->wrong_owner,
                       why);
        sys_set_race_hook(0);
        if (fd != r->want || strcmp(vstring_str(why), r->why) != 0)
            fprintf(stderr, "\n%s: got %d (%s)\n", r->name, fd,
                    vstring_str(why));
        CU_ASSERT_EQUAL(fd, r->want);
        CU_ASSERT_STRING_EQUAL(vstring_str(why), r->why);
        CU_ASSERT_EQUAL(lowest_free_fd(), before);
        if (fd >= 0)
            close(fd);
    }
    /* The dangling symlink's target was never created. */
    fresh();
    scene_dangling();
    CU_ASSERT(safe_open_create(path, O_WRONLY, 0600, geteuid(), why) < 0);
    CU_ASSERT_EQUAL(stat(other, &st), -1);
    fresh();
    vstring_free(why);
}

/* An existing file opens; the descriptor is that file; why is untouched. */
static void test_open_existing(void)
{
    struct vstring *why = vstring_alloc(0);
    struct stat by_name, by_fd;
    char buf[16];
    int fd;

    fresh();
    make_file(path);
    vstring_set_str(why, "untouched");
    fd = safe_open_existing(path, O_RDONLY | O_CLOEXEC, geteuid(), why);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_STRING_EQUAL(vstring_str(why), "untouched");
    CU_ASSERT_EQUAL(fstat(fd, &by_fd), 0);
    CU_ASSERT_EQUAL(stat(path, &by_name), 0);
    CU_ASSERT_EQUAL(by_fd.st_ino, by_name.st_ino);
    CU_ASSERT_EQUAL(read(fd, buf, 7), 7);
    CU_ASSERT_EQUAL(memcmp(buf, "content", 7), 0);
    CU_ASSERT(fcntl(fd, F_GETFD) & FD_CLOEXEC);
    close(fd);
    fresh();
    vstring_free(why);
}

/* Create: a new file with the mode asked for; create-or-open both ways. */
static void test_create(void)
{
    struct vstring *why = vstring_alloc(0);
    struct stat st;
    int fd, fd2;

    fresh();
    fd = safe_open(path, O_WRONLY | O_CREAT | O_EXCL, 0600, geteuid(), why);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL(fstat(fd, &st), 0);
    CU_ASSERT(S_ISREG(st.st_mode));
    CU_ASSERT_EQUAL(st.st_mode & 0077, 0);
    CU_ASSERT_EQUAL(write(fd, "x", 1), 1);
    close(fd);
    /* create-or-open: opens the existing one, not a new one */
    fd2 = safe_open(path, O_RDONLY | O_CREAT, 0600, geteuid(), why);
    CU_ASSERT_FATAL(fd2 >= 0);
    CU_ASSERT_EQUAL(fstat(fd2, &st), 0);
    CU_ASSERT_EQUAL(st.st_size, 1);
    close(fd2);
    /* create-or-open: creates when there is nothing */
    unlink(path);
    fd2 = safe_open(path, O_WRONLY | O_CREAT | O_APPEND, 0640, geteuid(), why);
    CU_ASSERT_FATAL(fd2 >= 0);
    CU_ASSERT_EQUAL(fstat(fd2, &st), 0);
    CU_ASSERT_EQUAL(st.st_size, 0);
    close(fd2);
    /* a created file with an unexpected owner is refused, fd closed */
    unlink(path);
    fd = lowest_free_fd();
    CU_ASSERT_EQUAL(safe_open_create(path, O_WRONLY, 0600, geteuid() + 1, why),
                    -EPERM);
    CU_ASSERT_STRING_EQUAL(vstring_str(why), "has an unexpected owner");
    CU_ASSERT_EQUAL(lowest_free_fd(), fd);
    fresh();
    vstring_free(why);
}

static const struct testkit_case cases[] = {
    {"refusals: code, reason, no descriptor left", test_refusals},
    {"open existing: the checked file, why untouched", test_open_existing},
    {"create exclusive, create-or-open", test_create},
    {0, 0}};

TESTKIT_SUITE("safe_open", setup, teardown, cases)
