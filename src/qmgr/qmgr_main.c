/*
 * qmgr_main.c - the queue manager daemon (qmgr.h): one process under
 * master (event_server, process limit 1), woken by triggers on private/qmgr
 * ('A' new mail, 'F' flush, 'W' wakeup, 'S' and a name: a message cleanup
 * left in spare/; mail_proto.h, qmgr_trigger.c) and by its own timer every
 * queue_run_delay.
 */
#include <string.h>

#include "event_server.h"
#include "msg.h"
#include "vstring.h"

#include "mail_conf.h"
#include "mail_proto.h"
#include "queue.h"
#include "queue_spare.h"
#include "resolve_addr.h"

#include "qmgr.h"

static struct resolve_conf qmgr_resolve_conf;

/* how long the start may spend filling spare/ (queue_spare_reserve) */
#define SPARE_FILL_MS 3000

/* qmgr_wakeup - the periodic queue run */
static void qmgr_wakeup(void *ctx)
{
    (void)ctx;
    resolve_conf_refresh(qmgr.resolve);
    qmgr_sweep_incoming();
    qmgr_scan_deferred(0);
    qmgr.incoming_more = 1;
    qmgr_kick();
    event_server_timer(qmgr.run_delay, qmgr_wakeup, 0);
}

/* take_spare - a hand-off by name; the first of a read empties the
 * routing cache, as a batch of watched names does (qmgr_watch.c) */
static void take_spare(const char *name, void *ctx)
{
    int *batch_started = ctx;

    if (!*batch_started) {
        qmgr_route_clear();
        *batch_started = 1;
    }
    qmgr_take_spare(name);
}

/* qmgr_trigger - bytes from private/qmgr */
static void qmgr_trigger(const char *buf, size_t len, const char *service,
                         char **argv)
{
    static struct qmgr_trigger_carry carry;
    struct qmgr_trigger_read req = {0, 0, 0};
    int batch_started = 0, scan = !qmgr_watch_active();

    (void)service;
    (void)argv;
    qmgr_trigger_parse(buf, len, &carry, &req, take_spare, &batch_started);
    if (req.unknown > 0) {
        msg_warn("trigger: %d bytes that are no request", req.unknown);
        scan = 1;
    }
    if (req.flush)
        qmgr_sweep_incoming();
    if (req.flush || req.wakeup)
        qmgr_scan_deferred(req.flush);
    /* new mail: its name waits in the watch, unless there is no watch */
    if (scan || req.flush || req.wakeup)
        qmgr.incoming_more = 1;
    qmgr_kick();
}

/* limit - a positive integer parameter */
static long limit(const char *name, long floor)
{
    long v = mail_conf_int(name);

    return v < floor ? floor : v;
}

/* qmgr_reserve_spares - zeroed queue files ready for the first burst */
static void qmgr_reserve_spares(void)
{
    long want = limit("queue_spare_reserve", 0);
    long made;

    if (want > qmgr.spare_limit)
        want = qmgr.spare_limit;
    made = queue_spare_fill(qmgr.root, want, SPARE_FILL_MS);
    if (made > 0)
        msg_info("spare: %ld queue files made ready", made);
}

/* qmgr_init - configuration, recovery, then the first run */
static void qmgr_init(const char *service, char **argv)
{
    struct vstring *why = vstring_alloc(100);

    (void)service;
    (void)argv;
    qmgr.root = ".";
    if (queue_dirs_create(qmgr.root, (uid_t)-1, (gid_t)-1, why) != 0)
        msg_fatal("queue directories: %s", vstring_str(why));
    if (resolve_conf_load(&qmgr_resolve_conf, why) != 0)
        msg_fatal("%s", vstring_str(why));
    qmgr.resolve = &qmgr_resolve_conf;
    qmgr.active_limit = limit("qmgr_message_active_limit", 1);
    qmgr.spare_limit = limit("queue_spare_limit", 0);
    qmgr.rcpt_limit = limit("default_destination_recipient_limit", 1);
    qmgr.local_rcpt_limit = limit("local_destination_recipient_limit", 1);
    qmgr.local_batch_limit = limit("local_delivery_batch_limit", 1);
    qmgr.default_batch_limit = limit("default_delivery_batch_limit", 1);
    qmgr.delivery_limit = limit("qmgr_delivery_limit", 1);
    if (qmgr.delivery_limit > EVENT_SERVER_MAX_FDS - 8)
        qmgr.delivery_limit = EVENT_SERVER_MAX_FDS - 8;
    qmgr.default_concurrency = limit("default_destination_concurrency_limit", 1);
    qmgr.local_concurrency = limit("local_destination_concurrency_limit", 1);
    qmgr.ipc_timeout = mail_conf_time("ipc_timeout");
    qmgr.request_timeout = mail_conf_time("qmgr_request_timeout");
    qmgr.min_backoff = mail_conf_time("minimal_backoff_time");
    qmgr.max_backoff = mail_conf_time("maximal_backoff_time");
    if (qmgr.min_backoff < 1)
        qmgr.min_backoff = 1;
    if (qmgr.max_backoff < qmgr.min_backoff)
        qmgr.max_backoff = qmgr.min_backoff;
    qmgr.lifetime = mail_conf_time("maximal_queue_lifetime");
    qmgr.warn_after = mail_conf_time("delay_warning_time");
    qmgr.run_delay = mail_conf_time("queue_run_delay");
    if (qmgr.run_delay < 1)
        qmgr.run_delay = 1;
    (void)qmgr_watch_open(); /* before the first scan: no arrival between */
    qmgr_recover();
    qmgr_reserve_spares();
    qmgr.incoming_more = 1;
    event_server_timer(0, qmgr_wakeup, 0);
    vstring_free(why);
}

static const struct server_hooks qmgr_hooks = {0, qmgr_init, 0};

int main(int argc, char **argv)
{
    event_server_main(argc, argv, qmgr_trigger, &qmgr_hooks);
}
