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

/* fi_trace - record that a point was reached */
static void fi_trace(const char *name)
{
    const char *path = getenv("SLUICE_FI_TRACE");
    char line[256];
    int fd, n;

    if (path == 0 || (fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
                                0644)) < 0)
        return;
    n = snprintf(line, sizeof(line), "%s %ld\n", name, (long)getpid());
    if (n > 0 && n < (int)sizeof(line) && write(fd, line, (size_t)n) < 0)
        msg_warn("fault trace %s: %s", path, strerror(errno));
    close(fd);
}

/* fi_claim_once - the first process to fire wins; later ones do not die */
static int fi_claim_once(void)
{
    const char *path = getenv("SLUICE_FI_ONCE");
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
    const char *point = getenv("SLUICE_FI_POINT");
    const char *hit = getenv("SLUICE_FI_HIT");
    unsigned long want = hit ? strtoul(hit, 0, 10) : 1;

    fi_trace(name);
    if (point == 0 || strcmp(point, name) != 0)
        return;
    if (++fi_hits != (want ? want : 1) || !fi_claim_once())
        return;
    msg_info("fault injection: SIGKILL at %s (hit %lu)", name, fi_hits);
    kill(getpid(), SIGKILL);
}
