/*
 * single_server.c - the accept loop of a one-connection-at-a-time daemon
 * (single_server.h): accept, busy, serve, available, until max_use,
 * max_idle or master's departure.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "msg.h"

#include "master_proto.h"
#include "single_server.h"

/* accept_one - a connection from the shared listener, or -1 if another
 * process was faster */
static int accept_one(void)
{
    int fd = accept4(MASTER_LISTEN_FD, 0, 0, SOCK_CLOEXEC);

    if (fd >= 0)
        return fd;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR
        || errno == ECONNABORTED || errno == EPROTO)
        return -1;
    msg_fatal("accept: %s", strerror(errno));
}

/* single_server_main - run a service under master */
void single_server_main(int argc, char **argv, single_server_fn service,
                        const struct server_hooks *hooks)
{
    struct server_ctx ctx;
    long used = 0;
    int fd, ready;

    server_init(argc, argv, hooks, &ctx);
    if (ctx.standalone) {
        service(dup(0), ctx.service, ctx.argv);
        server_exit(&ctx, "stand-alone request done");
    }
    server_report(&ctx, MASTER_STAT_READY);
    for (;;) {
        ready = server_wait(&ctx, MASTER_LISTEN_FD, ctx.max_idle);
        if (ready < 0)
            server_exit(&ctx, "master went away");
        if (ready == 0)
            server_exit(&ctx, "idle too long");
        if ((fd = accept_one()) < 0)
            continue;
        server_report(&ctx, MASTER_STAT_TAKEN);
        service(fd, ctx.service, ctx.argv);
        if (ctx.max_use > 0 && ++used >= ctx.max_use)
            server_exit(&ctx, "max_use reached");
        server_report(&ctx, MASTER_STAT_AVAIL);
    }
}
