/*
 * resolve_main.c - the resolve daemon: answers "where does this address go"
 * on private/resolve (mail_proto.h) for any client that asks. qmgr runs the
 * same decision in-process (resolve_addr.h) with a cache of its own.
 */
#include <stddef.h>

#include "msg.h"
#include "vstream.h"
#include "vstring.h"

#include "mail_conf.h"
#include "resolve_addr.h"

#include "single_server.h"

#include "resolve_service.h"

static struct resolve_conf resolve_conf;

/* resolve_serve - one client connection */
static void resolve_serve(int fd, const char *service, char **argv)
{
    struct vstream *client = vstream_fdopen(fd, VSTREAM_RW);

    (void)service;
    (void)argv;
    vstream_set_timeout(client, (int)mail_conf_time("ipc_timeout"));
    resolve_conf_refresh(&resolve_conf);
    resolve_service_run(client, &resolve_conf);
    (void)vstream_close(client);
}

/* resolve_init - load the tables once, before the first client */
static void resolve_init(const char *service, char **argv)
{
    struct vstring *why = vstring_alloc(100);

    (void)service;
    (void)argv;
    if (resolve_conf_load(&resolve_conf, why) != 0)
        msg_fatal("resolve: %s", vstring_str(why));
    vstring_free(why);
}

static const struct server_hooks resolve_hooks = {0, resolve_init, 0};

int main(int argc, char **argv)
{
    single_server_main(argc, argv, resolve_serve, &resolve_hooks);
}
