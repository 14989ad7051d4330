/*
 * cleanup_session.c - one client connection of the cleanup daemon: read
 * the records, commit the queue file, reply, log (cleanup_state.h).
 */
#include <string.h>

#include "attr.h"
#include "fi_point.h"
#include "msg.h"
#include "record.h"
#include "vstream.h"
#include "vstring.h"

#include "mail_proto.h"
#include "queue_spare.h"

#include "cleanup_state.h"

#define READ_OK 0
#define READ_LOST 1  /* the client went away or fell silent: no reply */
#define READ_BROKEN 2 /* the stream is not a record stream: reply, close */

/* one_record - read one record and feed it to the message */
static int one_record(struct vstream *stream, struct record_grammar *g,
                      struct cleanup_job *s, struct vstring *payload,
                      int *type)
{
    struct record rec;
    const char *refused;
    int r = record_get(stream, &rec, payload);

    if (r == RECORD_EOF || r == RECORD_TRUNCATED || r == RECORD_IO)
        return READ_LOST;
    if (r != RECORD_OK) {
        cleanup_job_fail(s, 4, "4.3.0 malformed record from client");
        return READ_BROKEN;
    }
    if ((refused = record_grammar_step(g, rec.type)) != 0) {
        msg_warn("client record stream: %s", refused);
        cleanup_job_fail(s, 4, "4.3.0 protocol error between client and "
                               "cleanup");
        return READ_BROKEN;
    }
    *type = rec.type;
    switch (rec.type) {
    case REC_VERSION:
        if (strcmp(vstring_str(payload), RECORD_VERSION) != 0) {
            cleanup_job_fail(s, 4, "4.3.0 unknown record format version");
            return READ_BROKEN;
        }
        break;
    case REC_MESSAGE:
    case REC_CONTENT_END:
    case REC_END:
        if (rec.type == REC_CONTENT_END)
            cleanup_content_end(s);
        break;
    case REC_CONTENT:
        if (s->status == 0)
            cleanup_content_bytes(s, vstring_str(payload), vstring_len(payload));
        break;
    default:
        cleanup_envelope_record(s, rec.type, vstring_str(payload),
                                vstring_len(payload));
        break;
    }
    return READ_OK;
}

/* reply - the one answer: {status, reason, queue_id} */
static void reply(struct vstream *stream, int status, const char *reason,
                  const char *id)
{
    struct attr_list *a = attr_list_alloc();

    attr_list_add_long(a, MAIL_ATTR_STATUS, status);
    if (status != 0)
        attr_list_add(a, MAIL_ATTR_REASON, reason);
    if (id)
        attr_list_add(a, MAIL_ATTR_QUEUE_ID, id);
    FI_POINT("cleanup.before_reply");
    if (attr_write(stream, a) < 0)
        msg_warn("%s: cannot send the reply: the client is gone",
                 id ? id : "message");
    FI_POINT("cleanup.after_reply");
    attr_list_free(a);
}

/* cleanup_session_run - serve one connection */
int cleanup_session_run(struct vstream *stream,
                        const struct cleanup_config *cfg)
{
    struct vstring *payload = vstring_alloc(1024), *id = vstring_alloc(32);
    struct vstring *spare = vstring_alloc(32);
    struct record_grammar g;
    struct cleanup_job s;
    int type = 0, r = READ_OK, committed = 0;

    /* the spare file is taken while the client is still sending */
    queue_spare_take_ahead(cfg->queue_dir, CLEANUP_FILE_MODE);
    cleanup_job_init(&s, cfg);
    record_grammar_init(&g, RECORD_PROFILE_SUBMIT);
    while (type != REC_END && (r = one_record(stream, &g, &s, payload,
                                              &type)) == READ_OK)
        ;
    if (r == READ_LOST) {
        msg_info("lost connection with the client before the end of the "
                 "message%s", s.qf ? ": queue file discarded" : "");
        goto out;
    }
    if (r == READ_OK && (committed = cleanup_commit(&s, id, spare)) >= 0) {
        reply(stream, 0, "", vstring_str(id)); /* the client waits: first */
        if (committed == 1)
            committed = cleanup_hand_on(&s, vstring_str(spare),
                                        vstring_str(id));
        msg_info("%s: from=<%s>, size=%zu, nrcpt=%zu (queued)",
                 vstring_str(id), s.sender, s.size, s.nrcpt);
        committed = committed == 1 ? CLEANUP_HANDED_ON : CLEANUP_COMMITTED;
        goto out;
    }
    committed = 0;
    if (s.status == 0) /* cannot happen: commit sets a reason */
        cleanup_job_fail(&s, 4, "4.3.0 internal error");
    msg_info("reject: from=<%s>: %s", s.sender ? s.sender : "",
             vstring_str(s.why));
    reply(stream, s.status, vstring_str(s.why), 0);
out:
    cleanup_job_free(&s); /* aborts a file not committed */
    vstring_free(payload);
    vstring_free(id);
    vstring_free(spare);
    return committed;
}
