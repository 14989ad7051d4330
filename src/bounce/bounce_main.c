/*
 * bounce_main.c - bin/bounce: the DSN writer, a single_server on
 * private/bounce (bounce.h).
 */
#include <signal.h>

#include "mail_conf.h"
#include "single_server.h"

#include "bounce.h"

static struct bounce_conf bounce_conf;

/* bounce_service - one connection from qmgr */
static void bounce_service(int fd, const char *service, char **argv)
{
    (void)service;
    (void)argv;
    bounce_service_conn(&bounce_conf, fd);
}

/* bounce_post_init - the configuration bounce reads */
static void bounce_post_init(const char *service, char **argv)
{
    (void)service;
    (void)argv;
    signal(SIGPIPE, SIG_IGN);
    bounce_conf.queue_dir = mail_conf_str("queue_directory");
    bounce_conf.myhostname = mail_conf_str("myhostname");
    bounce_conf.size_limit = (size_t)mail_conf_int("bounce_size_limit");
    bounce_conf.ipc_timeout = (int)mail_conf_time("ipc_timeout");
}

int main(int argc, char **argv)
{
    static const struct server_hooks hooks = {0, bounce_post_init, 0};

    single_server_main(argc, argv, bounce_service, &hooks);
}
