/*
 * single_server.h - the skeleton of a daemon that serves one connection at a
 * time (smtpd, cleanup, resolve, the delivery agents).
 *
 * The daemon's main() is one call:
 *
 *     static void echo_service(int fd, const char *service, char **argv)
 *     {
 *         ... talk to the client on fd, then close(fd) ...
 *     }
 *
 *     int main(int argc, char **argv)
 *     {
 *         single_server_main(argc, argv, echo_service, NULL);
 *     }
 *
 * The skeleton accepts a connection on the listening socket it inherited
 * from master, tells master it is busy, calls the service function, tells
 * master it is available again, and repeats; it exits after max_use
 * requests, after max_idle seconds without one, and when master goes away.
 *
 * The service function owns fd: it must close it (vstream_close does). The
 * fd is blocking; a service sets its own deadlines. argv holds the master.cf
 * arguments after the options. With -S the service runs once on fd 0
 * (a socket given by inetd or socat) without master.
 */
#ifndef SINGLE_SERVER_H
#define SINGLE_SERVER_H

#include "server_common.h"

typedef void (*single_server_fn)(int fd, const char *service, char **argv);

void single_server_main(int argc, char **argv, single_server_fn service,
                        const struct server_hooks *hooks)
    __attribute__((noreturn));

#endif
