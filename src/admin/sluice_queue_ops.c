/*
 * sluice_queue_ops.c - the queue tools that change things: flush, delete,
 * hold, release, requeue (sluice_queue.h). Moves are queue_move (rename
 * without overwrite, directories fsynced); qmgr (and, on flush, pickup) is
 * told with a trigger. A message qmgr is delivering where it was
 * committed, in spare/, is left alone (sluice_queue_spare.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"
#include "vstring.h"

#include "mail_proto.h"
#include "mail_trigger.h"
#include "queue.h"

#include "sluice.h"
#include "sluice_queue.h"

/* sluice_queue_trigger - one byte to private/qmgr */
int sluice_queue_trigger(char byte, struct vstring *why)
{
    return mail_trigger_send(sluice_queue_root(), MAIL_CLASS_PRIVATE,
                             MAIL_SERVICE_QMGR, &byte, 1, why);
}

/* trigger_or_warn - tell qmgr, or say it will notice later */
static void trigger_or_warn(char byte)
{
    struct vstring *why = vstring_alloc(100);

    if (sluice_queue_trigger(byte, why) != 0)
        fprintf(stderr, "sluice: cannot reach qmgr: %s\n", vstring_str(why));
    vstring_free(why);
}

/* sluice_flush - ask qmgr to try every deferred message now */
int sluice_flush(int argc, char **argv)
{
    struct vstring *why = vstring_alloc(100);
    int rc = 0;

    (void)argv;
    if (argc != 1) {
        fprintf(stderr, "usage: sluice flush\n");
        return 2;
    }
    if (sluice_queue_trigger(QMGR_TRIGGER_FLUSH, why) != 0) {
        fprintf(stderr, "sluice: flush: %s\n", vstring_str(why));
        rc = 1;
    }
    /* maildrop/ too: a submission whose cleanup died waits for pickup */
    (void)mail_trigger_send(sluice_queue_root(), MAIL_CLASS_PUBLIC,
                            MAIL_SERVICE_PICKUP, "F", 1, why);
    vstring_free(why);
    return rc;
}

/* op_fn - one operation on one message found in queue */
typedef int (*op_fn)(const char *id, const char *queue, struct vstring *why);

/* unlink_quiet - remove a path; ENOENT is fine */
static int unlink_quiet(const char *root, const char *queue, const char *id,
                        struct vstring *why)
{
    struct vstring *path = vstring_alloc(100);
    int rc = 0;

    queue_path(path, root, queue, id);
    if (unlink(vstring_str(path)) != 0 && errno != ENOENT) {
        vstring_sprintf(why, "unlink %s: %m", vstring_str(path));
        rc = -1;
    }
    vstring_free(path);
    return rc;
}

/* op_delete - the file and its logs */
static int op_delete(const char *id, const char *queue, struct vstring *why)
{
    const char *root = sluice_queue_root();

    if (unlink_quiet(root, queue, id, why) != 0)
        return -1;
    (void)unlink_quiet(root, QUEUE_DEFER_LOG, id, why);
    (void)unlink_quiet(root, QUEUE_BOUNCE_LOG, id, why);
    printf("%s: deleted from %s\n", id, queue);
    return 0;
}

/* op_move - move to `to` unless it is there already */
static int op_move(const char *id, const char *queue, const char *to,
                   struct vstring *why)
{
    if (strcmp(queue, to) == 0)
        return 0;
    if (queue_move(sluice_queue_root(), queue, to, id, why) != 0)
        return -1;
    printf("%s: %s -> %s\n", id, queue, to);
    return 0;
}

static int op_hold(const char *id, const char *queue, struct vstring *why)
{
    return strcmp(queue, QUEUE_HOLD) == 0 ? 0
                                           : op_move(id, queue, QUEUE_HOLD, why);
}

static int op_release(const char *id, const char *queue, struct vstring *why)
{
    return strcmp(queue, QUEUE_HOLD) != 0
               ? 0
               : op_move(id, queue, QUEUE_INCOMING, why);
}

static int op_requeue(const char *id, const char *queue, struct vstring *why)
{
    return strcmp(queue, QUEUE_DEFERRED) != 0
               ? 0
               : op_move(id, queue, QUEUE_INCOMING, why);
}

/* apply_all - op on every message of every queue */
static int apply_all(op_fn op, struct vstring *why)
{
    struct vstring *id = vstring_alloc(QUEUE_ID_LEN + 1);
    const char *const *q;
    struct queue_scan scan;
    int is_part, rc = 0;

    for (q = sluice_queue_names; *q; q++) {
        if (queue_scan_open(&scan, sluice_queue_root(), *q, why) != 0) {
            fprintf(stderr, "sluice: %s\n", vstring_str(why));
            rc = 1;
            continue;
        }
        while (queue_scan_next(&scan, id, &is_part))
            if (!is_part && op(vstring_str(id), *q, why) != 0) {
                fprintf(stderr, "sluice: %s: %s\n", vstring_str(id),
                        vstring_str(why));
                rc = 1;
            }
        queue_scan_close(&scan);
    }
    vstring_free(id);
    return rc;
}

/* run_op - "sluice NAME ID...|ALL" */
static int run_op(int argc, char **argv, op_fn op, char trigger)
{
    struct vstring *why = vstring_alloc(100);
    const char *queue;
    int i, rc = 0;

    if (argc < 2) {
        fprintf(stderr, "usage: sluice %s ID...|ALL\n", argv[0]);
        rc = 2;
    } else if (argc == 2 && strcmp(argv[1], "ALL") == 0) {
        rc = apply_all(op, why);
    } else {
        for (i = 1; i < argc; i++) {
            if (!queue_id_valid(argv[i])
                || (queue = sluice_queue_find(argv[i])) == 0) {
                fprintf(stderr, "sluice: %s: %s\n", argv[i],
                        queue_id_valid(argv[i]) && sluice_spare_find(argv[i], why)
                            ? "being delivered from spare/ (claimed in "
                              "place): try again when it is done"
                            : "no such message");
                rc = 1;
            } else if (op(argv[i], queue, why) != 0) {
                fprintf(stderr, "sluice: %s: %s\n", argv[i], vstring_str(why));
                rc = 1;
            }
        }
    }
    if (rc != 2 && trigger)
        trigger_or_warn(trigger);
    vstring_free(why);
    return rc;
}

int sluice_delete(int argc, char **argv)
{
    return run_op(argc, argv, op_delete, 0);
}

int sluice_hold(int argc, char **argv)
{
    return run_op(argc, argv, op_hold, 0);
}

int sluice_release(int argc, char **argv)
{
    return run_op(argc, argv, op_release, QMGR_TRIGGER_NEW);
}

int sluice_requeue(int argc, char **argv)
{
    return run_op(argc, argv, op_requeue, QMGR_TRIGGER_NEW);
}
