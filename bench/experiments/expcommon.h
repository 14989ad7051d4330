/*
 * expcommon.h - what the one-file C experiments of bench/experiments share
 * (flushcost.c, newentry.c, maildircost.c, batchcost.c, devcost.c): a
 * monotonic clock in ms, CPU time in ms, the comparison qsort needs for a
 * table of times, and the block device's count of completed write
 * requests. Included by each; nothing to link.
 */
#ifndef EXPCOMMON_H
#define EXPCOMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

/* now_ms - the monotonic clock in milliseconds */
static inline double now_ms(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* cpu_ms - user and system time so far of this process (RUSAGE_SELF) or
 * of its children that were waited for (RUSAGE_CHILDREN) */
static inline double cpu_ms(int who)
{
    struct rusage ru;

    getrusage(who, &ru);
    return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3
           + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

/* cmp - ascending doubles, for qsort */
static inline int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/* device_writes - write requests the device completed so far, from
 * /sys/block/DEV/stat, DEV from the environment variable env (default
 * vda); -1 when it cannot be read */
static inline long device_writes(const char *env)
{
    const char *dev = getenv(env);
    char path[128];
    long r, rm, rs, rt, w = -1;
    FILE *f;

    snprintf(path, sizeof(path), "/sys/block/%s/stat", dev ? dev : "vda");
    if ((f = fopen(path, "r")) == 0)
        return -1;
    if (fscanf(f, "%ld %ld %ld %ld %ld", &r, &rm, &rs, &rt, &w) != 5)
        w = -1;
    fclose(f);
    return w;
}

#endif
