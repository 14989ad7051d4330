/*
 * sys_ops.c - allocator and system-call wrappers with trusted contracts
 * (spec/sys_ops.h). Kept thin so that the contracts are easy to believe.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "mymalloc.h"
#include "sys_ops.h"
#include "vstring.h"

static void (*sys_race_hook)(const char *path);

/* sys_alloc_bytes - a byte block that never is NULL */
char *sys_alloc_bytes(size_t n)
{
    return mymalloc(n);
}

/* sys_alloc_vstring - room for one struct vstring */
struct vstring *sys_alloc_vstring(void)
{
    return mymalloc(sizeof(struct vstring));
}

/* sys_free_bytes - release a byte block */
void sys_free_bytes(char *p)
{
    myfree(p);
}

/* sys_free_vstring - release a struct vstring */
void sys_free_vstring(struct vstring *v)
{
    myfree(v);
}

/* sys_open - open(2); a descriptor beyond the model's bound is refused */
int sys_open(const char *path, int flags, mode_t mode)
{
    int fd = open(path, flags, mode);

    if (fd < 0)
        return -errno;
    if (fd >= SYS_FD_MAX) {
        (void)close(fd);
        return -EMFILE;
    }
    return fd;
}

/* sys_close - close(2); Linux releases the descriptor even on error */
void sys_close(int fd)
{
    (void)close(fd);
}

/* sys_fstat - fstat(2) */
int sys_fstat(int fd, struct stat *st)
{
    return fstat(fd, st) < 0 ? -errno : 0;
}

/* sys_lstat - lstat(2) */
int sys_lstat(const char *path, struct stat *st)
{
    return lstat(path, st) < 0 ? -errno : 0;
}

/* sys_race_window - where a test may change the file system */
void sys_race_window(const char *path)
{
    if (sys_race_hook)
        sys_race_hook(path);
}

/* sys_set_race_hook - install the test hook for sys_race_window() */
void sys_set_race_hook(void (*hook)(const char *path))
{
    sys_race_hook = hook;
}
