/*
 * flushcost.c - the cost of one queue-file commit's flush on this machine
 * (PAPER.md, section 6, item 16), outside any MTA.
 *
 *     cc -O2 -o /tmp/flushcost bench/experiments/flushcost.c
 *     cd <a directory on the file system to measure> && /tmp/flushcost
 *
 * Two tables, 300 commits per row, medians and 90th percentiles:
 *   - gap: pwrite 1300 bytes at 0, ftruncate, fsync of one file, after the
 *     process slept 0, 0.5, 2 or 5 ms, and again after spinning as long
 *     instead, so that the CPU never idles: if the spinning rows cost as
 *     much, the price of a gap is the device's, not the guest's halted
 *     CPU (PAPER.md, section 6, items 16 and 24: it is the device's);
 *   - spare: the same commit into 300 files made beforehand either empty
 *     or holding one block of zeros whose writeback was started
 *     (sync_file_range), as qmgr's reserve does.
 * Leaves nothing behind but the two scratch names it removes at the end.
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

/* commit - the flush part of a commit into fd; its time in ms */
static double commit(int fd, int i)
{
    static char buf[1300];
    double t0 = now_ms();

    memset(buf, 'x', sizeof(buf));
    if (pwrite(fd, buf, sizeof(buf), 0) != (ssize_t)sizeof(buf)
        || ftruncate(fd, (off_t)sizeof(buf) + (i & 1)) < 0 || fsync(fd) < 0) {
        perror("commit");
        exit(1);
    }
    return now_ms() - t0;
}

static void report(const char *what, double *t)
{
    qsort(t, N, sizeof(double), cmp);
    printf("%-34s p50 %.3f ms  p90 %.3f ms\n", what, t[N / 2], t[N * 9 / 10]);
}

/* spin - wait us microseconds without sleeping: the CPU stays busy */
static void spin(int us)
{
    double end = now_ms() + us / 1000.0;

    while (now_ms() < end)
        ;
}

static void gap(void)
{
    static const int gaps_us[] = {0, 500, 2000, 5000};
    double t[N];
    char what[64];
    size_t g;
    int fd, i, busy;

    if ((fd = open("flushcost.gap", O_RDWR | O_CREAT | O_TRUNC, 0600)) < 0) {
        perror("flushcost.gap");
        exit(1);
    }
    for (busy = 0; busy < 2; busy++)
        for (g = busy; g < sizeof(gaps_us) / sizeof(gaps_us[0]); g++) {
            for (i = 0; i < N; i++) {
                if (busy)
                    spin(gaps_us[g]);
                else if (gaps_us[g])
                    usleep((useconds_t)gaps_us[g]);
                t[i] = commit(fd, i);
            }
            snprintf(what, sizeof(what), "gap %d us before each%s",
                     gaps_us[g], busy ? ", spinning" : "");
            report(what, t);
        }
    close(fd);
    unlink("flushcost.gap");
}

static void spare(void)
{
    static char zeros[4096];
    const char *what[] = {"spare: empty file", "spare: one zeroed block"};
    char path[64];
    double t[N];
    int kind, i, fd;

    for (kind = 0; kind < 2; kind++) {
        if (mkdir("flushcost.spare", 0700) < 0) {
            perror("flushcost.spare");
            exit(1);
        }
        for (i = 0; i < N; i++) {
            snprintf(path, sizeof(path), "flushcost.spare/%d", i);
            if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) < 0
                || (kind && write(fd, zeros, sizeof(zeros)) < 0)) {
                perror(path);
                exit(1);
            }
            if (kind)
                (void)sync_file_range(fd, 0, sizeof(zeros),
                                      SYNC_FILE_RANGE_WRITE);
            close(fd);
        }
        if ((fd = open("flushcost.spare", O_RDONLY)) >= 0) {
            (void)fsync(fd);
            close(fd);
        }
        usleep(100000); /* the writeback of the zeros, started above */
        for (i = 0; i < N; i++) {
            snprintf(path, sizeof(path), "flushcost.spare/%d", i);
            if ((fd = open(path, O_RDWR)) < 0) {
                perror(path);
                exit(1);
            }
            t[i] = commit(fd, i);
            close(fd);
            unlink(path);
        }
        rmdir("flushcost.spare");
        report(what[kind], t);
    }
}

int main(void)
{
    gap();
    spare();
    return 0;
}
