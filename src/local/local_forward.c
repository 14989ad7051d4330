/*
 * local_forward.c - an alias or .forward that names addresses elsewhere:
 * the message goes back into the queue through cleanup, with the original
 * envelope sender, a Delivered-To line for the original recipient (so that
 * a forwarding loop is seen when the message comes back), and the
 * recipient's NOTIFY and ORCPT carried over (RFC 3461 section 6.2.7).
 */
#include <string.h>

#include "msg.h"
#include "vstring.h"

#include "cleanup_client.h"
#include "queue_file.h"

#include "local.h"

/* send_content - Delivered-To, then the original content */
static void send_content(struct cleanup_client *cc, struct local_msg *msg,
                         const char *rcpt, int *read_error)
{
    struct vstring *chunk = vstring_alloc(8192);
    int r;

    vstring_sprintf(chunk, "Delivered-To: %s\n", rcpt);
    cleanup_client_content(cc, vstring_str(chunk), vstring_len(chunk));
    if (queue_message_rewind(msg->qm) < 0) {
        *read_error = 1;
    } else {
        while ((r = queue_message_next_chunk(msg->qm, chunk)) == 1)
            cleanup_client_content(cc, vstring_str(chunk), vstring_len(chunk));
        *read_error = r < 0;
    }
    vstring_free(chunk);
}

/* local_forward - resubmit to every address in remote; class 2, 4 or 5 */
int local_forward(const struct local_conf *conf, struct local_msg *msg,
                  const char *rcpt, const char *notify, const char *orcpt,
                  const struct alias_list *remote, struct vstring *why)
{
    struct vstring *id = vstring_alloc(32), *oc = vstring_alloc(100);
    struct cleanup_client *cc;
    int read_error = 0, cls = 4, r;
    size_t i;

    local_privs_root(); /* cleanup's socket is the mail system's */
    if (*orcpt)
        vstring_set_str(oc, orcpt);
    else
        vstring_sprintf(oc, "rfc822;%s", rcpt);
    if ((cc = cleanup_client_open(conf->queue_dir, 0, (int)conf->ipc_timeout,
                                  why)) == 0)
        goto out;
    if (*msg->envid)
        cleanup_client_attr(cc, "envid", msg->envid);
    cleanup_client_sender(cc, msg->sender);
    for (i = 0; i < remote->count; i++)
        cleanup_client_rcpt(cc, remote->items[i].text, notify, vstring_str(oc));
    send_content(cc, msg, rcpt, &read_error);
    if (read_error) {
        cleanup_client_abort(cc);
        vstring_sprintf(why, "4.3.0 cannot read queue file %s", msg->queue_id);
        goto out;
    }
    r = cleanup_client_commit(cc, id, why);
    if (r == CLEANUP_OK) {
        cls = 2;
        vstring_sprintf(why, "2.0.0 forwarded as %s", vstring_str(id));
    } else {
        cls = r == CLEANUP_REJECT ? 5 : 4;
    }
out:
    vstring_free(id);
    vstring_free(oc);
    return cls;
}
