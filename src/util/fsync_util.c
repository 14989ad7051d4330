/*
 * fsync_util.c - fsync of descriptors, directories and parent directories.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "fsync_util.h"
#include "mymalloc.h"

/* fsync_fd - fsync, retrying only EINTR */
int fsync_fd(int fd)
{
    int r;

    do
        r = fsync(fd);
    while (r < 0 && errno == EINTR);
    return r;
}

/* fsync_dir - fsync a directory by name */
int fsync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int r, saved;

    if (fd < 0)
        return -1;
    r = fsync_fd(fd);
    saved = errno;
    close(fd);
    errno = saved;
    return r;
}

/* fsync_parent - fsync the directory that holds path */
int fsync_parent(const char *path)
{
    size_t len = strlen(path);
    const char *slash;
    char *dir;
    int r, saved;

    while (len > 1 && path[len - 1] == '/')
        len--;
    slash = memrchr(path, '/', len);
    if (slash == 0)
        return fsync_dir(".");
    if (slash == path)
        return fsync_dir("/");
    dir = mystrndup(path, (size_t)(slash - path));
    r = fsync_dir(dir);
    saved = errno;
    myfree(dir);
    errno = saved;
    return r;
}
