/*
 * maildircost.c - one Maildir delivery's device writes and time, the named
 * way against an unnamed file (PAPER.md, section 6, item 26), outside any
 * MTA.
 *
 *     cc -O2 -o /tmp/maildircost bench/experiments/maildircost.c
 *     cd <a directory on the file system to measure> && /tmp/maildircost
 *
 * Two rounds of two rows, 300 deliveries of 1500 bytes each, 1 ms apart,
 * one at a time, into M/ (made here, removed at the end):
 *   - named: tmp/<name> created O_EXCL, written, fsynced, linked into
 *     new/, unlinked, then new/ fsynced (what local_maildir.c does);
 *   - unnamed: an O_TMPFILE file in tmp/, written, fsynced, linked into
 *     new/ through /proc/self/fd, then new/ fsynced (the experiment build
 *     bench/experiments/maildir-tmpfile.diff).
 * Prints the median and 90th percentile of a delivery and the device's
 * write requests per delivery (/sys/block/DEV/stat; DEV from
 * $MAILDIRCOST_DEV, default vda).
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

static char buf[1500];

/* deliver - one message into M/new/<name>, the named or the unnamed way */
static int deliver(int unnamed, const char *name)
{
    char tmp[128], new[128], proc[64];
    int fd, dir, ok;

    snprintf(tmp, sizeof(tmp), "M/tmp/%s", name);
    snprintf(new, sizeof(new), "M/new/%s", name);
    fd = unnamed ? open("M/tmp", O_WRONLY | O_TMPFILE, 0600)
                 : open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0)
        return -1;
    ok = write(fd, buf, sizeof(buf)) == (ssize_t)sizeof(buf) && fsync(fd) == 0;
    if (ok && unnamed) {
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
        ok = linkat(AT_FDCWD, proc, AT_FDCWD, new, AT_SYMLINK_FOLLOW) == 0;
    } else if (ok) {
        ok = link(tmp, new) == 0 && unlink(tmp) == 0;
    }
    close(fd);
    if ((dir = open("M/new", O_RDONLY | O_DIRECTORY)) < 0)
        return -1;
    ok = ok && fsync(dir) == 0;
    close(dir);
    return ok ? 0 : -1;
}

int main(void)
{
    static const char *const what[] = {"named (tmp/, link, unlink)",
                                       "unnamed (O_TMPFILE, linkat)"};
    char name[64], path[128];
    double t[N], t0;
    int round, mode, i;
    long w0, w1;

    memset(buf, 'x', sizeof(buf));
    if (mkdir("M", 0700) < 0 || mkdir("M/tmp", 0700) < 0
        || mkdir("M/new", 0700) < 0) {
        perror("M/");
        return 1;
    }
    for (round = 0; round < 2; round++) {
        for (mode = 0; mode < 2; mode++) {
            w0 = device_writes("MAILDIRCOST_DEV");
            for (i = 0; i < N; i++) {
                usleep(1000);
                snprintf(name, sizeof(name), "%d.%d.%d", round, mode, i);
                t0 = now_ms();
                if (deliver(mode, name) < 0) {
                    perror(name);
                    return 1;
                }
                t[i] = now_ms() - t0;
            }
            w1 = device_writes("MAILDIRCOST_DEV");
            qsort(t, N, sizeof(t[0]), cmp);
            printf("%-28s p50 %.3f ms p90 %.3f ms, device writes per "
                   "delivery %.2f\n", what[mode], t[N / 2], t[N * 9 / 10],
                   w0 < 0 ? -1.0 : (double)(w1 - w0) / N);
        }
    }
    for (round = 0; round < 2; round++)
        for (mode = 0; mode < 2; mode++)
            for (i = 0; i < N; i++) {
                snprintf(path, sizeof(path), "M/new/%d.%d.%d", round, mode, i);
                unlink(path);
            }
    rmdir("M/new");
    rmdir("M/tmp");
    rmdir("M");
    return 0;
}
