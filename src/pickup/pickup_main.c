/*
 * pickup_main.c - the pickup daemon: local submissions from maildrop/
 * into the queue through cleanup (pickup_file.h).
 *
 * A trigger_server on public/pickup (fifo or unix socket). The gate writes
 * a byte after each new maildrop file; master's wakeup (master.cf wakeup
 * column, 60 s) catches anything a lost trigger left behind. Every
 * trigger runs one full scan.
 */
#include <limits.h>

#include "msg.h"
#include "vstring.h"

#include "mail_conf.h"
#include "mail_queue_setup.h"

#include "trigger_server.h"

#include "pickup_file.h"

/* pickup_pre_init - the queue directories, while still privileged */
static void pickup_pre_init(const char *service, char **argv)
{
    struct vstring *why = vstring_alloc(100);

    (void)service;
    (void)argv;
    if (mail_queue_setup(why) < 0)
        msg_fatal("%s", vstring_str(why));
    vstring_free(why);
}

/* pickup_trigger - scan maildrop/ */
static void pickup_trigger(const char *buf, size_t len, const char *service,
                           char **argv)
{
    long timeout = mail_conf_time("ipc_timeout");
    int sent;

    (void)buf;
    (void)len;
    (void)service;
    (void)argv;
    sent = pickup_scan(mail_conf_str("queue_directory"),
                       timeout > INT_MAX ? INT_MAX : (int)timeout);
    if (msg_verbose)
        msg_info("scan: %d message(s) queued", sent);
}

int main(int argc, char **argv)
{
    static const struct server_hooks hooks = {pickup_pre_init, 0, 0};

    trigger_server_main(argc, argv, pickup_trigger, &hooks);
}
