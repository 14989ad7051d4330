/*
 * batchcost.c - what a Maildir delivery costs in CPU and device requests
 * one at a time against K at a time with their flushes shared, outside any
 * MTA (PAPER.md, section 6, item 28).
 *
 *     cc -O2 -o /tmp/batchcost bench/experiments/batchcost.c
 *     cd <a directory on the file system to measure> && /tmp/batchcost [K]
 *
 * Two rounds of five rows, 400 deliveries of 1500 bytes each, back to
 * back, into M/ (made here, removed at the end):
 *   - single: tmp/<name> created, written, fsynced, linked into new/,
 *     unlinked, new/ fsynced (what local_maildir.c does), one at a time;
 *   - fsync each: K files written, each fsynced, all linked, one fsync of
 *     new/;
 *   - sync_file_range: K files written, their data started together
 *     (SYNC_FILE_RANGE_WRITE), then each fsynced, all linked, one fsync of
 *     new/;
 *   - syncfs: K files written, one syncfs(2) of the whole file system,
 *     all linked, one fsync of new/;
 *   - aio fsync: as sync_file_range, but the K fsyncs are submitted
 *     together (Linux AIO, IOCB_CMD_FSYNC) and run at once, so that the
 *     block layer may serve their flushes with fewer device flushes.
 * Prints per delivery: wall time, CPU time of this process (user+system,
 * where the guest also pays for telling the virtual disk about a request)
 * and the device's write requests and flushes (/sys/block/DEV/stat; DEV
 * from $BATCHCOST_DEV, default vda).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "expcommon.h"

#define N 400
#define KMAX 64

static char buf[1500];
static int serial;

/* flushes - flush requests the device completed (field 15), or -1 */
static long flushes(void)
{
    const char *dev = getenv("BATCHCOST_DEV");
    char path[128];
    long v[15];
    FILE *f;
    int i;

    snprintf(path, sizeof(path), "/sys/block/%s/stat", dev ? dev : "vda");
    if ((f = fopen(path, "r")) == 0)
        return -1;
    for (i = 0; i < 15; i++)
        if (fscanf(f, "%ld", &v[i]) != 1)
            break;
    fclose(f);
    return i == 15 ? v[14] : -1;
}

/* fsync_new - fsync M/new */
static int fsync_new(void)
{
    int dir = open("M/new", O_RDONLY | O_DIRECTORY), ok;

    if (dir < 0)
        return -1;
    ok = fsync(dir);
    close(dir);
    return ok;
}

static aio_context_t aio;

/* fsync_all - the k fsyncs at once, through Linux AIO; 1 if all succeeded */
static int fsync_all(const int *fd, int k)
{
    struct iocb cb[KMAX], *cbp[KMAX];
    struct io_event ev[KMAX];
    int i, got = 0, ok = 1;
    long n;

    if (aio == 0 && syscall(SYS_io_setup, KMAX, &aio) < 0)
        return 0;
    for (i = 0; i < k; i++) {
        memset(&cb[i], 0, sizeof(cb[i]));
        cb[i].aio_fildes = (unsigned)fd[i];
        cb[i].aio_lio_opcode = IOCB_CMD_FSYNC;
        cbp[i] = &cb[i];
    }
    if (syscall(SYS_io_submit, aio, (long)k, cbp) != k)
        return 0;
    while (got < k) {
        n = syscall(SYS_io_getevents, aio, 1L, (long)(k - got), ev, NULL);
        if (n <= 0)
            return 0;
        for (i = 0; i < n; i++)
            ok = ok && ev[i].res == 0;
        got += (int)n;
    }
    return ok;
}

/* batch - k deliveries; mode 0 one at a time, 1 fsync each, 2 started,
 * 3 one syncfs for all, 4 started and fsynced at once */
static int batch(int mode, int k)
{
    char tmp[KMAX][64], new[64];
    int fd[KMAX], i, ok = 1;

    for (i = 0; i < k; i++) {
        snprintf(tmp[i], sizeof(tmp[i]), "M/tmp/%d", ++serial);
        fd[i] = open(tmp[i], O_WRONLY | O_CREAT | O_EXCL, 0600);
        if (fd[i] < 0 || write(fd[i], buf, sizeof(buf)) != sizeof(buf))
            return -1;
        if (mode == 2 || mode == 4)
            sync_file_range(fd[i], 0, 0, SYNC_FILE_RANGE_WRITE);
    }
    if (mode == 3)
        ok = syncfs(fd[0]) == 0;
    if (mode == 4)
        ok = fsync_all(fd, k);
    for (i = 0; i < k; i++) {
        ok = ok && (mode >= 3 || fsync(fd[i]) == 0);
        close(fd[i]);
    }
    for (i = 0; i < k; i++) {
        snprintf(new, sizeof(new), "M/new/%s", tmp[i] + 6);
        ok = ok && link(tmp[i], new) == 0 && unlink(tmp[i]) == 0;
    }
    return ok && fsync_new() == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    static const char *const what[] = {"single", "fsync each", "sync_file_range",
                                       "syncfs", "aio fsync"};
    int k = argc > 1 ? atoi(argv[1]) : 8, round, mode, i, per;
    double t0, c0;
    long w0, f0;

    if (k < 1 || k > KMAX)
        k = 8;
    memset(buf, 'x', sizeof(buf));
    if (mkdir("M", 0700) < 0 || mkdir("M/tmp", 0700) < 0
        || mkdir("M/new", 0700) < 0) {
        perror("M/");
        return 1;
    }
    printf("%-16s %3s %9s %9s %8s %8s\n", "mode", "K", "wall ms", "cpu ms",
           "writes", "flushes");
    for (round = 0; round < 2; round++) {
        for (mode = 0; mode < 5; mode++) {
            per = mode == 0 ? 1 : k;
            w0 = device_writes("BATCHCOST_DEV");
            f0 = flushes();
            t0 = now_ms();
            c0 = cpu_ms(RUSAGE_SELF);
            for (i = 0; i < N; i += per)
                if (batch(mode, per) < 0) {
                    perror("delivery");
                    return 1;
                }
            printf("%-16s %3d %9.3f %9.3f %8.2f %8.2f\n", what[mode], per,
                   (now_ms() - t0) / N, (cpu_ms(RUSAGE_SELF) - c0) / N,
                   (double)(device_writes("BATCHCOST_DEV") - w0) / N,
                   (double)(flushes() - f0) / N);
            fflush(stdout);
        }
    }
    return system("rm -rf M") == 0 ? 0 : 1;
}
