/*
 * newentry.c - what a commit in place pays for a file recently linked into
 * its directory (PAPER.md, section 6, item 25), outside any MTA.
 *
 *     cc -O2 -o /tmp/newentry bench/experiments/newentry.c
 *     cd <a directory on the file system to measure> && /tmp/newentry [GAP_US]
 *
 * Each row: 300 files of one block in S/, made as qmgr's reserve makes
 * spares (written, writeback started with sync_file_range, S/ fsynced),
 * then committed one by one as cleanup commits a spare (pwrite 1490 bytes
 * at 0, ftruncate, fsync), GAP_US (default 2000) apart, while before each
 * commit another file is renamed into S/ (as retires keep doing). The
 * files are either never fsynced before (a reserved spare), fsynced once
 * (what clears ext4's "new entry" mark), or fsynced and then renamed out
 * of S/ and back (a retired spare). Prints the commit's median and 90th
 * percentile, and the device's write requests per commit (from
 * /sys/block/DEV/stat; DEV from $NEWENTRY_DEV, default vda).
 * Leaves nothing behind: S/ and I/ are removed after each row.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "expcommon.h"

#define N 300

static char buf[4096];

/* make_spares - N one-block files in S/, as qmgr's reserve makes them */
static void make_spares(int *fds, int mode)
{
    char a[64], b[64];
    int i, dir;

    for (i = 0; i < N; i++) {
        snprintf(a, sizeof(a), "S/r%d", i);
        fds[i] = open(a, O_RDWR | O_CREAT | O_EXCL, 0600);
        if (fds[i] < 0 || write(fds[i], buf, sizeof(buf)) != sizeof(buf)) {
            perror(a);
            exit(1);
        }
        sync_file_range(fds[i], 0, 0, SYNC_FILE_RANGE_WRITE);
    }
    for (i = 0; mode >= 1 && i < N; i++)
        fsync(fds[i]);
    for (i = 0; mode == 2 && i < N; i++) {
        snprintf(a, sizeof(a), "S/r%d", i);
        snprintf(b, sizeof(b), "I/r%d", i);
        if (rename(a, b) < 0 || rename(b, a) < 0)
            perror("rename");
    }
    dir = open("S", O_RDONLY | O_DIRECTORY);
    fsync(dir);
    close(dir);
}

/* row - one kind of spare, committed N times */
static void row(int mode, int gap_us)
{
    static const char *const what[] = {
        "never fsynced (reserved)", "fsynced once",
        "fsynced, renamed out and back (retired)"};
    char a[64], b[64];
    double t[N], t0;
    int fds[N], i, x;
    long w0, w1;

    mkdir("S", 0700);
    mkdir("I", 0700);
    make_spares(fds, mode);
    usleep(300000);
    w0 = device_writes("NEWENTRY_DEV");
    for (i = 0; i < N; i++) {
        usleep((useconds_t)gap_us);
        snprintf(a, sizeof(a), "I/x%d", i);
        snprintf(b, sizeof(b), "S/x%d", i);
        if ((x = open(a, O_CREAT | O_WRONLY, 0600)) >= 0)
            close(x);
        rename(a, b);
        memset(buf, 'a' + i % 20, 1490);
        t0 = now_ms();
        if (pwrite(fds[i], buf, 1490, 0) != 1490 || ftruncate(fds[i], 1490) < 0
            || fsync(fds[i]) < 0)
            perror("commit");
        t[i] = now_ms() - t0;
    }
    w1 = device_writes("NEWENTRY_DEV");
    qsort(t, N, sizeof(t[0]), cmp);
    printf("%-42s gap %d us: commit p50 %.3f p90 %.3f ms, "
           "device writes per commit %.2f\n", what[mode], gap_us, t[N / 2],
           t[N * 9 / 10], w0 < 0 ? -1.0 : (double)(w1 - w0) / N);
    for (i = 0; i < N; i++) {
        close(fds[i]);
        snprintf(a, sizeof(a), "S/r%d", i);
        unlink(a);
        snprintf(a, sizeof(a), "S/x%d", i);
        unlink(a);
    }
    rmdir("S");
    rmdir("I");
}

int main(int argc, char **argv)
{
    int gap = argc > 1 ? atoi(argv[1]) : 2000, round, mode;

    for (round = 0; round < 2; round++)
        for (mode = 0; mode < 3; mode++)
            row(mode, gap);
    return 0;
}
