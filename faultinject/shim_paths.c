/*
 * shim_paths.c - the path-based calls and the allocator of the syscall
 * fault shim (see shim.c for the environment that drives it).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "shim.h"
#include "shim_power.h"

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);

/* rename - fails */
int rename(const char *from, const char *to)
{
    static int (*real)(const char *, const char *);
    struct pl_names n;
    int ret;

    if (real == 0)
        real = shim_real("rename");
    if (shim_should_fail(SC_RENAME, to, -1))
        SHIM_FAIL(-1);
    pl_name_before(PL_RENAME, AT_FDCWD, from, AT_FDCWD, to, &n);
    ret = real(from, to);
    pl_name_after(&n, ret);
    return ret;
}

/* renameat - fails */
int renameat(int fd1, const char *from, int fd2, const char *to)
{
    static int (*real)(int, const char *, int, const char *);
    struct pl_names n;
    int ret;

    if (real == 0)
        real = shim_real("renameat");
    if (shim_should_fail(SC_RENAME, to, -1))
        SHIM_FAIL(-1);
    pl_name_before(PL_RENAME, fd1, from, fd2, to, &n);
    ret = real(fd1, from, fd2, to);
    pl_name_after(&n, ret);
    return ret;
}

/* renameat2 - fails */
int renameat2(int fd1, const char *from, int fd2, const char *to,
              unsigned int flags)
{
    static int (*real)(int, const char *, int, const char *, unsigned int);
    struct pl_names n;
    int ret;

    if (real == 0)
        real = shim_real("renameat2");
    if (shim_should_fail(SC_RENAME, to, -1))
        SHIM_FAIL(-1);
    pl_name_before(PL_RENAME, fd1, from, fd2, to, &n);
    ret = real(fd1, from, fd2, to, flags);
    pl_name_after(&n, ret);
    return ret;
}

/* link - fails */
int link(const char *from, const char *to)
{
    static int (*real)(const char *, const char *);
    struct pl_names n;
    int ret;

    if (real == 0)
        real = shim_real("link");
    if (shim_should_fail(SC_LINK, to, -1))
        SHIM_FAIL(-1);
    pl_name_before(PL_LINK, AT_FDCWD, from, AT_FDCWD, to, &n);
    ret = real(from, to);
    pl_name_after(&n, ret);
    return ret;
}

/* linkat - fails */
int linkat(int fd1, const char *from, int fd2, const char *to, int flags)
{
    static int (*real)(int, const char *, int, const char *, int);
    struct pl_names n;
    int ret;

    if (real == 0)
        real = shim_real("linkat");
    if (shim_should_fail(SC_LINK, to, -1))
        SHIM_FAIL(-1);
    pl_name_before(PL_LINK, fd1, from, fd2, to, &n);
    ret = real(fd1, from, fd2, to, flags);
    pl_name_after(&n, ret);
    return ret;
}

/* unlink - fails */
int unlink(const char *path)
{
    static int (*real)(const char *);
    struct pl_names n;
    int ret;

    if (real == 0)
        real = shim_real("unlink");
    if (shim_should_fail(SC_UNLINK, path, -1))
        SHIM_FAIL(-1);
    pl_name_before(PL_UNLINK, AT_FDCWD, 0, AT_FDCWD, path, &n);
    ret = real(path);
    pl_name_after(&n, ret);
    return ret;
}

/* unlinkat - fails */
int unlinkat(int fd, const char *path, int flags)
{
    static int (*real)(int, const char *, int);
    struct pl_names n;
    int ret;

    if (real == 0)
        real = shim_real("unlinkat");
    if (shim_should_fail(SC_UNLINK, path, -1))
        SHIM_FAIL(-1);
    n.kind = -1;
    if (!(flags & AT_REMOVEDIR))
        pl_name_before(PL_UNLINK, fd, 0, fd, path, &n);
    ret = real(fd, path, flags);
    pl_name_after(&n, ret);
    return ret;
}

/* shim_opened - note a new descriptor; returns it */
static int shim_opened(int dirfd, const char *path, int flags, int fd,
                       int existed)
{
    if (fd >= 0)
        shim_created(fd, flags);
    pl_open_after(dirfd, path, flags, fd, existed);
    return fd;
}

/* shim_mode - the mode argument of an open that creates */
#define SHIM_MODE(flags, ap, mode) do { \
        if ((flags) & (O_CREAT | O_TMPFILE)) { va_start(ap, flags); \
            mode = va_arg(ap, mode_t); va_end(ap); } } while (0)

/* open - fails */
int open(const char *path, int flags, ...)
{
    static int (*real)(const char *, int, ...);
    mode_t mode = 0;
    va_list ap;
    int existed;

    SHIM_MODE(flags, ap, mode);
    if (real == 0)
        real = shim_real("open");
    if (shim_should_fail(SC_OPEN, path, -1))
        SHIM_FAIL(-1);
    existed = pl_open_before(AT_FDCWD, path, flags);
    return shim_opened(AT_FDCWD, path, flags, real(path, flags, mode), existed);
}

/* open64 - fails */
int open64(const char *path, int flags, ...)
{
    static int (*real)(const char *, int, ...);
    mode_t mode = 0;
    va_list ap;
    int existed;

    SHIM_MODE(flags, ap, mode);
    if (real == 0)
        real = shim_real("open64");
    if (shim_should_fail(SC_OPEN, path, -1))
        SHIM_FAIL(-1);
    existed = pl_open_before(AT_FDCWD, path, flags);
    return shim_opened(AT_FDCWD, path, flags, real(path, flags, mode), existed);
}

/* openat - fails */
int openat(int dirfd, const char *path, int flags, ...)
{
    static int (*real)(int, const char *, int, ...);
    mode_t mode = 0;
    va_list ap;
    int existed;

    SHIM_MODE(flags, ap, mode);
    if (real == 0)
        real = shim_real("openat");
    if (shim_should_fail(SC_OPEN, path, -1))
        SHIM_FAIL(-1);
    existed = pl_open_before(dirfd, path, flags);
    return shim_opened(dirfd, path, flags, real(dirfd, path, flags, mode), existed);
}

/* openat64 - fails */
int openat64(int dirfd, const char *path, int flags, ...)
{
    static int (*real)(int, const char *, int, ...);
    mode_t mode = 0;
    va_list ap;
    int existed;

    SHIM_MODE(flags, ap, mode);
    if (real == 0)
        real = shim_real("openat64");
    if (shim_should_fail(SC_OPEN, path, -1))
        SHIM_FAIL(-1);
    existed = pl_open_before(dirfd, path, flags);
    return shim_opened(dirfd, path, flags, real(dirfd, path, flags, mode), existed);
}

/* mkdir - fails */
int mkdir(const char *path, mode_t mode)
{
    static int (*real)(const char *, mode_t);
    int ret;

    if (real == 0)
        real = shim_real("mkdir");
    if (shim_should_fail(SC_MKDIR, path, -1))
        SHIM_FAIL(-1);
    ret = real(path, mode);
    pl_mkdir(AT_FDCWD, path, ret);
    return ret;
}

/* mkdirat - fails */
int mkdirat(int fd, const char *path, mode_t mode)
{
    static int (*real)(int, const char *, mode_t);
    int ret;

    if (real == 0)
        real = shim_real("mkdirat");
    if (shim_should_fail(SC_MKDIR, path, -1))
        SHIM_FAIL(-1);
    ret = real(fd, path, mode);
    pl_mkdir(fd, path, ret);
    return ret;
}

/* malloc - returns NULL with ENOMEM */
void *malloc(size_t size)
{
    if (shim_should_fail(SC_MALLOC, 0, -1)) {
        errno = ENOMEM;
        return 0;
    }
    return __libc_malloc(size);
}

/* calloc - counts as malloc */
void *calloc(size_t n, size_t size)
{
    if (shim_should_fail(SC_MALLOC, 0, -1)) {
        errno = ENOMEM;
        return 0;
    }
    return __libc_calloc(n, size);
}

/* realloc - counts as malloc (growing may fail) */
void *realloc(void *ptr, size_t size)
{
    if (shim_should_fail(SC_MALLOC, 0, -1)) {
        errno = ENOMEM;
        return 0;
    }
    return __libc_realloc(ptr, size);
}
