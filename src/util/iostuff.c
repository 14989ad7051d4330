/*
 * iostuff.c - descriptor flags, whole-buffer I/O and a durable rename.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fsync_util.h"
#include "iostuff.h"

/* flag_set - set or clear one bit with fcntl get/set commands */
static int flag_set(int fd, int get_cmd, int set_cmd, int bit, int on)
{
    int flags = fcntl(fd, get_cmd);
    int want;

    if (flags < 0)
        return -1;
    want = on ? flags | bit : flags & ~bit;
    if (want != flags && fcntl(fd, set_cmd, want) < 0)
        return -1;
    return (flags & bit) != 0;
}

/* io_close_on_exec - set or clear FD_CLOEXEC */
int io_close_on_exec(int fd, int on)
{
    return flag_set(fd, F_GETFD, F_SETFD, FD_CLOEXEC, on);
}

/* io_non_blocking - set or clear O_NONBLOCK */
int io_non_blocking(int fd, int on)
{
    return flag_set(fd, F_GETFL, F_SETFL, O_NONBLOCK, on);
}

/* io_write_all - write the whole buffer */
int io_write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    ssize_t n;

    while (len > 0) {
        n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* io_read_all - read until full or EOF */
ssize_t io_read_all(int fd, void *buf, size_t len)
{
    char *p = buf;
    size_t done = 0;
    ssize_t n;

    while (done < len) {
        n = read(fd, p + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        done += (size_t)n;
    }
    return (ssize_t)done;
}

/* same_parent - do two paths name entries of the same directory string */
static int same_parent(const char *a, const char *b)
{
    const char *sa = strrchr(a, '/');
    const char *sb = strrchr(b, '/');
    size_t la = sa ? (size_t)(sa - a) : 0;
    size_t lb = sb ? (size_t)(sb - b) : 0;

    return (sa == 0) == (sb == 0) && la == lb && memcmp(a, b, la) == 0;
}

/* io_sane_rename - rename, then make both directory entries durable */
int io_sane_rename(const char *from, const char *to)
{
    if (rename(from, to) < 0)
        return -1;
    if (fsync_parent(to) < 0)
        return -1;
    if (!same_parent(from, to) && fsync_parent(from) < 0)
        return -1;
    return 0;
}
