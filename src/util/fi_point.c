/*
 * fi_point.c - the fault build's crash-point counter (see fi_point.h).
 * Compiled into every build, but only the fault build calls it.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fi_point.h"
#include "msg.h"

void fi_point_hit(const char *name);

static unsigned long fi_hits;

/*
 * The SLUICE_FI_* variables as they were when the process started: a
 * program that empties its environment (the setgid gate) still obeys them.
 */
enum { FI_ENV_POINT, FI_ENV_HIT, FI_ENV_ONCE, FI_ENV_TRACE, FI_ENV_PROG,
       FI_ENV_COUNT };
static const char *const fi_env_names[FI_ENV_COUNT] = {
    "SLUICE_FI_POINT", "SLUICE_FI_HIT", "SLUICE_FI_ONCE", "SLUICE_FI_TRACE",
    "SLUICE_FI_PROG" };
static char fi_env_buf[FI_ENV_COUNT][512];
static int fi_env_set[FI_ENV_COUNT];
static char fi_prog[64];

#ifdef SLUICE_FAULT_INJECTION
static void fi_snapshot(void) __attribute__((constructor));
#endif

/* fi_snapshot - copy the fault-injection environment before main() */
static void fi_snapshot(void)
{
    char exe[256];
    const char *v, *base;
    ssize_t n;
    int i;

    for (i = 0; i < FI_ENV_COUNT; i++) {
        if ((v = getenv(fi_env_names[i])) != 0 && strlen(v) < sizeof(fi_env_buf[i])) {
            strcpy(fi_env_buf[i], v);
            fi_env_set[i] = 1;
        }
    }
    n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    exe[n > 0 ? n : 0] = 0;
    base = strrchr(exe, '/') ? strrchr(exe, '/') + 1 : exe;
    snprintf(fi_prog, sizeof(fi_prog), "%.63s", base);
}

/* fi_env - the variable, or its value before main() when it is gone */
static const char *fi_env(int which)
{
    const char *v = getenv(fi_env_names[which]);

    if (v)
        return v;
    return fi_env_set[which] ? fi_env_buf[which] : 0;
}

/* fi_trace - record that a point was reached */
static void fi_trace(const char *name)
{
    const char *path = fi_env(FI_ENV_TRACE);
    char line[256];
    int fd, n;

    if (path == 0 || (fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
                                0644)) < 0)
        return;
    n = snprintf(line, sizeof(line), "%s %ld %s\n", name, (long)getpid(),
                 fi_prog);
    if (n > 0 && n < (int)sizeof(line) && write(fd, line, (size_t)n) < 0)
        msg_warn("fault trace %s: %s", path, strerror(errno));
    close(fd);
}

/* fi_claim_once - the first process to fire wins; later ones do not die */
static int fi_claim_once(void)
{
    const char *path = fi_env(FI_ENV_ONCE);
    int fd;

    if (path == 0)
        return 1;
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        return 0;
    close(fd);
    return 1;
}

/* fi_point_hit - count a hit and die when it is the chosen one */
void fi_point_hit(const char *name)
{
    const char *point = fi_env(FI_ENV_POINT);
    const char *hit = fi_env(FI_ENV_HIT);
    const char *prog = fi_env(FI_ENV_PROG);
    unsigned long want = hit ? strtoul(hit, 0, 10) : 1;

    if (fi_prog[0] == 0)
        fi_snapshot();
    fi_trace(name);
    if (point == 0 || strcmp(point, name) != 0)
        return;
    if (prog && *prog && strcmp(prog, fi_prog) != 0)
        return;
    if (++fi_hits != (want ? want : 1) || !fi_claim_once())
        return;
    msg_info("fault injection: SIGKILL at %s (hit %lu)", name, fi_hits);
    kill(getpid(), SIGKILL);
}
