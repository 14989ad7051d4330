/*
 * pickup_file.c - one maildrop file through cleanup, and the scan of
 * maildrop/ (pickup_file.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fi_point.h"
#include "msg.h"
#include "vstream.h"
#include "vstring.h"

#include "cleanup_client.h"
#include "mail_proto.h"
#include "queue.h"
#include "queue_file.h"

#include "pickup_file.h"

/* owner_matches - the file's owner is the uid the gate wrote into it */
static int owner_matches(const struct queue_message *m)
{
    struct stat st;
    size_t i;

    if (fstat(vstream_fd(m->stream), &st) < 0)
        return 0;
    for (i = 0; i < m->attr_count; i++)
        if (strcmp(m->attrs[i].name, MAIL_ATTR_UID) == 0)
            return strtol(m->attrs[i].value, 0, 10) == (long)st.st_uid;
    return 0;
}

/* send_message - envelope and content to cleanup; CLEANUP_* */
static int send_message(const char *root, struct queue_message *m, int timeout,
                        struct vstring *new_id, struct vstring *why)
{
    struct cleanup_client *cc;
    struct vstring *chunk;
    size_t i;
    int r;

    if ((cc = cleanup_client_open(root, 0, timeout, why)) == 0)
        return CLEANUP_DEFER;
    for (i = 0; i < m->attr_count; i++)
        cleanup_client_attr(cc, m->attrs[i].name, m->attrs[i].value);
    cleanup_client_sender(cc, m->sender);
    for (i = 0; i < m->rcpt_count; i++)
        cleanup_client_rcpt(cc, m->rcpts[i].address, m->rcpts[i].notify,
                            m->rcpts[i].orcpt);
    chunk = vstring_alloc(RECORD_MAX_PAYLOAD);
    if (queue_message_rewind(m) < 0) {
        r = -1;
    } else {
        while ((r = queue_message_next_chunk(m, chunk)) == 1)
            cleanup_client_content(cc, vstring_str(chunk), vstring_len(chunk));
    }
    vstring_free(chunk);
    if (r < 0) {
        cleanup_client_abort(cc);
        vstring_sprintf(why, "4.3.0 maildrop file read error");
        return CLEANUP_DEFER;
    }
    return cleanup_client_commit(cc, new_id, why);
}

/* remove_file - the maildrop copy, once cleanup has the message */
static void remove_file(const char *root, const char *id)
{
    struct vstring *path = vstring_alloc(100), *why = vstring_alloc(100);

    queue_path(path, root, QUEUE_MAILDROP, id);
    if (unlink(vstring_str(path)) < 0 && errno != ENOENT)
        msg_warn("%s: remove %s: %m (it will be sent again)", id,
                 vstring_str(path));
    FI_POINT("pickup.after_unlink");
    queue_dir_path(path, root, QUEUE_MAILDROP);
    if (queue_dir_fsync(vstring_str(path), why) < 0)
        msg_warn("%s", vstring_str(why));
    FI_POINT("pickup.after_dir_fsync");
    vstring_free(path);
    vstring_free(why);
}

/* pickup_file - one maildrop file through cleanup */
int pickup_file(const char *root, const char *id, int timeout)
{
    struct vstring *why = vstring_alloc(100), *new_id = vstring_alloc(32);
    struct queue_message *m = 0;
    int rc = PICKUP_SKIPPED, r;

    r = queue_file_read(root, QUEUE_MAILDROP, id, QUEUE_FILE_RDONLY, &m, why);
    if (r == QUEUE_FILE_ERROR) {
        msg_warn("%s: %s", id, vstring_str(why));
        rc = PICKUP_DEFERRED;
    }
    if (r != QUEUE_FILE_OK)
        goto out; /* gone, or moved to corrupt/ with a log line */
    FI_POINT("pickup.after_read");
    if (!owner_matches(m)) {
        queue_message_free(m);
        m = 0;
        if (queue_move(root, QUEUE_MAILDROP, QUEUE_CORRUPT, id, why) < 0)
            msg_warn("%s: %s", id, vstring_str(why));
        msg_warn("%s: maildrop file owner differs from its uid record; "
                 "moved to %s", id, QUEUE_CORRUPT);
        goto out;
    }
    switch (send_message(root, m, timeout, new_id, why)) {
    case CLEANUP_OK:
        FI_POINT("pickup.after_cleanup_ok");
        msg_info("%s: queued as %s", id, vstring_str(new_id));
        remove_file(root, id);
        rc = PICKUP_SENT;
        break;
    case CLEANUP_REJECT:
        queue_message_free(m);
        m = 0;
        if (queue_move(root, QUEUE_MAILDROP, QUEUE_HOLD, id, new_id) < 0)
            msg_warn("%s: %s", id, vstring_str(new_id));
        FI_POINT("pickup.after_hold");
        msg_warn("%s: refused by cleanup: %s; moved to %s for the "
                 "administrator", id, vstring_str(why), QUEUE_HOLD);
        break;
    default:
        msg_warn("%s: not queued, will retry: %s", id, vstring_str(why));
        rc = PICKUP_DEFERRED;
        break;
    }
out:
    if (m)
        queue_message_free(m);
    vstring_free(why);
    vstring_free(new_id);
    return rc;
}

/* pickup_scan - sweep, then every complete file */
int pickup_scan(const char *root, int timeout)
{
    struct vstring *id = vstring_alloc(32), *why = vstring_alloc(100);
    struct queue_scan scan;
    int is_part, sent = 0, r = PICKUP_SENT;

    if (queue_file_sweep(root, QUEUE_MAILDROP, why) < 0)
        msg_warn("%s", vstring_str(why));
    if (queue_scan_open(&scan, root, QUEUE_MAILDROP, why) < 0) {
        msg_warn("%s", vstring_str(why));
        goto out;
    }
    while (r != PICKUP_DEFERRED && queue_scan_next(&scan, id, &is_part)) {
        if (is_part)
            continue;
        if ((r = pickup_file(root, vstring_str(id), timeout)) == PICKUP_SENT)
            sent++;
    }
    queue_scan_close(&scan);
out:
    vstring_free(id);
    vstring_free(why);
    return sent;
}
