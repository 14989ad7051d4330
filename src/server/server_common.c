/*
 * server_common.c - the start-up every daemon shares (server_common.h):
 * options, configuration, logging, chroot and privilege drop, and the
 * status records to master (master_proto.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "msg.h"
#include "my_pid.h"
#include "vstring.h"

#include "mail_conf.h"

#include "master_proto.h"
#include "server_common.h"

struct server_opts {
    const char *config_dir;
    int unpriv;
    int chroot;
    int debug;
};

/* usage - the command line is master's business; a person sees this */
static void usage(const char *prog)
{
    msg_fatal("usage: %s [-c config_dir] [-n service] [-t inet|unix|fifo] "
              "[-o name=value] [-u] [-r] [-d] [-v] [-S] [args...]", prog);
}

/* parse_options - step 1: the command line */
static void parse_options(int argc, char **argv, struct server_ctx *ctx,
                          struct server_opts *opts)
{
    struct vstring *why = vstring_alloc(100);
    const char *base = strrchr(argv[0], '/');
    int c;

    ctx->service = base ? base + 1 : argv[0];
    ctx->type = "unix";
    while ((c = getopt(argc, argv, "+c:n:t:o:urdvS")) != -1) {
        switch (c) {
        case 'c': opts->config_dir = optarg; break;
        case 'n': ctx->service = optarg; break;
        case 't': ctx->type = optarg; break;
        case 'u': opts->unpriv = 1; break;
        case 'r': opts->chroot = 1; break;
        case 'd': opts->debug = 1; break;
        case 'v': msg_verbose++; break;
        case 'S': ctx->standalone = 1; break;
        case 'o':
            if (mail_conf_override(optarg, why) != 0)
                msg_fatal("%s", vstring_str(why));
            break;
        default: usage(argv[0]);
        }
    }
    ctx->argv = argv + optind;
    vstring_free(why);
}

/* setup_logging - step 3: maillog_file, else syslog; -d adds stderr */
static void setup_logging(const char *prog, int debug)
{
    const char *file = mail_conf_str("maillog_file");
    int flags = debug ? MSG_TO_STDERR : 0;

    if (*file == 0)
        flags |= MSG_TO_SYSLOG;
    msg_init(prog, flags);
    if (*file)
        msg_set_logfile(file);
}

/* drop_privileges - step 5: chroot and mail_owner, when root */
static void drop_privileges(const struct server_opts *opts)
{
    const char *queue = mail_conf_str("queue_directory");
    const char *owner = mail_conf_str("mail_owner");
    struct passwd *pw = 0;

    if (chdir(queue) != 0)
        msg_fatal("chdir %s: %s", queue, strerror(errno));
    if (geteuid() != 0)
        return;
    if (opts->unpriv && *owner && (pw = getpwnam(owner)) == 0)
        msg_fatal("mail_owner %s: no such user", owner);
    if (opts->chroot && (chroot(".") != 0 || chdir("/") != 0))
        msg_fatal("chroot %s: %s", queue, strerror(errno));
    if (pw == 0)
        return;
    if (setgroups(1, &pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0
        || setuid(pw->pw_uid) != 0)
        msg_fatal("cannot become %s: %s", owner, strerror(errno));
    if (setuid(0) == 0)
        msg_fatal("privileges of %s could be regained", owner);
}

/* server_init - everything before the first request */
void server_init(int argc, char **argv, const struct server_hooks *hooks,
                 struct server_ctx *ctx)
{
    struct server_opts opts = {0, 0, 0, 0};
    struct vstring *why = vstring_alloc(100);
    char prog[64];

    msg_init(argv[0], MSG_TO_STDERR);
    snprintf(prog, sizeof(prog), "%s", msg_progname());
    memset(ctx, 0, sizeof(*ctx));
    ctx->hooks = hooks;
    parse_options(argc, argv, ctx, &opts);
    signal(SIGPIPE, SIG_IGN);
    if (mail_conf_read(mail_conf_find_dir(opts.config_dir), why) < 0)
        msg_fatal("%s", vstring_str(why));
    vstring_free(why);
    setup_logging(prog, opts.debug);
    ctx->max_use = mail_conf_int("max_use");
    ctx->max_idle = mail_conf_time("max_idle");
    if (!ctx->standalone && fcntl(MASTER_STATUS_FD, F_GETFD) < 0)
        msg_fatal("no status descriptor: run from master, or use -S");
    if (hooks && hooks->pre_init)
        hooks->pre_init(ctx->service, ctx->argv);
    drop_privileges(&opts);
    if (hooks && hooks->post_init)
        hooks->post_init(ctx->service, ctx->argv);
    if (msg_verbose)
        msg_info("service %s (%s) ready", ctx->service, ctx->type);
}

/* server_report - one status record to master */
void server_report(const struct server_ctx *ctx, int status)
{
    struct master_status rec;
    ssize_t n;

    if (ctx->standalone)
        return;
    rec.pid = (int)my_pid();
    rec.status = status;
    do
        n = write(MASTER_STATUS_FD, &rec, sizeof(rec));
    while (n < 0 && errno == EINTR);
    if (n != (ssize_t)sizeof(rec))
        server_exit(ctx, "master stopped listening");
}

/*
 * wait_set - the epoll set server_wait sleeps on: fd with EPOLLEXCLUSIVE,
 * so that a new connection wakes one of the idle processes of a service
 * instead of all of them (with poll(2) every idle process woke, and all
 * but one found accept(2) empty: a herd the issue 8 profile showed), plus
 * master's liveness pipe. Built once per listening descriptor.
 */
static int wait_set(const struct server_ctx *ctx, int fd)
{
    static int epfd = -1, watched = -1;
    struct epoll_event ev;

    if (epfd >= 0 && watched == fd)
        return epfd;
    if (epfd >= 0)
        close(epfd);
    if ((epfd = epoll_create1(EPOLL_CLOEXEC)) < 0)
        msg_fatal("epoll_create1: %s", strerror(errno));
    memset(&ev, 0, sizeof(ev));
    ev.events = EPOLLIN | EPOLLEXCLUSIVE;
    ev.data.fd = fd;
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
        msg_fatal("epoll_ctl: %s", strerror(errno));
    if (!ctx->standalone) {
        ev.events = EPOLLIN;
        ev.data.fd = MASTER_LIVE_FD;
        if (epoll_ctl(epfd, EPOLL_CTL_ADD, MASTER_LIVE_FD, &ev) < 0)
            msg_fatal("epoll_ctl: %s", strerror(errno));
    }
    watched = fd;
    return epfd;
}

/* server_wait - wait for fd, a timeout, or master's departure */
int server_wait(const struct server_ctx *ctx, int fd, long timeout)
{
    struct epoll_event ev[2];
    int epfd = wait_set(ctx, fd), n, i;

    for (;;) {
        n = epoll_wait(epfd, ev, 2, timeout > 0 ? (int)(timeout * 1000) : -1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            msg_fatal("epoll_wait: %s", strerror(errno));
        if (n == 0)
            return 0;
        for (i = 0; i < n; i++)
            if (ev[i].data.fd == MASTER_LIVE_FD)
                return -1;
        return 1;
    }
}

/* server_exit - a voluntary exit */
void server_exit(const struct server_ctx *ctx, const char *why)
{
    if (msg_verbose)
        msg_info("service %s: exit: %s", ctx->service, why);
    if (ctx->hooks && ctx->hooks->pre_exit)
        ctx->hooks->pre_exit(ctx->service);
    exit(0);
}
