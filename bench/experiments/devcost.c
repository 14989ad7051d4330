/*
 * devcost.c - what a device round trip and a wake-up cost the guest's CPU
 * on this machine (PAPER.md, section 6, item 35), outside any MTA.
 *
 *     cc -O2 -o /tmp/devcost bench/experiments/devcost.c
 *     cd <a directory on the file system to measure> && /tmp/devcost
 *
 * Each row runs N operations and prints the wall time and the CPU time
 * (utime + stime of this process and its child) per operation:
 *   - fsync:    pwrite 1 KiB at 0 of a 12 KiB file, fsync (data, flush;
 *               the inode too when its mtime moved to a new tick);
 *   - srf:      the same pwrite, sync_file_range write-and-wait: one
 *               device write, no flush;
 *   - srf2one:  two pages 8 KiB apart written, one sync_file_range over
 *               both: two requests handed to the device together;
 *   - srf2seq:  the same two pages, one sync_file_range each, the second
 *               after the first has completed: two round trips;
 *   - pipe same / pipe cross: a one-byte ping-pong over two pipes between
 *               two processes pinned to one CPU, then to two CPUs (a
 *               wake-up of a process on another, idle, CPU).
 * Leaves nothing behind but its scratch file, which it removes.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "expcommon.h"

#define SCRATCH "devcost.scratch"
#define SRF_ALL (SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | \
                 SYNC_FILE_RANGE_WAIT_AFTER)

enum mode { M_FSYNC, M_SRF, M_SRF2ONE, M_SRF2SEQ };

/* cpu_us - CPU time of this process and its waited-for children */
static double cpu_us(void)
{
    return (cpu_ms(RUSAGE_SELF) + cpu_ms(RUSAGE_CHILDREN)) * 1e3;
}

static void report(const char *name, int n, double wall0, double cpu0)
{
    printf("%-10s wall %7.1f us/op  cpu %6.1f us/op\n", name,
           (now_ms() * 1e3 - wall0) / n, (cpu_us() - cpu0) / n);
}

static int one_op(int fd, enum mode m, char *buf)
{
    if (pwrite(fd, buf, 1024, 0) != 1024)
        return -1;
    if (m == M_FSYNC)
        return fsync(fd);
    if (m == M_SRF)
        return sync_file_range(fd, 0, 4096, SRF_ALL);
    if (pwrite(fd, buf, 1024, 8192) != 1024)
        return -1;
    if (m == M_SRF2ONE)
        return sync_file_range(fd, 0, 12288, SRF_ALL);
    if (sync_file_range(fd, 0, 4096, SRF_ALL) < 0)
        return -1;
    return sync_file_range(fd, 8192, 4096, SRF_ALL);
}

static int device_row(const char *name, enum mode m, int n)
{
    char buf[12288];
    double wall0, cpu0;
    int fd, i;

    memset(buf, 'x', sizeof(buf));
    if ((fd = open(SCRATCH, O_RDWR | O_CREAT | O_TRUNC, 0600)) < 0 ||
        pwrite(fd, buf, sizeof(buf), 0) != (ssize_t) sizeof(buf) ||
        fsync(fd) < 0) {
        perror(SCRATCH);
        return -1;
    }
    wall0 = now_ms() * 1e3;
    cpu0 = cpu_us();
    for (i = 0; i < n; i++) {
        buf[0] = (char) i;
        if (one_op(fd, m, buf) < 0) {
            perror(name);
            close(fd);
            return -1;
        }
    }
    report(name, n, wall0, cpu0);
    close(fd);
    return unlink(SCRATCH);
}

static void pin(int cpu)
{
    cpu_set_t set;

    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof(set), &set) < 0)
        perror("sched_setaffinity");
}

static int pipe_row(const char *name, int cpu_parent, int cpu_child, int n)
{
    int to_child[2], to_parent[2], i;
    double wall0, cpu0;
    char byte = 0;
    pid_t pid;

    if (pipe(to_child) < 0 || pipe(to_parent) < 0)
        return -1;
    wall0 = now_ms() * 1e3;
    cpu0 = cpu_us();
    if ((pid = fork()) == 0) {
        pin(cpu_child);
        for (i = 0; i < n; i++)
            if (read(to_child[0], &byte, 1) != 1 ||
                write(to_parent[1], &byte, 1) != 1)
                _exit(1);
        _exit(0);
    }
    pin(cpu_parent);
    for (i = 0; i < n; i++)
        if (write(to_child[1], &byte, 1) != 1 ||
            read(to_parent[0], &byte, 1) != 1)
            break;
    waitpid(pid, 0, 0);
    report(name, n, wall0, cpu0);
    close(to_child[0]);
    close(to_child[1]);
    close(to_parent[0]);
    close(to_parent[1]);
    return i == n ? 0 : -1;
}

int main(void)
{
    int rc = 0;

    rc |= device_row("fsync", M_FSYNC, 2000);
    rc |= device_row("srf", M_SRF, 2000);
    rc |= device_row("srf2one", M_SRF2ONE, 2000);
    rc |= device_row("srf2seq", M_SRF2SEQ, 2000);
    rc |= pipe_row("pipe same", 0, 0, 20000);
    rc |= pipe_row("pipe cross", 0, 1, 20000);
    return rc ? 1 : 0;
}
