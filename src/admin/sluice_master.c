/*
 * sluice_master.c - "sluice start|stop|reload|status": master is found
 * through its pid file, whose lock it holds while it runs (so a stale file
 * never fools us), and its status file (pid/master.status) says what runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "msg.h"
#include "vstring.h"

#include "mail_conf.h"
#include "master_proto.h"

#include "sluice.h"

#define START_WAIT_MS 10000
#define STEP_MS 50

/* queue_path - queue_directory/sub into a static buffer */
static const char *queue_path(const char *sub)
{
    static struct vstring *path;

    if (path == 0)
        path = vstring_alloc(100);
    vstring_sprintf(path, "%s/%s", mail_conf_str("queue_directory"), sub);
    return vstring_str(path);
}

/* sluice_master_pid - who holds the pid file lock */
long sluice_master_pid(void)
{
    struct flock lk;
    int fd = open(queue_path(MASTER_PID_FILE), O_RDONLY | O_CLOEXEC);
    long pid = 0;

    if (fd < 0)
        return 0;
    memset(&lk, 0, sizeof(lk));
    lk.l_type = F_WRLCK;
    lk.l_whence = SEEK_SET;
    if (fcntl(fd, F_GETLK, &lk) == 0 && lk.l_type != F_UNLCK)
        pid = (long)lk.l_pid;
    close(fd);
    return pid;
}

/* status_names - does the status file name this master? */
static int status_names(long pid)
{
    FILE *fp = fopen(queue_path(MASTER_STATUS_FILE), "re");
    long got = 0;

    if (fp == 0)
        return 0;
    if (fscanf(fp, "master %ld", &got) != 1)
        got = 0;
    fclose(fp);
    return got == pid;
}

/* pause_ms - sleep a little */
static void pause_ms(int ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    nanosleep(&ts, 0);
}

/* master_argv - the command line that starts master */
static void exec_master(int foreground)
{
    static char path[4096];
    char *args[8];
    int n = 0;

    snprintf(path, sizeof(path), "%s/master", mail_conf_str("daemon_directory"));
    args[n++] = path;
    args[n++] = "-c";
    args[n++] = (char *)sluice_config_dir;
    if (foreground)
        args[n++] = "-d";
    if (msg_verbose)
        args[n++] = "-v";
    args[n] = 0;
    execv(path, args);
    msg_fatal("cannot execute %s: %s", path, strerror(errno));
}

/* wait_started - until master answers, exits, or the time is up */
static int wait_started(pid_t child)
{
    int waited, wstatus;

    for (waited = 0; waited < START_WAIT_MS; waited += STEP_MS) {
        if (waitpid(child, &wstatus, WNOHANG) == child) {
            fprintf(stderr, "sluice: master exited at start (%s %d); see the "
                            "log\n", WIFEXITED(wstatus) ? "status" : "signal",
                    WIFEXITED(wstatus) ? WEXITSTATUS(wstatus)
                                       : WTERMSIG(wstatus));
            return 1;
        }
        if (sluice_master_pid() == (long)child && status_names(child)) {
            printf("sluice: master started (pid %ld)\n", (long)child);
            return 0;
        }
        pause_ms(STEP_MS);
    }
    fprintf(stderr, "sluice: master did not answer within %d s\n",
            START_WAIT_MS / 1000);
    return 1;
}

/* sluice_start - start master in the background, or -f in the foreground */
int sluice_start(int argc, char **argv)
{
    long pid = sluice_master_pid();
    pid_t child;
    int fd;

    if (argc > 2 || (argc == 2 && strcmp(argv[1], "-f") != 0)) {
        fprintf(stderr, "usage: sluice start [-f]\n");
        return 2;
    }
    if (pid) {
        fprintf(stderr, "sluice: master is already running (pid %ld)\n", pid);
        return 1;
    }
    if (argc == 2)
        exec_master(1);
    fflush(stdout);
    if ((child = fork()) < 0)
        msg_fatal("fork: %s", strerror(errno));
    if (child == 0) {
        setsid();
        if ((fd = open("/dev/null", O_RDWR)) >= 0) {
            dup2(fd, 0);
            dup2(fd, 1);
            dup2(fd, 2);
            if (fd > 2)
                close(fd);
        }
        exec_master(0);
    }
    return wait_started(child);
}

/* signal_master - send sig to the running master; its pid or 0 */
static long signal_master(int sig)
{
    long pid = sluice_master_pid();

    if (pid == 0) {
        fprintf(stderr, "sluice: master is not running\n");
        return 0;
    }
    if (kill((pid_t)pid, sig) != 0)
        msg_fatal("kill %ld: %s", pid, strerror(errno));
    return pid;
}

/* sluice_stop - SIGTERM, then wait until the lock is free */
int sluice_stop(int argc, char **argv)
{
    long pid, limit = (mail_conf_time("master_stop_timeout") + 5) * 1000;
    long waited;

    (void)argc;
    (void)argv;
    if ((pid = signal_master(SIGTERM)) == 0)
        return 1;
    for (waited = 0; waited < limit; waited += STEP_MS) {
        if (sluice_master_pid() == 0) {
            printf("sluice: master stopped (pid %ld)\n", pid);
            return 0;
        }
        pause_ms(STEP_MS);
    }
    fprintf(stderr, "sluice: master (pid %ld) did not stop\n", pid);
    return 1;
}

/* sluice_reload - SIGHUP */
int sluice_reload(int argc, char **argv)
{
    long pid;

    (void)argc;
    (void)argv;
    if ((pid = signal_master(SIGHUP)) == 0)
        return 1;
    printf("sluice: master (pid %ld) told to reload\n", pid);
    return 0;
}

/* sluice_status - running or not, then master's status file */
int sluice_status(int argc, char **argv)
{
    long pid = sluice_master_pid();
    char line[1024];
    FILE *fp;

    (void)argc;
    (void)argv;
    if (pid == 0) {
        printf("sluice: master is not running\n");
        return 3;
    }
    printf("sluice: master is running (pid %ld)\n", pid);
    if ((fp = fopen(queue_path(MASTER_STATUS_FILE), "re")) != 0) {
        while (fgets(line, sizeof(line), fp))
            if (strncmp(line, "master ", 7) != 0)
                fputs(line, stdout);
        fclose(fp);
    }
    return 0;
}
