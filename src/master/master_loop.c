/*
 * master_loop.c - master's event loop: one poll(2) over the signal pipe,
 * every service's status pipe and the listeners of services that may start
 * a process; timers for wakeups, throttles and the stop deadline; and the
 * status file that "sluice status" reads.
 *
 * Signals only write a byte into a pipe; all work happens in the loop:
 * SIGCHLD reaps, SIGHUP reloads main.cf and master.cf, SIGTERM/SIGINT stop
 * (children get SIGTERM, master waits master_stop_timeout, then SIGKILLs
 * what is left and exits).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "msg.h"
#include "mymalloc.h"
#include "vstring.h"

#include "mail_conf.h"

#include "master.h"
#include "master_proto.h"

#define MASTER_MAX_POLL 1024

/*
 * The status file changes with every busy/idle transition of every
 * process, hundreds of times a second under load; rewriting it each time
 * cost master a fifth of the pipeline's CPU (issue 8 profile). Such
 * changes (MASTER_STATUS_LAZY) are written at most once per
 * STATUS_PERIOD_MS, so "sluice status" may show busy/idle counts that old;
 * processes that come or go (MASTER_STATUS_NOW) are written at once.
 */
#define STATUS_PERIOD_MS 1000

/*
 * Every process writes a status record when it takes a client and when it
 * is done with it: about six records per relayed message. Woken by each,
 * master ran about 2.4 times per message, each wake-up a context switch on
 * a busy machine. After a wake-up that brought only status records master
 * naps STATUS_BATCH_MS, so that the records of that time arrive as one
 * batch (a pipe write to a reader that is not waiting wakes nobody). A
 * spawn the records ask for waits at most that long; signals cut it short.
 */
#define STATUS_BATCH_MS 2

int master_status_dirty;
static long long status_written_ms = -STATUS_PERIOD_MS;
static int sig_pipe[2];
static time_t stop_deadline;   /* 0 = running */

/* on_signal - tell the loop */
static void on_signal(int sig)
{
    unsigned char byte = (unsigned char)sig;
    int saved = errno;

    if (write(sig_pipe[1], &byte, 1) < 0) {
        /* the pipe is full: the loop has enough to do already */
    }
    errno = saved;
}

/* setup_signals - the self-pipe and the handlers */
static void setup_signals(void)
{
    static const int sigs[] = {SIGCHLD, SIGHUP, SIGTERM, SIGINT};
    struct sigaction sa;
    size_t i;

    if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
        msg_fatal("pipe: %s", strerror(errno));
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        sigaction(sigs[i], &sa, 0);
    signal(SIGPIPE, SIG_IGN);
}

/* reload - SIGHUP: new main.cf and master.cf, or keep the old ones */
static void reload(void)
{
    struct vstring *why = vstring_alloc(100);
    struct master_table table;

    msg_info("reload: reading %s", master_config_dir);
    if (mail_conf_read(master_config_dir, why) < 0)
        msg_error("reload: %s; keeping the running configuration",
                  vstring_str(why));
    else if (master_ent_read(master_config_dir, &table, why) != 0)
        msg_error("reload: %s; keeping the running services", vstring_str(why));
    else {
        master_serv_reload(&table);
        master_table_free(&table);
    }
    vstring_free(why);
}

/* begin_stop - SIGTERM: close services, ask children to leave */
static void begin_stop(void)
{
    if (stop_deadline)
        return;
    msg_info("stopping: %d processes to wait for", master_signal_all(0));
    stop_deadline = time(0) + mail_conf_time("master_stop_timeout");
    master_serv_stop_all();
    master_signal_all(SIGTERM);
}

/* handle_signals - whatever the handlers queued */
static void handle_signals(void)
{
    unsigned char sigs[64];
    ssize_t n, i;

    while ((n = read(sig_pipe[0], sigs, sizeof(sigs))) > 0)
        for (i = 0; i < n; i++) {
            if (sigs[i] == SIGCHLD)
                master_reap();
            else if (sigs[i] == SIGHUP && !stop_deadline)
                reload();
            else if (sigs[i] == SIGTERM || sigs[i] == SIGINT)
                begin_stop();
        }
}

/* monotonic_ms - a clock for the status file's rate limit */
static long long monotonic_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* status_due_in - ms until a pending status rewrite is due, -1 for none */
static int status_due_in(void)
{
    long long left;

    if (!master_status_dirty || stop_deadline)
        return -1;
    if (master_status_dirty == MASTER_STATUS_NOW)
        return 0;
    left = status_written_ms + STATUS_PERIOD_MS - monotonic_ms();
    return left < 0 ? 0 : (int)left;
}

/* next_timeout - milliseconds until the next timer, -1 for none */
static int next_timeout(time_t now)
{
    struct master_serv *serv;
    time_t next = stop_deadline;
    int status_ms = status_due_in(), timer_ms;

    for (serv = master_services; serv; serv = serv->next) {
        if (serv->next_wakeup && (next == 0 || serv->next_wakeup < next))
            next = serv->next_wakeup;
        if (serv->throttle_until && (next == 0 || serv->throttle_until < next))
            next = serv->throttle_until;
    }
    timer_ms = next == 0 ? -1 : next <= now ? 0 : (int)(next - now) * 1000;
    if (status_ms >= 0 && (timer_ms < 0 || status_ms < timer_ms))
        return status_ms;
    return timer_ms;
}

/* run_timers - wakeups and throttles that are due */
static void run_timers(time_t now)
{
    struct master_serv *serv;

    for (serv = master_services; serv; serv = serv->next) {
        if (serv->throttle_until && serv->throttle_until <= now) {
            serv->throttle_until = 0;
            master_status_dirty = MASTER_STATUS_NOW;
            msg_info("service %s: throttle lifted", serv->ent.name);
        }
        if (serv->next_wakeup && serv->next_wakeup <= now) {
            if (serv->throttle_until == 0)
                master_serv_wakeup(serv);
            serv->next_wakeup = now + serv->ent.wakeup;
        }
    }
}

/*
 * swap_in - make tmp the status file. Exchanging the two names (rather
 * than renaming over the old file) frees no inode, so the next rewrite
 * truncates the old one instead of creating a new one: on ext4 without a
 * journal every create walks all recently freed inodes, and this file is
 * rewritten whenever a process comes or goes.
 */
static int swap_in(const char *tmp, const char *path)
{
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_EXCHANGE) == 0)
        return 0;
    if (errno != ENOENT && errno != EINVAL && errno != ENOSYS)
        return -1;
    return rename(tmp, path); /* the first time, or no exchange here */
}

/* master_write_status_file - what runs now, for "sluice status" */
void master_write_status_file(void)
{
    struct vstring *path = vstring_alloc(100), *tmp = vstring_alloc(100);
    struct master_serv *serv;
    struct master_proc *proc;
    time_t now = time(0);
    FILE *fp;

    master_status_dirty = 0;
    status_written_ms = monotonic_ms();
    vstring_sprintf(path, "%s/%s", mail_conf_str("queue_directory"),
                    MASTER_STATUS_FILE);
    vstring_sprintf(tmp, "%s.tmp", vstring_str(path));
    if ((fp = fopen(vstring_str(tmp), "we")) == 0) {
        msg_warn("cannot write %s: %s", vstring_str(tmp), strerror(errno));
        goto out;
    }
    fprintf(fp, "master %ld %s\n", (long)getpid(), master_config_dir);
    for (serv = master_services; serv; serv = serv->next)
        fprintf(fp, "service %s %s limit %ld processes %d idle %d throttled "
                    "%ld\n", serv->ent.name, master_type_name(serv->ent.type),
                serv->ent.limit, serv->total, serv->avail,
                serv->throttle_until > now ? (long)(serv->throttle_until - now)
                                           : 0L);
    for (proc = master_procs; proc; proc = proc->next)
        fprintf(fp, "process %ld %s %s\n", (long)proc->pid,
                proc->serv ? proc->serv->ent.name : "-",
                proc->serv == 0 ? "retired" : proc->avail ? "idle" : "busy");
    if (fclose(fp) != 0 || swap_in(vstring_str(tmp), vstring_str(path)) != 0)
        msg_warn("cannot write %s: %s", vstring_str(path), strerror(errno));
out:
    vstring_free(path);
    vstring_free(tmp);
}

/* poll_once - wait for one batch of events and handle it; 1 when it held
 * status records only */
static int poll_once(void)
{
    struct pollfd pfd[MASTER_MAX_POLL];
    struct master_serv *owner[MASTER_MAX_POLL];
    struct master_serv *serv;
    time_t now = time(0);
    int n = 1, i, statuses = 0, others = 0;

    pfd[0].fd = sig_pipe[0];
    owner[0] = 0;
    for (serv = master_services; serv && n < MASTER_MAX_POLL - 1;
         serv = serv->next) {
        pfd[n].fd = serv->status_fd[0];
        owner[n++] = serv;
        if (master_serv_wants_request(serv, now)) {
            pfd[n].fd = serv->listen_fd;
            owner[n++] = serv;
        }
    }
    for (i = 0; i < n; i++)
        pfd[i].events = POLLIN;
    if (poll(pfd, (nfds_t)n, next_timeout(now)) < 0) {
        if (errno != EINTR)
            msg_fatal("poll: %s", strerror(errno));
        return 0;
    }
    /* Status first, so that a process that just became idle is counted. */
    for (i = 1; i < n; i++)
        if (pfd[i].revents && pfd[i].fd == owner[i]->status_fd[0]) {
            master_read_status(owner[i]);
            statuses++;
        }
    if (pfd[0].revents)
        handle_signals();   /* may reload: owner[] is stale after this */
    else
        for (i = 1; i < n; i++)
            if (pfd[i].revents && pfd[i].fd == owner[i]->listen_fd) {
                others++;
                if (master_serv_wants_request(owner[i], time(0)))
                    master_spawn(owner[i]);
            }
    run_timers(time(0));
    return statuses > 0 && others == 0 && pfd[0].revents == 0;
}

/* nap - let status records gather (STATUS_BATCH_MS) */
static void nap(void)
{
    struct timespec ts = {0, STATUS_BATCH_MS * 1000000L};

    (void)nanosleep(&ts, 0); /* EINTR: a signal, handled at the next poll */
}

/* finish_stop - true when master may exit */
static int finish_stop(void)
{
    int left = master_signal_all(0);

    if (left == 0) {
        msg_info("stopped");
        return 1;
    }
    if (time(0) < stop_deadline)
        return 0;
    msg_warn("stop: %d processes did not exit in time; killing them", left);
    master_signal_all(SIGKILL);
    return 1;
}

/* master_loop - run until stopped */
void master_loop(void)
{
    setup_signals();
    for (;;) {
        if (stop_deadline && finish_stop())
            return;
        if (status_due_in() == 0)
            master_write_status_file();
        if (poll_once() && !stop_deadline)
            nap();
    }
}
