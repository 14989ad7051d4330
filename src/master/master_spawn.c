/*
 * master_spawn.c - the life of a process: started when a request waits
 * (master_spawn), followed through its status records (master_read_status),
 * buried when it exits (master_reap). A process that dies before it said
 * READY throttles its service for service_throttle_time: no tight respawn
 * loop when a program is missing or cannot start.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "msg.h"
#include "mymalloc.h"

#include "mail_conf.h"

#include "master.h"
#include "master_proto.h"

struct master_proc *master_procs;

/* high_dup - a copy of fd above the three fixed numbers */
static int high_dup(int fd)
{
    int copy = fcntl(fd, F_DUPFD, 10);

    if (copy < 0)
        _exit(126);
    return copy;
}

/* child_exec - in the child: descriptors, arguments, exec */
static void child_exec(struct master_serv *serv)
{
    char *args[MASTER_STATUS_FD + 80];
    int status = high_dup(serv->status_fd[1]);
    int live = high_dup(serv->live_fd[0]);
    int listen = high_dup(serv->listen_fd);
    int n = 0, i;
    sigset_t none;

    if (dup2(status, MASTER_STATUS_FD) < 0 || dup2(live, MASTER_LIVE_FD) < 0
        || dup2(listen, MASTER_LISTEN_FD) < 0)
        _exit(126);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, 0);
    for (i = 1; i < NSIG; i++)
        signal(i, SIG_DFL);
    args[n++] = serv->ent.argv[0];
    args[n++] = "-c";
    args[n++] = (char *)master_config_dir;
    args[n++] = "-n";
    args[n++] = serv->ent.name;
    args[n++] = "-t";
    args[n++] = (char *)master_type_name(serv->ent.type);
    if (serv->ent.unpriv)
        args[n++] = "-u";
    if (serv->ent.chroot)
        args[n++] = "-r";
    if (master_child_debug)
        args[n++] = "-d";
    for (i = 1; serv->ent.argv[i] && n < (int)(sizeof(args) / sizeof(*args)) - 1;
         i++)
        args[n++] = serv->ent.argv[i];
    args[n] = 0;
    setenv(MAIL_CONF_ENV_DIR, master_config_dir, 1);
    execv(serv->path, args);
    msg_error("service %s: cannot execute %s: %s", serv->ent.name, serv->path,
              strerror(errno));
    _exit(127);
}

/* master_spawn - start one process for a service */
void master_spawn(struct master_serv *serv)
{
    struct master_proc *proc;
    pid_t pid = fork();

    if (pid < 0) {
        msg_warn("service %s: fork: %s", serv->ent.name, strerror(errno));
        return;
    }
    if (pid == 0)
        child_exec(serv);
    proc = mymalloc(sizeof(*proc));
    proc->pid = pid;
    proc->serv = serv;
    proc->avail = 1;
    proc->ready = 0;
    proc->next = master_procs;
    master_procs = proc;
    serv->total++;
    serv->avail++;
    master_status_dirty = MASTER_STATUS_NOW;
    if (msg_verbose)
        msg_info("service %s: started process %ld", serv->ent.name, (long)pid);
}

/* throttle - stop starting a service for a while */
static void throttle(struct master_serv *serv)
{
    long delay = mail_conf_time("service_throttle_time");

    serv->throttle_until = time(0) + delay;
    msg_warn("service %s: process died before it was ready; not starting it "
             "again for %ld seconds", serv->ent.name, delay);
}

/* bury - account for one exited process */
static void bury(struct master_proc *proc, int wstatus)
{
    struct master_serv *serv = proc->serv;
    const char *name = serv ? serv->ent.name : "(retired)";
    int bad = !WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0;

    if (WIFSIGNALED(wstatus))
        msg_warn("service %s: process %ld killed by signal %d", name,
                 (long)proc->pid, WTERMSIG(wstatus));
    else if (bad)
        msg_warn("service %s: process %ld exit status %d", name,
                 (long)proc->pid, WEXITSTATUS(wstatus));
    else if (msg_verbose)
        msg_info("service %s: process %ld exited", name, (long)proc->pid);
    if (serv) {
        serv->total--;
        serv->avail -= proc->avail;
        if (bad && !proc->ready)
            throttle(serv);
    }
    master_status_dirty = MASTER_STATUS_NOW;
}

/* master_reap - collect every exited child */
void master_reap(void)
{
    struct master_proc **pp, *proc;
    pid_t pid;
    int wstatus;

    while ((pid = waitpid(-1, &wstatus, WNOHANG)) > 0) {
        for (pp = &master_procs; *pp && (*pp)->pid != pid; pp = &(*pp)->next)
            ;
        if ((proc = *pp) == 0)
            continue;
        *pp = proc->next;
        bury(proc, wstatus);
        myfree(proc);
    }
}

/* apply_status - one record from a service's status pipe */
static void apply_status(struct master_serv *serv,
                         const struct master_status *rec)
{
    struct master_proc *proc;

    for (proc = master_procs; proc && proc->pid != rec->pid; proc = proc->next)
        ;
    if (proc == 0 || proc->serv != serv)
        return;
    if (rec->status == MASTER_STAT_READY) {
        proc->ready = 1;
    } else if (rec->status == MASTER_STAT_TAKEN && proc->avail) {
        proc->avail = 0;
        serv->avail--;
    } else if (rec->status == MASTER_STAT_AVAIL && !proc->avail) {
        proc->avail = 1;
        serv->avail++;
    }
    if (master_status_dirty < MASTER_STATUS_LAZY)
        master_status_dirty = MASTER_STATUS_LAZY;
}

/* master_read_status - drain a service's status pipe */
void master_read_status(struct master_serv *serv)
{
    struct master_status recs[64];
    ssize_t n;
    int i;

    while ((n = read(serv->status_fd[0], recs, sizeof(recs))) > 0)
        for (i = 0; i < (int)(n / (ssize_t)sizeof(recs[0])); i++)
            apply_status(serv, recs + i);
}

/* master_retire_procs - a service's processes no longer count */
void master_retire_procs(struct master_serv *serv)
{
    struct master_proc *proc;

    for (proc = master_procs; proc; proc = proc->next)
        if (proc->serv == serv)
            proc->serv = 0;
    serv->total = serv->avail = 0;
}

/* master_signal_all - send sig to every child; returns how many there are */
int master_signal_all(int sig)
{
    struct master_proc *proc;
    int n = 0;

    for (proc = master_procs; proc; proc = proc->next, n++)
        if (sig)
            (void)kill(proc->pid, sig);
    return n;
}
