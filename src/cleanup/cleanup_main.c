/*
 * cleanup_main.c - the cleanup daemon: the one entrance to the queue.
 *
 * A single_server on private/cleanup. Each connection is one message
 * (cleanup_state.h): records in, a committed incoming/<id> file, one reply
 * out, then a wake-up for qmgr ('A' on private/qmgr; when qmgr is not
 * listening its own periodic scan finds the file).
 */
#include <limits.h>
#include <stdint.h>

#include "dict.h"
#include "msg.h"
#include "vstream.h"
#include "vstring.h"

#include "mail_conf.h"
#include "mail_proto.h"
#include "mail_queue_setup.h"
#include "mail_trigger.h"
#include "queue.h"
#include "queue_file.h"

#include "single_server.h"

#include "cleanup_state.h"

static struct cleanup_config config;
static struct cleanup_rewrite rewrite;
static struct dict *canonical;
static struct dict *virtual_alias;

/* open_table - a configured table, or NULL when the parameter is empty */
static struct dict *open_table(const char *param)
{
    const char *path = mail_conf_str(param);
    struct vstring *why;
    struct dict *d;

    if (*path == 0)
        return 0;
    why = vstring_alloc(100);
    if ((d = dict_open(path, DICT_SYNTAX_SPACE, DICT_FLAG_FOLD_KEYS, 0, why)) ==
        0)
        msg_fatal("%s: %s", param, vstring_str(why));
    vstring_free(why);
    return d;
}

/* refresh - pick up edited tables between messages */
static void refresh(struct dict *d)
{
    struct vstring *why;

    if (d == 0)
        return;
    why = vstring_alloc(100);
    if (dict_refresh(d, why) < 0)
        msg_warn("%s (keeping the previous table)", vstring_str(why));
    vstring_free(why);
}

/* size_param - a size limit; 0 means none */
static size_t size_param(const char *name)
{
    long v = mail_conf_int(name);

    if (v < 0)
        msg_fatal("%s: negative value %ld", name, v);
    return v == 0 ? SIZE_MAX : (size_t)v;
}

/* cleanup_pre_init - the queue directories, while still privileged */
static void cleanup_pre_init(const char *service, char **argv)
{
    struct vstring *why = vstring_alloc(100);

    (void)service;
    (void)argv;
    if (mail_queue_setup(why) < 0)
        msg_fatal("%s", vstring_str(why));
    vstring_free(why);
}

/* cleanup_post_init - configuration and tables */
static void cleanup_post_init(const char *service, char **argv)
{
    long timeout = mail_conf_time("ipc_timeout");
    struct vstring *why;

    (void)service;
    (void)argv;
    config.queue_dir = mail_conf_str("queue_directory");
    config.myhostname = mail_conf_str("myhostname");
    config.limits.line_length_limit = size_param("line_length_limit");
    config.limits.header_size_limit = size_param("header_size_limit");
    config.limits.header_count_limit = size_param("header_count_limit");
    config.limits.message_size_limit = size_param("message_size_limit");
    config.limits.recipient_limit = size_param("recipient_limit");
    config.timeout = timeout > INT_MAX ? INT_MAX : (int)timeout;
    cleanup_rewrite_init(&rewrite, mail_conf_str("myorigin"),
                         mail_conf_str("mydestination"));
    canonical = open_table("canonical_maps");
    virtual_alias = open_table("virtual_alias_maps");
    rewrite.canonical = canonical;
    rewrite.virtual_alias = virtual_alias;
    config.rw = &rewrite;
    /* what a cleanup that died before its commit left behind */
    why = vstring_alloc(100);
    if (queue_file_sweep(config.queue_dir, QUEUE_INCOMING, why) < 0)
        msg_warn("%s", vstring_str(why));
    vstring_free(why);
}

/* cleanup_service - one message from one client */
static void cleanup_service(int fd, const char *service, char **argv)
{
    struct vstream *stream = vstream_fdopen(fd, VSTREAM_RW);
    struct vstring *why;
    char trigger = QMGR_TRIGGER_NEW;
    int committed;

    (void)service;
    (void)argv;
    refresh(canonical);
    refresh(virtual_alias);
    vstream_set_timeout(stream, config.timeout);
    committed = cleanup_session_run(stream, &config);
    (void)vstream_close(stream);
    if (committed == CLEANUP_COMMITTED) {
        why = vstring_alloc(100);
        if (mail_trigger_send(config.queue_dir, MAIL_CLASS_PRIVATE,
                              MAIL_SERVICE_QMGR, &trigger, 1, why) < 0 &&
            msg_verbose)
            msg_info("qmgr not woken: %s", vstring_str(why));
        vstring_free(why);
    }
}

int main(int argc, char **argv)
{
    static const struct server_hooks hooks = {cleanup_pre_init,
                                              cleanup_post_init, 0};

    single_server_main(argc, argv, cleanup_service, &hooks);
}
