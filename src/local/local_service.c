/*
 * local_service.c - one connection from qmgr: read its requests (one, or a
 * batch of messages to one mailbox, ended by qmgr's EOF), open every queue
 * file through the one reader (as root, all before the first delivery, so
 * that a mailbox owner's ids may stay in effect from one delivery to the
 * next: local_privs.c), deliver each recipient, commit every Maildir file
 * of the connection together (local_maildir_commit.c), and reply to each
 * request in order with its outcomes (deliver_request.h). A request that
 * cannot be read gets no reply: qmgr defers its recipients.
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "dict.h"
#include "fi_point.h"
#include "msg.h"
#include "mymalloc.h"
#include "vstream.h"
#include "vstring.h"

#include "aliases.h"
#include "deliver_request.h"
#include "queue_file.h"

#include "local.h"

/* refresh_aliases - pick up an edited aliases file; 0, or -1 with why */
static int refresh_aliases(struct local_conf *conf, struct vstring *why)
{
    struct stat st;

    if (*conf->alias_maps == 0)
        return 0;
    if (conf->aliases == 0) {
        if (stat(conf->alias_maps, &st) < 0 && errno == ENOENT)
            return 0; /* no aliases file: nothing is an alias */
        if ((conf->aliases = aliases_open(conf->alias_maps, why)) == 0)
            return -1;
        return 0;
    }
    if (dict_refresh(conf->aliases, why) < 0)
        msg_warn("%s (keeping the previous aliases)", vstring_str(why));
    return 0;
}

/* split_status - "4.2.0 text" into its code and the text after it */
static void split_status(const struct vstring *why, int cls, char code[16],
                         const char **text)
{
    const char *s = vstring_str(why);
    size_t n = strspn(s, "0123456789.");

    if (n >= 5 && n < 16 && s[0] - '0' == cls && s[1] == '.') {
        memcpy(code, s, n);
        code[n] = 0;
        *text = s[n] == ' ' ? s + n + 1 : s + n;
    } else {
        strcpy(code, cls == 2 ? "2.0.0" : cls == 5 ? "5.3.0" : "4.3.0");
        *text = s;
    }
}

/* deliver_all - every recipient of request r, in order */
static void deliver_all(struct local_conf *conf, struct deliver_request *req,
                        size_t r, struct queue_message *qm)
{
    struct vstring *why = vstring_alloc(100), *action = vstring_alloc(16);
    struct local_msg msg = {qm, req->queue_id, req->sender, req->envid};
    const struct deliver_rcpt *rc;
    const char *text;
    char code[16];
    size_t i;
    int cls;

    for (i = 0; i < req->rcpt_count; i++) {
        rc = &req->rcpts[i];
        local_maildir_tag(r * DELIVER_REQUEST_MAX_RCPTS + i);
        cls = local_deliver_rcpt(conf, &msg, rc->address, rc->notify,
                                 rc->orcpt, action, why);
        split_status(why, cls, code, &text);
        deliver_request_status(req, i, code, vstring_str(action), text);
    }
    vstring_free(why);
    vstring_free(action);
}

/* defer_all - one reason for every recipient */
static void defer_all(struct deliver_request *req, const struct vstring *why)
{
    const char *text;
    char code[16];
    size_t i;

    split_status(why, 4, code, &text);
    msg_warn("%s: deferring every recipient: %s", req->queue_id, text);
    for (i = 0; i < req->rcpt_count; i++)
        deliver_request_status(req, i, code, "deferred", text);
}

/* The requests of one connection, their queue files, and the deliveries
 * undone at the commit (applied after it: a commit may come while their
 * recipient is tried). */
struct batch {
    struct deliver_request *reqs[LOCAL_REQUESTS_MAX];
    struct queue_message *qms[LOCAL_REQUESTS_MAX]; /* NULL: deferred */
    size_t count;
    size_t undone_count;
    size_t *undone_tags;
    struct vstring **undone_why;
};

/* undo - remember a delivery undone at the commit */
static void undo(void *ctx, size_t tag, const struct vstring *why)
{
    struct batch *b = ctx;
    size_t n = b->undone_count++;

    b->undone_tags = myrealloc(b->undone_tags, (n + 1) * sizeof(size_t));
    b->undone_why = myrealloc(b->undone_why, (n + 1) * sizeof(*b->undone_why));
    b->undone_tags[n] = tag;
    b->undone_why[n] = vstring_alloc(100);
    vstring_set_str(b->undone_why[n], vstring_str(why));
}

/* apply_undone - each undone delivery defers its recipient */
static void apply_undone(struct batch *b)
{
    const char *text;
    char code[16];
    size_t i, r, rc;

    for (i = 0; i < b->undone_count; i++) {
        r = b->undone_tags[i] / DELIVER_REQUEST_MAX_RCPTS;
        rc = b->undone_tags[i] % DELIVER_REQUEST_MAX_RCPTS;
        split_status(b->undone_why[i], 4, code, &text);
        deliver_request_status(b->reqs[r], rc, code, "deferred", text);
        vstring_free(b->undone_why[i]);
    }
    myfree(b->undone_tags);
    myfree(b->undone_why);
    b->undone_count = 0;
}

/* open_one - request r's queue file, or every recipient deferred;
 * aliases_ok: the aliases could be read for this connection */
static void open_one(struct local_conf *conf, struct batch *b, size_t r,
                     int aliases_ok, struct vstring *why)
{
    struct deliver_request *req = b->reqs[r];

    b->qms[r] = 0;
    if (!aliases_ok) {
        vstring_sprintf(why, "4.3.0 aliases unavailable");
        defer_all(req, why);
    } else if (deliver_request_open(req, conf->queue_dir, &b->qms[r], why) < 0) {
        defer_all(req, why);
    }
}

/* serve_one - deliver request r (its Maildir files wait for the commit) */
static void serve_one(struct local_conf *conf, struct batch *b, size_t r)
{
    if (b->qms[r] == 0)
        return;
    deliver_all(conf, b->reqs[r], r, b->qms[r]);
    queue_message_free(b->qms[r]);
    b->qms[r] = 0;
}

/* local_service_conn - serve the delivery requests on fd: deliver each,
 * commit every Maildir file together, reply to each in order */
void local_service_conn(struct local_conf *conf, int fd)
{
    struct vstream *qmgr = vstream_fdopen(fd, VSTREAM_RW);
    struct vstring *why = vstring_alloc(100);
    struct batch b;
    size_t r;
    int aliases_ok;

    memset(&b, 0, sizeof(b));
    vstream_set_timeout(qmgr, (int)conf->ipc_timeout);
    b.count = deliver_request_read_all(qmgr, b.reqs, LOCAL_REQUESTS_MAX, why);
    local_privs_root();
    aliases_ok = b.count == 0 || refresh_aliases(conf, why) == 0;
    for (r = 0; r < b.count; r++)
        open_one(conf, &b, r, aliases_ok, why);
    local_maildir_batch(undo, &b);
    for (r = 0; r < b.count; r++)
        serve_one(conf, &b, r);
    local_maildir_commit();
    local_privs_root();
    apply_undone(&b);
    FI_POINT("local.before_reply");
    for (r = 0; r < b.count; r++)
        if (deliver_request_reply(qmgr, b.reqs[r]) < 0)
            msg_warn("%s: cannot reply to qmgr: %m", b.reqs[r]->queue_id);
    for (r = 0; r < b.count; r++)
        deliver_request_free(b.reqs[r]);
    local_maildir_batch(0, 0);
    local_passwd_forget();
    vstring_free(why);
    (void)vstream_close(qmgr);
}
