/*
 * local_main.c - bin/local: the local delivery agent, a single_server on
 * private/local (local.h says what it does with a request).
 */
#include <signal.h>
#include <unistd.h>

#include "single_server.h"

#include "local.h"

static struct local_conf local_conf;

/* local_service - one connection from qmgr */
static void local_service(int fd, const char *service, char **argv)
{
    (void)service;
    (void)argv;
    local_service_conn(&local_conf, fd);
}

/* local_post_init - configuration after the skeleton read main.cf */
static void local_post_init(const char *service, char **argv)
{
    (void)service;
    (void)argv;
    signal(SIGPIPE, SIG_IGN);
    local_conf_load(&local_conf);
}

int main(int argc, char **argv)
{
    static const struct server_hooks hooks = {0, local_post_init, 0};

    single_server_main(argc, argv, local_service, &hooks);
}
