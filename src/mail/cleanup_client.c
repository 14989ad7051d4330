/*
 * cleanup_client.c - STAND-IN written by the local/bounce helper so that
 * local (forwarding) and bounce (DSNs) link and can be tested before the
 * submit helper's cleanup_client.c is merged. When both exist, keep the
 * submit helper's version: this one only follows cleanup_client.h and
 * mail_proto.h literally (records V A* S R* M C* X E, then one attribute
 * reply { status, reason, queue_id }).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "attr.h"
#include "iostuff.h"
#include "mymalloc.h"
#include "vstream.h"
#include "vstring.h"

#include "cleanup_client.h"
#include "mail_proto.h"
#include "record.h"

struct cleanup_client {
    struct vstream *stream;
    int failed;
    int in_content;
};

/* cleanup_client_open - connect and send the version and the flags */
struct cleanup_client *cleanup_client_open(const char *queue_dir, int flags,
                                           int timeout, struct vstring *why)
{
    struct sockaddr_un sun;
    struct cleanup_client *cc;
    char num[32];
    int fd;

    memset(&sun, 0, sizeof(sun));
    sun.sun_family = AF_UNIX;
    if ((size_t)snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/%s/%s",
                         queue_dir, MAIL_CLASS_PRIVATE, MAIL_SERVICE_CLEANUP) >=
        sizeof(sun.sun_path)) {
        vstring_sprintf(why, "4.3.0 cannot connect to cleanup: path too long");
        return 0;
    }
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
        connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
        vstring_sprintf(why, "4.3.0 cannot connect to cleanup: %m");
        if (fd >= 0)
            close(fd);
        return 0;
    }
    cc = mymalloc(sizeof(*cc));
    cc->stream = vstream_fdopen(fd, VSTREAM_RW);
    cc->failed = 0;
    cc->in_content = 0;
    vstream_set_timeout(cc->stream, timeout);
    if (record_put_str(cc->stream, REC_VERSION, RECORD_VERSION) < 0)
        cc->failed = 1;
    if (flags) {
        snprintf(num, sizeof(num), "%d", flags);
        cleanup_client_attr(cc, MAIL_ATTR_CLEANUP_FLAGS, num);
    }
    return cc;
}

/* put - one record unless an earlier call failed */
static int put(struct cleanup_client *cc, int type, const void *buf,
               size_t len)
{
    if (!cc->failed && record_put(cc->stream, type, buf, len) < 0)
        cc->failed = 1;
    return cc->failed ? -1 : 0;
}

/* cleanup_client_attr - an 'A' record "name=value" */
int cleanup_client_attr(struct cleanup_client *cc, const char *name,
                        const char *value)
{
    struct vstring *buf = vstring_alloc(100);
    int ret;

    vstring_sprintf(buf, "%s=%s", name, value);
    ret = put(cc, REC_ATTR, vstring_str(buf), vstring_len(buf));
    vstring_free(buf);
    return ret;
}

/* cleanup_client_sender - the 'S' record */
int cleanup_client_sender(struct cleanup_client *cc, const char *sender)
{
    return put(cc, REC_SENDER, sender, strlen(sender));
}

/* cleanup_client_rcpt - an 'R' record */
int cleanup_client_rcpt(struct cleanup_client *cc, const char *addr,
                        const char *notify, const char *orcpt)
{
    struct vstring *buf = vstring_alloc(100);
    int ret = -1;

    if (record_rcpt_encode(buf, addr, notify, orcpt) < 0)
        cc->failed = 1;
    else
        ret = put(cc, REC_RCPT, vstring_str(buf), vstring_len(buf));
    vstring_free(buf);
    return ret;
}

/* cleanup_client_content - 'M' once, then 'C' records of bounded size */
int cleanup_client_content(struct cleanup_client *cc, const char *buf,
                           size_t len)
{
    size_t n;

    if (!cc->in_content) {
        cc->in_content = 1;
        put(cc, REC_MESSAGE, "", 0);
    }
    while (len > 0 && !cc->failed) {
        n = len > RECORD_MAX_PAYLOAD ? RECORD_MAX_PAYLOAD : len;
        put(cc, REC_CONTENT, buf, n);
        buf += n;
        len -= n;
    }
    return cc->failed ? -1 : 0;
}

/* cleanup_client_commit - end the message, wait for the verdict */
int cleanup_client_commit(struct cleanup_client *cc, struct vstring *queue_id,
                          struct vstring *why)
{
    struct attr_list *reply = attr_list_alloc();
    const char *reason, *id;
    long status = CLEANUP_DEFER;

    if (!cc->in_content)
        cleanup_client_content(cc, "", 0);
    put(cc, REC_CONTENT_END, "", 0);
    put(cc, REC_END, "", 0);
    if (cc->failed || vstream_flush(cc->stream) < 0) {
        vstring_sprintf(why, "4.3.0 write to cleanup failed");
    } else if (attr_read(cc->stream, reply, 0, why) <= 0) {
        vstring_sprintf(why, "4.3.0 no reply from cleanup");
    } else if (attr_list_get_long(reply, MAIL_ATTR_STATUS, &status) < 0) {
        status = CLEANUP_DEFER;
        vstring_sprintf(why, "4.3.0 malformed reply from cleanup");
    } else if (status == 0) {
        id = attr_list_get(reply, MAIL_ATTR_QUEUE_ID);
        vstring_set_str(queue_id, id ? id : "");
    } else {
        status = status == CLEANUP_REJECT ? CLEANUP_REJECT : CLEANUP_DEFER;
        reason = attr_list_get(reply, MAIL_ATTR_REASON);
        vstring_set_str(why, reason ? reason : "4.3.0 cleanup refused");
    }
    attr_list_free(reply);
    (void)vstream_close(cc->stream);
    myfree(cc);
    return (int)status;
}

/* cleanup_client_abort - drop the connection; cleanup discards the rest */
void cleanup_client_abort(struct cleanup_client *cc)
{
    (void)vstream_close(cc->stream);
    myfree(cc);
}
