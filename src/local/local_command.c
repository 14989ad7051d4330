/*
 * local_command.c - delivery to "|command": /bin/sh -c command, as the
 * user the aliases rules chose, with the message on standard input, a
 * clean environment and a time limit.
 *
 * The message (Return-Path and Delivered-To first) is written into an
 * anonymous memory file that becomes the child's standard input, so a
 * command that never reads cannot block local. Output (stdout and stderr)
 * is collected up to LOCAL_OUTPUT_MAX bytes for the reason. Exit status,
 * sysexits(3) style: 0 delivered (2.0.0); EX_TEMPFAIL, a signal or the
 * time limit deferred (4.3.0); anything else failed (5.3.0).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "msg.h"
#include "vstring.h"

#include "local.h"

#define LOCAL_OUTPUT_MAX 512 /* command output quoted in a reason */

/* local_command_status - the outcome of a finished command */
int local_command_status(int wstatus, int timed_out, const char *output,
                         size_t output_len, struct vstring *why)
{
    struct vstring *out = vstring_alloc(100);
    size_t i;
    int cls;

    for (i = 0; i < output_len && i < LOCAL_OUTPUT_MAX; i++)
        vstring_append_char(out, (unsigned char)output[i] < 32 ||
                                         output[i] == 127 ? ' ' : output[i]);
    while (vstring_len(out) && vstring_str(out)[vstring_len(out) - 1] == ' ')
        vstring_truncate(out, vstring_len(out) - 1);
    if (timed_out) {
        cls = 4;
        vstring_sprintf(why, "4.3.0 command time limit exceeded");
    } else if (WIFSIGNALED(wstatus)) {
        cls = 4;
        vstring_sprintf(why, "4.3.0 command killed by signal %d",
                        WTERMSIG(wstatus));
    } else if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0) {
        cls = 2;
        vstring_sprintf(why, "2.0.0 delivered to command");
    } else if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == EX_TEMPFAIL) {
        cls = 4;
        vstring_sprintf(why, "4.3.0 command deferred (exit status %d)",
                        EX_TEMPFAIL);
    } else {
        cls = 5;
        vstring_sprintf(why, "5.3.0 command failed (exit status %d)",
                        WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1);
    }
    if (cls != 2 && vstring_len(out))
        vstring_sprintf_append(why, ": %s", vstring_str(out));
    vstring_free(out);
    return cls;
}

/* child - become the user, clean the environment, run the shell */
static void child(int in, int out, const char *command,
                  const struct local_cmd_env *env, uid_t uid, gid_t gid,
                  const char *sender)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_DFL;
    sigaction(SIGPIPE, &sa, 0);
    setsid();
    if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
        _exit(EX_OSERR);
    /* a root instance whose effective ids were not given back (a shell
     * would take the real ones, root's): refuse rather than guess */
    if (getuid() == 0 && geteuid() != 0)
        _exit(EX_OSERR);
    /* uid 0 never comes from aliases_check_delivery; tests run as root. */
    if (geteuid() == 0 && uid != 0 &&
        (setgroups(1, &gid) < 0 || setgid(gid) < 0 || setuid(uid) < 0 ||
         setuid(0) == 0))
        _exit(EX_OSERR);
    clearenv();
    setenv("SENDER", sender, 1);
    setenv("RECIPIENT", env->recipient, 1);
    setenv("LOCAL", env->local, 1);
    setenv("DOMAIN", env->domain, 1);
    setenv("HOME", env->home, 1);
    setenv("USER", env->user, 1);
    setenv("SHELL", env->shell, 1);
    setenv("PATH", "/usr/bin:/bin", 1);
    if (chdir(env->home) < 0 && chdir("/") < 0)
        _exit(EX_OSERR);
    execl("/bin/sh", "sh", "-c", command, (char *)0);
    _exit(EX_OSERR);
}

/* collect - read output until EOF or the deadline; 1 on timeout */
static int collect(int fd, time_t deadline, struct vstring *output)
{
    struct pollfd pfd = {fd, POLLIN, 0};
    char buf[4096];
    ssize_t n;
    long left;

    for (;;) {
        if ((left = (long)(deadline - time(0))) <= 0)
            return 1;
        if (poll(&pfd, 1, (int)(left > 1000 ? 1000000 : left * 1000)) < 0) {
            if (errno == EINTR)
                continue;
            return 1;
        }
        if (pfd.revents == 0)
            continue;
        if ((n = read(fd, buf, sizeof(buf))) < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return 0;
        if (vstring_len(output) < LOCAL_OUTPUT_MAX)
            vstring_append(output, buf, (size_t)n);
    }
}

/* local_command_run - deliver the message to one command */
int local_command_run(struct local_msg *msg, const char *command,
                      const struct local_cmd_env *env, uid_t uid, gid_t gid,
                      long time_limit, struct vstring *why)
{
    struct vstring *output = vstring_alloc(100);
    int in = -1, pipefd[2] = {-1, -1}, status = 0, timed_out, cls = 4;
    pid_t pid;

    local_privs_root(); /* the child sets its ids from root's */
    if ((in = memfd_create("sluice-local", MFD_CLOEXEC)) < 0) {
        local_errno_reason(why, "create", "command input", errno);
        goto out;
    }
    if (local_copy(msg, in, env->recipient, 0, why) < 0)
        goto out;
    if (lseek(in, 0, SEEK_SET) < 0 || pipe2(pipefd, O_CLOEXEC) < 0) {
        local_errno_reason(why, "prepare", "command", errno);
        goto out;
    }
    if ((pid = fork()) < 0) {
        local_errno_reason(why, "fork", "command", errno);
        goto out;
    }
    if (pid == 0)
        child(in, pipefd[1], command, env, uid, gid, msg->sender);
    close(pipefd[1]);
    pipefd[1] = -1;
    timed_out = collect(pipefd[0], time(0) + time_limit, output);
    if (timed_out)
        kill(-pid, SIGKILL), kill(pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    cls = local_command_status(status, timed_out, vstring_str(output),
                               vstring_len(output), why);
out:
    if (in >= 0)
        close(in);
    if (pipefd[0] >= 0)
        close(pipefd[0]);
    if (pipefd[1] >= 0)
        close(pipefd[1]);
    vstring_free(output);
    return cls;
}
