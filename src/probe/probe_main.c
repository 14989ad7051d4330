/*
 * probe_main.c - a diagnostic daemon that exercises the server skeletons;
 * the integration tests of master run it, and so can a person checking an
 * installation ("echo hi | socat - UNIX:queue/public/probe").
 *
 * master.cf argument (first word after the options) selects the skeleton:
 *   single   (default) single_server: reads one line, answers
 *            "probe PID COUNT SERVICE: LINE" and closes; the line
 *            "sleep N" holds the connection N seconds first (busy process)
 *   trigger  trigger_server: logs "probe: trigger SERVICE: BYTES"
 *   event    event_server: logs triggers and a "tick" every 1 s
 *   fail     exits with status 1 before it is ready (throttling test)
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"

#include "event_server.h"
#include "single_server.h"
#include "trigger_server.h"

#define PROBE_LINE_MAX 512
#define PROBE_TIMEOUT_MS 10000

static long probe_count;

/* read_line - one line from fd, bounded, with a deadline */
static size_t read_line(int fd, char *buf, size_t size)
{
    struct pollfd pfd = {fd, POLLIN, 0};
    size_t got = 0;
    ssize_t n;

    while (got < size - 1 && poll(&pfd, 1, PROBE_TIMEOUT_MS) > 0
           && (n = read(fd, buf + got, 1)) > 0 && buf[got] != '\n')
        got++;
    buf[got] = 0;
    if (got > 0 && buf[got - 1] == '\r')
        buf[--got] = 0;
    return got;
}

/* probe_service - answer one line */
static void probe_service(int fd, const char *service, char **argv)
{
    char line[PROBE_LINE_MAX], reply[PROBE_LINE_MAX + 100];
    int n;

    (void)argv;
    read_line(fd, line, sizeof(line));
    if (strncmp(line, "sleep ", 6) == 0)
        sleep((unsigned)atoi(line + 6));
    n = snprintf(reply, sizeof(reply), "probe %ld %ld %s: %s\n",
                 (long)getpid(), ++probe_count, service, line);
    if (write(fd, reply, (size_t)n) != n)
        msg_warn("probe: short write");
    close(fd);
}

/* probe_trigger - log what arrived */
static void probe_trigger(const char *buf, size_t len, const char *service,
                          char **argv)
{
    (void)argv;
    msg_info("probe: trigger %s: %.*s", service, (int)len, buf);
}

/* probe_tick - the event server's own timer */
static void probe_tick(void *ctx)
{
    msg_info("probe: tick %ld", ++probe_count);
    event_server_timer(1, probe_tick, ctx);
}

/* probe_event_init - start ticking */
static void probe_event_init(const char *service, char **argv)
{
    (void)service;
    (void)argv;
    event_server_timer(1, probe_tick, 0);
}

/* probe_fail_init - die before ready */
static void probe_fail_init(const char *service, char **argv)
{
    (void)argv;
    msg_error("probe: service %s configured to fail at start", service);
    exit(1);
}

/* mode - the first non-option argument */
static const char *mode(int argc, char **argv)
{
    int i;

    for (i = 1; i < argc; i++) {
        if (argv[i][0] != '-')
            return argv[i];
        if (strchr("cnto", argv[i][1]) && argv[i][2] == 0)
            i++;
    }
    return "single";
}

int main(int argc, char **argv)
{
    static const struct server_hooks event_hooks = {0, probe_event_init, 0};
    static const struct server_hooks fail_hooks = {0, probe_fail_init, 0};
    const char *m = mode(argc, argv);

    if (strcmp(m, "trigger") == 0)
        trigger_server_main(argc, argv, probe_trigger, 0);
    if (strcmp(m, "event") == 0)
        event_server_main(argc, argv, probe_trigger, &event_hooks);
    if (strcmp(m, "fail") == 0)
        single_server_main(argc, argv, probe_service, &fail_hooks);
    single_server_main(argc, argv, probe_service, 0);
}
