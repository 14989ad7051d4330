/*
 * my_pid.h - the calling process's id without a system call each time.
 * glibc no longer caches getpid(); a daemon that logs and stamps queue ids
 * asked the kernel about 16 times per message.
 */
#ifndef MY_PID_H
#define MY_PID_H

#include <sys/types.h>

/* This process's id; right again in a child made by fork(). */
pid_t my_pid(void);

#endif
