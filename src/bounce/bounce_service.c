/*
 * bounce_service.c - one request from qmgr: { queue_id, queue_name, kind,
 * queue_file }; queue_file (the file's name in queue_name, mail_proto.h)
 * may be left out when it is the queue id.
 * Reads the original (the one reader) and the per-message log, builds the
 * DSN and hands it to cleanup from the null sender. The reply says 0 only
 * once cleanup has committed the DSN: then qmgr may mark the recipients
 * done (DESIGN.md section 3, "bounce").
 */
#include <string.h>

#include "attr.h"
#include "fi_point.h"
#include "msg.h"
#include "mymalloc.h"
#include "vstream.h"
#include "vstring.h"

#include "cleanup_client.h"
#include "mail_proto.h"
#include "queue.h"
#include "queue_file.h"

#include "bounce.h"

/* reply - { status, reason, queue_id } */
static void reply(struct vstream *s, int status, const char *reason,
                  const char *queue_id)
{
    struct attr_list *a = attr_list_alloc();

    attr_list_add_long(a, MAIL_ATTR_STATUS, status);
    attr_list_add(a, MAIL_ATTR_REASON, reason);
    attr_list_add(a, MAIL_ATTR_QUEUE_ID, queue_id);
    FI_POINT("bounce.before_reply");
    if (attr_write(s, a) < 0)
        msg_warn("cannot reply to qmgr");
    attr_list_free(a);
}

/* submit - the DSN through cleanup; 0 with its id, or -1 with why */
static int submit(const struct bounce_conf *conf, const char *to,
                  const struct vstring *dsn, struct vstring *id,
                  struct vstring *why)
{
    struct cleanup_client *cc;

    FI_POINT("bounce.before_submit");
    if ((cc = cleanup_client_open(conf->queue_dir, CLEANUP_FLAG_NO_HEADER_FIX,
                                  conf->ipc_timeout, why)) == 0)
        return -1;
    cleanup_client_sender(cc, "");
    cleanup_client_rcpt(cc, to, "", "");
    cleanup_client_content(cc, vstring_str(dsn), vstring_len(dsn));
    if (cleanup_client_commit(cc, id, why) != CLEANUP_OK)
        return -1;
    FI_POINT("bounce.after_commit");
    return 0;
}

/* parse_request - checked ids and kind; NULL with why when refused */
static const char *parse_request(const struct attr_list *a,
                                 enum dsn_kind *kind, const char **queue,
                                 const char **file, struct vstring *why)
{
    const char *id = attr_list_get(a, MAIL_ATTR_QUEUE_ID);
    const char *k = attr_list_get(a, MAIL_ATTR_KIND);

    *queue = attr_list_get(a, MAIL_ATTR_QUEUE_NAME);
    if ((*file = attr_list_get(a, MAIL_ATTR_QUEUE_FILE)) == 0)
        *file = id;
    if (!id || !queue_id_valid(id) || !*queue || !queue_name_valid(*queue) ||
        !*file || !queue_id_valid(*file) ||
        !k || (strcmp(k, "failed") != 0 && strcmp(k, "delayed") != 0)) {
        vstring_sprintf(why, "4.3.0 malformed bounce request");
        return 0;
    }
    *kind = strcmp(k, "failed") == 0 ? DSN_FAILED : DSN_DELAYED;
    return id;
}

/* read_original - the message in queue/file, known by its queue id id
 * (the DSN names the id, not a spare file's name) */
static int read_original(const struct bounce_conf *conf, const char *queue,
                         const char *file, const char *id,
                         struct queue_message **mp, struct vstring *err)
{
    int rc = queue_file_read(conf->queue_dir, queue, file, QUEUE_FILE_RDONLY,
                             mp, err);

    if (rc == QUEUE_FILE_OK && strcmp((*mp)->id, id) != 0) {
        myfree((*mp)->id);
        (*mp)->id = mystrdup(id);
    }
    return rc;
}

/* serve - one request: 0 status written into why/id */
static int serve(const struct bounce_conf *conf, const char *id,
                 const char *queue, const char *file, enum dsn_kind kind,
                 struct vstring *dsn_id, struct vstring *why)
{
    struct vstring *dsn = vstring_alloc(8192), *err = vstring_alloc(100);
    struct queue_message *m = 0;
    struct bounce_log log = {0, 0};
    int n, status = 4;

    if (read_original(conf, queue, file, id, &m, err) != QUEUE_FILE_OK) {
        vstring_sprintf(why, "4.3.0 cannot read the original: %s",
                        vstring_str(err));
    } else if (*m->sender == 0) {
        msg_info("%s: not sending a DSN to the null sender", id);
        vstring_sprintf(why, "2.0.0 no DSN for the null sender");
        status = 0;
    } else if (bounce_log_read(conf->queue_dir,
                               kind == DSN_FAILED ? QUEUE_BOUNCE_LOG
                                                  : QUEUE_DEFER_LOG,
                               id, &log, err) < 0) {
        vstring_sprintf(why, "4.3.0 cannot read the log: %s",
                        vstring_str(err));
    } else if ((n = bounce_dsn_build(conf, m, &log, kind, dsn, why)) < 0) {
        /* why says */
    } else if (n == 0) {
        vstring_sprintf(why, "2.0.0 no recipient asked for a DSN");
        status = 0;
    } else if (submit(conf, m->sender, dsn, dsn_id, why) == 0) {
        msg_info("%s: sender %s DSN: %s", id,
                 kind == DSN_FAILED ? "non-delivery" : "delay",
                 vstring_str(dsn_id));
        vstring_sprintf(why, "2.0.0 DSN queued as %s", vstring_str(dsn_id));
        status = 0;
    }
    if (m)
        queue_message_free(m);
    bounce_log_free(&log);
    vstring_free(dsn);
    vstring_free(err);
    return status;
}

/* bounce_service_conn - one connection from qmgr */
void bounce_service_conn(const struct bounce_conf *conf, int fd)
{
    struct vstream *s = vstream_fdopen(fd, VSTREAM_RW);
    struct attr_list *a = attr_list_alloc();
    struct vstring *why = vstring_alloc(100), *dsn_id = vstring_alloc(32);
    const char *id, *queue, *file;
    enum dsn_kind kind;
    int status;

    vstream_set_timeout(s, conf->ipc_timeout);
    if (attr_read(s, a, 0, why) <= 0) {
        msg_warn("bounce request not read: %s", vstring_str(why));
        goto out;
    }
    if ((id = parse_request(a, &kind, &queue, &file, why)) == 0) {
        msg_warn("%s", vstring_str(why));
        reply(s, 4, vstring_str(why), "");
        goto out;
    }
    status = serve(conf, id, queue, file, kind, dsn_id, why);
    if (status != 0)
        msg_warn("%s: DSN not sent: %s", id, vstring_str(why));
    reply(s, status, vstring_str(why), status == 0 ? vstring_str(dsn_id) : "");
out:
    attr_list_free(a);
    vstring_free(why);
    vstring_free(dsn_id);
    (void)vstream_close(s);
}
