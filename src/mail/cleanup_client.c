/*
 * cleanup_client.c - handing a message to cleanup over private/cleanup
 * (cleanup_client.h): the records of the submission profile out, one
 * attribute reply in.
 *
 * The client keeps its own record grammar so that a caller that sends
 * records out of order is caught here (msg_panic: a bug in the caller),
 * not by a confused cleanup. Content is cut into 'C' records of at most
 * RECORD_MAX_PAYLOAD bytes; cleanup reassembles lines across records.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "attr.h"
#include "msg.h"
#include "mymalloc.h"
#include "vstream.h"
#include "vstring.h"

#include "cleanup_client.h"
#include "mail_proto.h"
#include "queue.h"
#include "record.h"

struct cleanup_client {
    struct vstream *stream;
    struct record_grammar grammar;
    struct vstring *scratch;
    int in_content; /* 'M' written */
    int failed;     /* a write failed: the reply decides, else 4.3.0 */
};

/* put - one record, grammar-checked */
static int put(struct cleanup_client *cc, int type, const void *data,
               size_t len)
{
    const char *refused = record_grammar_step(&cc->grammar, type);

    if (refused)
        msg_panic("cleanup_client: %s record refused: %s",
                  record_type_name(type), refused);
    if (cc->failed)
        return -1;
    if (record_put(cc->stream, type, data, len) < 0) {
        cc->failed = 1;
        return -1;
    }
    return 0;
}

/* connect_cleanup - a connected stream socket, or -1 with why */
static int connect_cleanup(const char *queue_dir, struct vstring *why)
{
    struct sockaddr_un sun;
    int fd, n;

    memset(&sun, 0, sizeof(sun));
    sun.sun_family = AF_UNIX;
    n = snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/%s/%s", queue_dir,
                 MAIL_CLASS_PRIVATE, MAIL_SERVICE_CLEANUP);
    if (n < 0 || (size_t)n >= sizeof(sun.sun_path)) {
        vstring_sprintf(why, "4.3.0 cannot connect to cleanup: path too long");
        return -1;
    }
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
        vstring_sprintf(why, "4.3.0 cannot connect to cleanup: socket: %m");
        return -1;
    }
    if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
        vstring_sprintf(why, "4.3.0 cannot connect to cleanup: %s: %m",
                        sun.sun_path);
        close(fd);
        return -1;
    }
    return fd;
}

/* cleanup_client_open - connect and send the version record */
struct cleanup_client *cleanup_client_open(const char *queue_dir, int flags,
                                           int timeout, struct vstring *why)
{
    struct cleanup_client *cc;
    char buf[64];
    int fd;

    if ((fd = connect_cleanup(queue_dir, why)) < 0)
        return 0;
    cc = mymalloc(sizeof(*cc));
    cc->stream = vstream_fdopen(fd, VSTREAM_RW);
    vstream_set_timeout(cc->stream, timeout);
    cc->scratch = vstring_alloc(256);
    cc->failed = 0;
    cc->in_content = 0;
    record_grammar_init(&cc->grammar, RECORD_PROFILE_SUBMIT);
    (void)put(cc, REC_VERSION, RECORD_VERSION, strlen(RECORD_VERSION));
    if (flags) {
        snprintf(buf, sizeof(buf), "%s=%d", MAIL_ATTR_CLEANUP_FLAGS, flags);
        (void)put(cc, REC_ATTR, buf, strlen(buf));
    }
    return cc;
}

/* cleanup_client_attr - one "name=value" attribute */
int cleanup_client_attr(struct cleanup_client *cc, const char *name,
                        const char *value)
{
    vstring_sprintf(cc->scratch, "%s=%s", name, value);
    if (vstring_len(cc->scratch) > RECORD_MAX_PAYLOAD || *name == 0 ||
        strchr(name, '='))
        msg_panic("cleanup_client_attr: bad attribute \"%.60s\"", name);
    return put(cc, REC_ATTR, vstring_str(cc->scratch),
               vstring_len(cc->scratch));
}

/* cleanup_client_sender - the envelope sender */
int cleanup_client_sender(struct cleanup_client *cc, const char *sender)
{
    size_t len = strlen(sender);

    if (len > RECORD_MAX_PAYLOAD)
        msg_panic("cleanup_client_sender: sender too long");
    return put(cc, REC_SENDER, sender, len);
}

/* cleanup_client_rcpt - one recipient with its DSN fields */
int cleanup_client_rcpt(struct cleanup_client *cc, const char *addr,
                        const char *notify, const char *orcpt)
{
    if (record_rcpt_encode(cc->scratch, addr, notify ? notify : "",
                           orcpt ? orcpt : "") < 0)
        msg_panic("cleanup_client_rcpt: recipient does not fit a record");
    return put(cc, REC_RCPT, vstring_str(cc->scratch),
               vstring_len(cc->scratch));
}

/* cleanup_client_content - content in records of at most the maximum */
int cleanup_client_content(struct cleanup_client *cc, const char *buf,
                           size_t len)
{
    size_t n;

    if (!cc->in_content) {
        cc->in_content = 1;
        (void)put(cc, REC_MESSAGE, "", 0);
    }
    while (len > 0) {
        n = len > RECORD_MAX_PAYLOAD ? RECORD_MAX_PAYLOAD : len;
        if (put(cc, REC_CONTENT, buf, n) < 0)
            return -1;
        buf += n;
        len -= n;
    }
    return cc->failed ? -1 : 0;
}

/* client_free - close the connection and release cc */
static void client_free(struct cleanup_client *cc)
{
    (void)vstream_close(cc->stream);
    vstring_free(cc->scratch);
    myfree(cc);
}

/* read_reply - cleanup's verdict: CLEANUP_* and why/queue_id */
static int read_reply(struct cleanup_client *cc, struct vstring *queue_id,
                      struct vstring *why)
{
    struct attr_limits lim = {16, 64, 2048, 8192};
    struct attr_list *reply = attr_list_alloc();
    const char *reason, *id;
    long status;
    int rc = CLEANUP_DEFER, r;

    r = attr_read(cc->stream, reply, &lim, why);
    if (r <= 0) {
        vstring_sprintf(why, "4.3.0 no reply from cleanup (%s)",
                        r == 0 ? "connection closed" : "bad or late reply");
        goto out;
    }
    reason = attr_list_get(reply, MAIL_ATTR_REASON);
    id = attr_list_get(reply, MAIL_ATTR_QUEUE_ID);
    if (attr_list_get_long(reply, MAIL_ATTR_STATUS, &status) < 0) {
        vstring_sprintf(why, "4.3.0 malformed reply from cleanup");
    } else if (status == 0 && id && queue_id_valid(id) && !cc->failed) {
        vstring_set_str(queue_id, id);
        vstring_reset(why);
        rc = CLEANUP_OK;
    } else if ((status == 4 || status == 5) && reason && *reason == '0' + status) {
        vstring_set_str(why, reason);
        rc = (int)status;
    } else {
        vstring_sprintf(why, "4.3.0 malformed reply from cleanup");
    }
out:
    attr_list_free(reply);
    return rc;
}

/* cleanup_client_commit - end the message and wait for the verdict */
int cleanup_client_commit(struct cleanup_client *cc, struct vstring *queue_id,
                          struct vstring *why)
{
    int rc;

    if (!cc->in_content)
        (void)cleanup_client_content(cc, "", 0);
    (void)put(cc, REC_CONTENT_END, "", 0);
    (void)put(cc, REC_END, "", 0);
    if (!cc->failed && vstream_flush(cc->stream) < 0)
        cc->failed = 1;
    /* Even after a failed write cleanup may have answered (a refusal). */
    rc = read_reply(cc, queue_id, why);
    if (rc == CLEANUP_OK && cc->failed)
        rc = CLEANUP_DEFER;
    client_free(cc);
    return rc;
}

/* cleanup_client_abort - hang up before 'E': cleanup discards the message */
void cleanup_client_abort(struct cleanup_client *cc)
{
    client_free(cc);
}
