/*
 * bounce_log.c - reading the per-message logs that qmgr appends to
 * (mail_proto.h), and the RFC 3461 NOTIFY rules.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "attr.h"
#include "msg.h"
#include "mymalloc.h"
#include "vstream.h"
#include "vstring.h"

#include "mail_proto.h"
#include "queue.h"

#include "bounce.h"

/* get - an attribute's value, "" when missing */
static const char *get(const struct attr_list *a, const char *name)
{
    const char *v = attr_list_get(a, name);

    return v ? v : "";
}

/* entry_set - fill (or refill) one entry from a record */
static void entry_set(struct bounce_entry *e, const struct attr_list *a,
                      long offset)
{
    myfree(e->rcpt);
    myfree(e->orcpt);
    myfree(e->notify);
    myfree(e->status);
    myfree(e->action);
    myfree(e->reason);
    e->rcpt = mystrdup(get(a, MAIL_ATTR_RCPT));
    e->orcpt = mystrdup(get(a, MAIL_ATTR_ORCPT));
    e->notify = mystrdup(get(a, MAIL_ATTR_NOTIFY));
    e->status = mystrdup(get(a, MAIL_ATTR_DSN_STATUS));
    e->action = mystrdup(get(a, MAIL_ATTR_DSN_ACTION));
    e->reason = mystrdup(get(a, MAIL_ATTR_REASON));
    e->offset = offset;
}

/* add_entry - append, or replace the entry for the same recipient record */
static int add_entry(struct bounce_log *log, const struct attr_list *a,
                     struct vstring *why)
{
    long offset;
    size_t i;

    if (attr_list_get_long(a, MAIL_ATTR_RCPT_OFFSET, &offset) < 0 ||
        *get(a, MAIL_ATTR_RCPT) == 0 || *get(a, MAIL_ATTR_DSN_STATUS) == 0) {
        vstring_sprintf(why, "log record without rcpt, rcpt_offset or "
                             "dsn_status");
        return -1;
    }
    for (i = 0; i < log->count; i++)
        if (log->items[i].offset == offset)
            break;
    if (i == log->count) {
        if (log->count >= BOUNCE_LOG_MAX_ENTRIES) {
            vstring_sprintf(why, "more than %d log records",
                            BOUNCE_LOG_MAX_ENTRIES);
            return -1;
        }
        log->items = myrealloc(log->items, (log->count + 1) *
                                               sizeof(*log->items));
        memset(&log->items[log->count++], 0, sizeof(*log->items));
    }
    entry_set(&log->items[i], a, offset);
    return 0;
}

/* bounce_log_read - every complete record of one per-message log */
int bounce_log_read(const char *queue_dir, const char *log_queue,
                    const char *id, struct bounce_log *log,
                    struct vstring *why)
{
    struct vstring *path = vstring_alloc(100), *err = vstring_alloc(100);
    struct attr_list *a = attr_list_alloc();
    struct vstream *s;
    int fd, r, ret = -1;

    log->items = 0;
    log->count = 0;
    queue_path(path, queue_dir, log_queue, id);
    if ((fd = open(vstring_str(path), O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
        if (errno == ENOENT)
            ret = 0;
        else
            vstring_sprintf(why, "open %s: %m", vstring_str(path));
        goto out;
    }
    s = vstream_fdopen(fd, VSTREAM_READ);
    while ((r = attr_read(s, a, 0, err)) == 1)
        if (add_entry(log, a, why) < 0)
            break;
    (void)vstream_close(s);
    if (r == 1)
        goto out; /* add_entry refused a record */
    if (r < 0)
        msg_warn("%s: %s: ignoring a record cut short: %s", id,
                 vstring_str(path), vstring_str(err));
    ret = 0;
out:
    if (ret < 0)
        bounce_log_free(log);
    attr_list_free(a);
    vstring_free(path);
    vstring_free(err);
    return ret;
}

/* bounce_log_free - release the entries */
void bounce_log_free(struct bounce_log *log)
{
    size_t i;

    for (i = 0; i < log->count; i++) {
        myfree(log->items[i].rcpt);
        myfree(log->items[i].orcpt);
        myfree(log->items[i].notify);
        myfree(log->items[i].status);
        myfree(log->items[i].action);
        myfree(log->items[i].reason);
    }
    myfree(log->items);
    log->items = 0;
    log->count = 0;
}

/* has_word - is word in the comma-separated list (any case) */
static int has_word(const char *list, const char *word)
{
    size_t n = strlen(word);
    const char *p = list;

    while (*p) {
        p += strspn(p, " ,");
        if (strncasecmp(p, word, n) == 0 && (p[n] == 0 || p[n] == ',' ||
                                             p[n] == ' '))
            return 1;
        p += strcspn(p, ",");
    }
    return 0;
}

/* bounce_notify_wants - the RFC 3461 NOTIFY rules */
int bounce_notify_wants(const char *notify, enum dsn_kind kind)
{
    if (notify == 0 || notify[strspn(notify, " ")] == 0)
        return 1; /* default: FAILURE and DELAY */
    if (has_word(notify, "NEVER"))
        return 0;
    return has_word(notify, kind == DSN_FAILED ? "FAILURE" : "DELAY");
}
