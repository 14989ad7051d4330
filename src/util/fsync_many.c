/*
 * fsync_many.c - many fsyncs at once through Linux AIO (fsync_many.h).
 */
#include <errno.h>
#include <linux/aio_abi.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fsync_many.h"
#include "fsync_util.h"

static aio_context_t ctx;    /* made on first use; 0: none yet */
static int ctx_failed;       /* io_setup refused: one by one from now on */
static pid_t ctx_pid;        /* a context is not inherited by a fork */

/* have_ctx - the process's AIO context, made when first needed */
static int have_ctx(void)
{
    pid_t me = getpid();

    if (ctx != 0 && ctx_pid != me) {
        ctx = 0; /* the parent's: unusable in a child */
        ctx_failed = 0;
    }
    if (ctx == 0 && !ctx_failed) {
        if (syscall(SYS_io_setup, (long)FSYNC_MANY_MAX, &ctx) < 0) {
            ctx = 0;
            ctx_failed = 1;
        } else {
            ctx_pid = me;
        }
    }
    return ctx != 0;
}

/* one_by_one - fds[i] fsynced on its own */
static void one_by_one(const int *fds, int *errs, size_t i)
{
    errs[i] = fsync_fd(fds[i]) < 0 ? errno : 0;
}

/* submit - hand fds[from..n-1] to the kernel: how many it took, 0 when it
 * refused the first (that one is then fsynced on its own), -1 when AIO
 * cannot be used now */
static long submit(struct iocb *cb, const int *fds, int *errs, size_t from,
                   size_t n)
{
    struct iocb *cbp[FSYNC_MANY_MAX];
    size_t i;
    long got;

    for (i = from; i < n; i++) {
        memset(&cb[i], 0, sizeof(cb[i]));
        cb[i].aio_fildes = (__u32)fds[i];
        cb[i].aio_lio_opcode = IOCB_CMD_FSYNC;
        cb[i].aio_data = (__u64)i;
        cbp[i - from] = &cb[i];
    }
    do
        got = syscall(SYS_io_submit, ctx, (long)(n - from), cbp);
    while (got < 0 && errno == EINTR);
    if (got < 0 && (errno == EAGAIN || errno == ENOSYS || errno == ENOMEM))
        return -1;
    if (got < 0) { /* fds[from] refused (EINVAL: no AIO fsync; EBADF) */
        one_by_one(fds, errs, from);
        return 0;
    }
    return got;
}

/* reap - wait for the count fsyncs submitted from fds[from] on; their
 * results into errs. Should the wait itself fail (it cannot, short of a
 * bug), every one not reaped counts as failed: never as done. */
static void reap(int *errs, size_t from, long count)
{
    struct io_event ev[FSYNC_MANY_MAX];
    long got = 0, n = 0, k;
    int lost;

    for (k = 0; k < count; k++)
        errs[from + (size_t)k] = -1; /* not reaped yet */
    while (got < count) {
        n = syscall(SYS_io_getevents, ctx, 1L, count - got, ev, (void *)0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        for (k = 0; k < n; k++)
            errs[ev[k].data] = ev[k].res < 0 ? (int)-ev[k].res : 0;
        got += n;
    }
    lost = got < count ? (n < 0 ? errno : EIO) : 0;
    for (k = 0; k < count; k++)
        if (errs[from + (size_t)k] < 0)
            errs[from + (size_t)k] = lost ? lost : EIO;
}

/* fsync_chunk - at most FSYNC_MANY_MAX descriptors: submitted together,
 * the rest (AIO unavailable, or after a refusal) in further turns */
static void fsync_chunk(const int *fds, int *errs, size_t n)
{
    struct iocb cb[FSYNC_MANY_MAX];
    size_t from = 0;
    long took;

    while (from < n && have_ctx()) {
        if ((took = submit(cb, fds, errs, from, n)) < 0)
            break;
        if (took == 0) {
            from++;
            continue;
        }
        reap(errs, from, took);
        from += (size_t)took;
    }
    for (; from < n; from++)
        one_by_one(fds, errs, from);
}

/* fsync_many - every descriptor fsynced; how many failed */
size_t fsync_many(const int *fds, int *errs, size_t n)
{
    size_t i, step, failed = 0;

    for (i = 0; i < n; i += step) {
        step = n - i < FSYNC_MANY_MAX ? n - i : FSYNC_MANY_MAX;
        fsync_chunk(fds + i, errs + i, step);
    }
    for (i = 0; i < n; i++)
        failed += errs[i] != 0;
    return failed;
}
