/*
 * trigger_server.c - the loop of a daemon that is woken by triggers
 * (trigger_server.h), and the trigger reader event_server shares.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "msg.h"

#include "master_proto.h"
#include "trigger_server.h"

/* read_client - what a connected client writes before it closes, bounded */
static size_t read_client(int fd, char *buf, size_t size)
{
    struct pollfd pfd = {fd, POLLIN, 0};
    size_t got = 0;
    ssize_t n;

    while (got < size && poll(&pfd, 1, TRIGGER_READ_TIMEOUT * 1000) > 0) {
        if ((n = read(fd, buf + got, size - got)) < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    return got;
}

/* trigger_server_read - every trigger waiting on a fifo or a unix socket */
size_t trigger_server_read(int fd, const char *type, char *buf, size_t size)
{
    ssize_t n;
    size_t got = 0;
    int conn, taken;

    if (strcmp(type, "fifo") == 0) {
        n = read(fd, buf, size);
        return n > 0 ? (size_t)n : 0;
    }

    /*
     * The listener is non-blocking: take every client already queued, so
     * that a burst of wake-ups (one per message cleanup commits) costs one
     * round, not one round each while the writers wait in connect().
     * A client is taken only while its trigger fits whole: one cut short
     * would lose its end with the connection.
     */
    for (taken = 0; taken < TRIGGER_DRAIN_MAX && size - got >= TRIGGER_ROOM;
         taken++) {
        if ((conn = accept4(fd, 0, 0, SOCK_CLOEXEC)) < 0)
            break;
        got += read_client(conn, buf + got, size - got);
        close(conn);
    }
    return got;
}

/* trigger_server_main - run a trigger service under master */
void trigger_server_main(int argc, char **argv, trigger_server_fn trigger,
                         const struct server_hooks *hooks)
{
    struct server_ctx ctx;
    char buf[TRIGGER_BUF_SIZE];
    long used = 0;
    size_t len;
    int ready;

    server_init(argc, argv, hooks, &ctx);
    if (ctx.standalone) {
        len = read_client(0, buf, sizeof(buf));
        trigger(buf, len, ctx.service, ctx.argv);
        server_exit(&ctx, "stand-alone trigger done");
    }
    server_report(&ctx, MASTER_STAT_READY);
    for (;;) {
        ready = server_wait(&ctx, MASTER_LISTEN_FD, ctx.max_idle);
        if (ready < 0)
            server_exit(&ctx, "master went away");
        if (ready == 0)
            server_exit(&ctx, "idle too long");
        server_report(&ctx, MASTER_STAT_TAKEN);
        len = trigger_server_read(MASTER_LISTEN_FD, ctx.type, buf, sizeof(buf));
        if (len > 0)
            trigger(buf, len, ctx.service, ctx.argv);
        if (len > 0 && ctx.max_use > 0 && ++used >= ctx.max_use)
            server_exit(&ctx, "max_use reached");
        server_report(&ctx, MASTER_STAT_AVAIL);
    }
}
