/*
 * my_pid.c - a cached getpid() (my_pid.h). The cache is cleared in every
 * child of fork() by a pthread_atfork() handler, registered on first use.
 */
#include <pthread.h>
#include <unistd.h>

#include "my_pid.h"

static pid_t cached_pid;
static int registered;

/* forget - in a new child: the next my_pid() asks the kernel */
static void forget(void)
{
    cached_pid = 0;
}

/* my_pid - the process id, asked once per process */
pid_t my_pid(void)
{
    if (!registered) {
        registered = 1;
        (void)pthread_atfork(0, 0, forget);
    }
    if (cached_pid == 0)
        cached_pid = getpid();
    return cached_pid;
}
