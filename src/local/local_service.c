/*
 * local_service.c - one connection from qmgr: read the request, open the
 * queue file through the one reader, deliver each recipient, reply with
 * every outcome (deliver_request.h). A request that cannot be read gets
 * no reply: qmgr defers every recipient.
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "dict.h"
#include "fi_point.h"
#include "msg.h"
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

/* deliver_all - every recipient of the request, in order */
static void deliver_all(struct local_conf *conf, struct deliver_request *req,
                        struct queue_message *qm)
{
    struct vstring *why = vstring_alloc(100), *action = vstring_alloc(16);
    struct local_msg msg = {qm, req->queue_id, req->sender, req->envid};
    const struct deliver_rcpt *r;
    const char *text;
    char code[16];
    size_t i;
    int cls;

    for (i = 0; i < req->rcpt_count; i++) {
        r = &req->rcpts[i];
        cls = local_deliver_rcpt(conf, &msg, r->address, r->notify, r->orcpt,
                                 action, why);
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

/* local_service_conn - serve one delivery request on fd */
void local_service_conn(struct local_conf *conf, int fd)
{
    struct vstream *qmgr = vstream_fdopen(fd, VSTREAM_RW);
    struct vstring *why = vstring_alloc(100);
    struct deliver_request *req;
    struct queue_message *qm = 0;

    vstream_set_timeout(qmgr, (int)conf->ipc_timeout);
    if ((req = deliver_request_read(qmgr, why)) == 0) {
        msg_warn("refused delivery request: %s", vstring_str(why));
        goto out;
    }
    if (refresh_aliases(conf, why) < 0) {
        vstring_sprintf(why, "4.3.0 aliases unavailable");
        defer_all(req, why);
    } else if (deliver_request_open(req, conf->queue_dir, &qm, why) < 0) {
        defer_all(req, why);
    } else {
        deliver_all(conf, req, qm);
    }
    FI_POINT("local.before_reply");
    if (deliver_request_reply(qmgr, req) < 0)
        msg_warn("%s: cannot reply to qmgr: %m", req->queue_id);
out:
    if (qm)
        queue_message_free(qm);
    deliver_request_free(req);
    vstring_free(why);
    (void)vstream_close(qmgr);
}
