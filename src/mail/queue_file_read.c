/*
 * queue_file_read.c - the one reader of queue files, and marking recipients
 * done (see queue_file.h).
 *
 * Used by pickup (maildrop/) and qmgr (incoming/, active/, deferred/...).
 * The whole file is checked before anything in it is believed: a file that
 * is cut short, malformed or out of grammar goes to corrupt/, so an
 * incomplete file is never delivered.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fi_point.h"
#include "msg.h"
#include "mymalloc.h"
#include "queue.h"
#include "queue_file.h"
#include "queue_seal.h"
#include "safe_open.h"
#include "vstream.h"
#include "vstring.h"

/* parse_time - "seconds.microseconds" (1-6 digits after the dot) */
static int parse_time(const char *s, size_t len, long *sec, long *usec)
{
    size_t i = 0, digits = 0;
    long v = 0, u = 0;

    for (; i < len && s[i] >= '0' && s[i] <= '9' && digits < 15; i++, digits++)
        v = v * 10 + (s[i] - '0');
    if (digits == 0 || i >= len || s[i] != '.')
        return -1;
    for (i++, digits = 0; i < len && s[i] >= '0' && s[i] <= '9' && digits < 6;
         i++, digits++)
        u = u * 10 + (s[i] - '0');
    if (digits == 0 || i != len)
        return -1;
    for (; digits < 6; digits++)
        u *= 10;
    *sec = v;
    *usec = u;
    return 0;
}

/* add_rcpt - keep one 'R'/'D' record of the envelope */
static const char *add_rcpt(struct queue_message *m, const struct record *rec,
                            const struct vstring *p)
{
    struct record_rcpt r;
    struct queue_rcpt *q;

    if (record_rcpt_decode(vstring_str(p), vstring_len(p), &r) < 0 ||
        r.address_len == 0)
        return "malformed recipient record";
    if (m->rcpt_count >= QUEUE_FILE_MAX_RCPTS)
        return "too many recipients";
    if ((m->rcpt_count & (m->rcpt_count - 1)) == 0)
        m->rcpts = myrealloc(m->rcpts, (m->rcpt_count ? 2 * m->rcpt_count : 1) *
                                           sizeof(*m->rcpts));
    q = m->rcpts + m->rcpt_count++;
    q->address = mystrndup(r.address, r.address_len);
    q->notify = mystrndup(r.notify, r.notify_len);
    q->orcpt = mystrndup(r.orcpt, r.orcpt_len);
    q->offset = rec->offset;
    q->done = rec->type == REC_DONE;
    return 0;
}

/* add_attr - keep one 'A' record */
static const char *add_attr(struct queue_message *m, const struct vstring *p)
{
    long name_len = record_attr_split(vstring_str(p), vstring_len(p));
    struct queue_attr *a;

    if (name_len < 0)
        return "malformed attribute record";
    if (m->attr_count >= QUEUE_FILE_MAX_ATTRS)
        return "too many attributes";
    if ((m->attr_count & (m->attr_count - 1)) == 0)
        m->attrs = myrealloc(m->attrs, (m->attr_count ? 2 * m->attr_count : 1) *
                                           sizeof(*m->attrs));
    a = m->attrs + m->attr_count++;
    a->name = mystrndup(vstring_str(p), (size_t)name_len);
    a->value = mystrdup(vstring_str(p) + name_len + 1);
    return 0;
}

/* seal_ok - an end record's payload is a well-formed seal (queue_seal.h;
 * its CRC counts only in spare/: marking recipients done changes it) */
static int seal_ok(const struct vstring *p)
{
    unsigned char rec[QUEUE_SEAL_SIZE];
    char id[QUEUE_ID_LEN + 1];
    uint32_t crc;

    if (vstring_len(p) != QUEUE_SEAL_PAYLOAD)
        return 0;
    record_header_encode(rec, REC_END, QUEUE_SEAL_PAYLOAD);
    memcpy(rec + RECORD_HEADER_SIZE, vstring_str(p), QUEUE_SEAL_PAYLOAD);
    return queue_seal_parse(rec, id, &crc);
}

/* take_record - check one record's payload and keep what it says */
static const char *take_record(struct queue_message *m,
                               const struct record *rec,
                               const struct vstring *p)
{
    const char *why = 0;

    /* Only C and P payloads may hold NUL bytes; R/D hold exactly two. */
    if (rec->type != REC_CONTENT && rec->type != REC_PADDING &&
        rec->type != REC_RCPT && rec->type != REC_DONE &&
        strlen(vstring_str(p)) != vstring_len(p))
        return "NUL byte in a text record";
    switch (rec->type) {
    case REC_VERSION:
        if (strcmp(vstring_str(p), RECORD_VERSION) != 0)
            why = "unknown format version";
        break;
    case REC_TIME:
        if (parse_time(vstring_str(p), vstring_len(p), &m->arrival_sec,
                       &m->arrival_usec) < 0)
            why = "malformed time record";
        break;
    case REC_SENDER:
        m->sender = mystrdup(vstring_str(p));
        break;
    case REC_ATTR:
        why = add_attr(m, p);
        break;
    case REC_RCPT:
    case REC_DONE:
        why = add_rcpt(m, rec, p);
        break;
    case REC_END:
        if (rec->len != 0 && !seal_ok(p))
            why = "malformed seal in the end record";
        break;
    case REC_MESSAGE:
        m->content_offset = rec->offset + RECORD_HEADER_SIZE;
        /* FALLTHROUGH */
    case REC_CONTENT_END:
        if (rec->len != 0)
            why = "payload in an empty record";
        break;
    case REC_CONTENT:
        m->content_size += (off_t)rec->len;
        break;
    case REC_PADDING: /* means nothing; the seal counts its header only */
        break;
    }
    return why;
}

/* scan_file - read every record; NULL when the file is complete and sound */
static const char *scan_file(struct queue_message *m, int *io_error)
{
    struct vstring *p = vstring_alloc(256);
    struct record_grammar g;
    struct record rec;
    const char *why = 0;
    int r;

    record_grammar_init(&g, strcmp(m->queue, QUEUE_MAILDROP) == 0
                                ? RECORD_PROFILE_SUBMIT
                                : RECORD_PROFILE_QUEUE);
    for (;;) {
        /* content is skipped, not kept: qmgr never holds a body */
        r = record_get(m->stream, &rec, p);
        if (r != RECORD_OK)
            break;
        if ((why = record_grammar_step(&g, rec.type)) != 0 ||
            (why = take_record(m, &rec, p)) != 0 || rec.type == REC_END)
            break;
    }
    if (why == 0 && r == RECORD_OK) {
        /* after the end record there must be nothing at all */
        r = record_get(m->stream, &rec, 0);
        if (r == RECORD_OK)
            why = "data after the end record";
        else if (r != RECORD_EOF)
            why = record_result_str(r);
    } else if (why == 0 && r == RECORD_EOF) {
        why = record_grammar_done(&g);
    } else if (why == 0) {
        why = record_result_str(r);
    }
    *io_error = (r == RECORD_IO);
    vstring_free(p);
    return why;
}

/* to_corrupt - move a refused file out of the way, with a log line */
static void to_corrupt(const char *root, const char *queue, const char *id,
                       const char *reason)
{
    struct vstring *why = vstring_alloc(100);

    if (strcmp(queue, QUEUE_CORRUPT) == 0) {
        msg_warn("%s: corrupt queue file in %s: %s", id, queue, reason);
    } else if (queue_move(root, queue, QUEUE_CORRUPT, id, why) < 0) {
        msg_warn("%s: corrupt queue file in %s: %s; cannot move it: %s", id,
                 queue, reason, vstring_str(why));
    } else {
        msg_warn("%s: corrupt queue file in %s: %s; moved to %s", id, queue,
                 reason, QUEUE_CORRUPT);
    }
    vstring_free(why);
}

/*
 * expected_owner - who must own a file in this queue: the owner of the
 * queue directory (mail_owner, or the instance's user) in incoming/,
 * active/ and deferred/, which only cleanup writes. In maildrop/ (written
 * by the setgid gate as the submitting user; pickup compares the owner
 * with the uid record), hold/ and corrupt/ (where pickup moves maildrop
 * files) any owner is accepted, as before: the file's own owner is taken.
 * A QUEUE_FILE_* code.
 */
static int expected_owner(const char *root, const char *queue,
                          const char *path, uid_t *owner, struct vstring *why)
{
    struct vstring *dir;
    struct stat st;
    int any = strcmp(queue, QUEUE_MAILDROP) == 0 ||
              strcmp(queue, QUEUE_HOLD) == 0 ||
              strcmp(queue, QUEUE_CORRUPT) == 0;

    if (any) {
        if (lstat(path, &st) < 0) {
            vstring_sprintf(why, "lstat %s: %m", path);
            return errno == ENOENT ? QUEUE_FILE_GONE : QUEUE_FILE_ERROR;
        }
    } else {
        dir = vstring_alloc(100);
        queue_dir_path(dir, root, queue);
        if (stat(vstring_str(dir), &st) < 0) {
            vstring_sprintf(why, "stat %s: %m", vstring_str(dir));
            vstring_free(dir);
            return QUEUE_FILE_ERROR;
        }
        vstring_free(dir);
    }
    *owner = st.st_uid;
    return QUEUE_FILE_OK;
}

/*
 * open_checked - safe_open_existing: no symlink, a regular file with one
 * link and the expected owner, the very file that was checked.
 */
static int open_checked(const char *root, const char *queue, const char *path,
                        int flags, int *fd, struct vstring *why)
{
    int oflags = (flags == QUEUE_FILE_RDWR ? O_RDWR : O_RDONLY) | O_CLOEXEC;
    struct vstring *reason;
    uid_t owner;
    int rc;

    if ((rc = expected_owner(root, queue, path, &owner, why)) != QUEUE_FILE_OK)
        return rc;
    reason = vstring_alloc(50);
    if ((*fd = safe_open_existing(path, oflags, owner, reason)) < 0) {
        vstring_sprintf(why, "open %s: %s", path, vstring_str(reason));
        rc = *fd == -ENOENT                     ? QUEUE_FILE_GONE
             : *fd == -ELOOP || *fd == -EPERM ? QUEUE_FILE_CORRUPT
                                                : QUEUE_FILE_ERROR;
    }
    vstring_free(reason);
    return rc;
}

/* queue_file_read - open, check completely, return the envelope */
int queue_file_read(const char *root, const char *queue, const char *id,
                    int flags, struct queue_message **msgp, struct vstring *why)
{
    struct vstring *path = vstring_alloc(100);
    struct queue_message *m = 0;
    const char *refused;
    int fd, io_error, rc;

    *msgp = 0;
    queue_path(path, root, queue, id);
    if ((rc = open_checked(root, queue, vstring_str(path), flags, &fd, why)) !=
        QUEUE_FILE_OK)
        goto out;
    m = mymalloc(sizeof(*m));
    memset(m, 0, sizeof(*m));
    m->root = mystrdup(root);
    m->queue = mystrdup(queue);
    m->id = mystrdup(id);
    m->stream = vstream_fdopen(fd, flags == QUEUE_FILE_RDWR ? VSTREAM_RW
                                                            : VSTREAM_READ);
    if ((refused = scan_file(m, &io_error)) == 0) {
        m->file_size = vstream_tell(m->stream);
        *msgp = m;
        m = 0;
    } else if (io_error) {
        vstring_sprintf(why, "read %s: %s", vstring_str(path), refused);
        rc = QUEUE_FILE_ERROR;
    } else {
        vstring_sprintf(why, "%s: %s", vstring_str(path), refused);
        rc = QUEUE_FILE_CORRUPT;
    }
out:
    if (m)
        queue_message_free(m);
    if (rc == QUEUE_FILE_CORRUPT)
        to_corrupt(root, queue, id, vstring_str(why));
    vstring_free(path);
    return rc;
}

/* queue_message_free - close the file and release the envelope */
void queue_message_free(struct queue_message *m)
{
    size_t i;

    if (m->stream)
        (void)vstream_close(m->stream);
    for (i = 0; i < m->rcpt_count; i++) {
        myfree(m->rcpts[i].address);
        myfree(m->rcpts[i].notify);
        myfree(m->rcpts[i].orcpt);
    }
    for (i = 0; i < m->attr_count; i++) {
        myfree(m->attrs[i].name);
        myfree(m->attrs[i].value);
    }
    myfree(m->rcpts);
    myfree(m->attrs);
    myfree(m->sender);
    myfree(m->root);
    myfree(m->queue);
    myfree(m->id);
    myfree(m);
}

/* queue_message_rewind - go to the first content record */
int queue_message_rewind(struct queue_message *m)
{
    vstream_clear_error(m->stream);
    return vstream_seek(m->stream, m->content_offset);
}

/* queue_message_next_chunk - one 'C' payload, or 0 at the 'X' record */
int queue_message_next_chunk(struct queue_message *m, struct vstring *chunk)
{
    struct record rec;
    int r = record_get(m->stream, &rec, chunk);

    if (r != RECORD_OK)
        return -1;
    if (rec.type == REC_CONTENT)
        return 1;
    return rec.type == REC_CONTENT_END ? 0 : -1;
}

/* queue_file_mark_done_unsynced - rewrite one type byte R -> D */
int queue_file_mark_done_unsynced(int fd, off_t offset, struct vstring *why)
{
    unsigned char type;
    ssize_t n;

    if ((n = pread(fd, &type, 1, offset)) != 1) {
        vstring_sprintf(why, "read record at offset %lld: %s",
                        (long long)offset, n < 0 ? "I/O error" : "end of file");
        return -1;
    }
    if (type == REC_DONE)
        return 0;
    if (type != REC_RCPT) {
        vstring_sprintf(why, "no recipient record at offset %lld",
                        (long long)offset);
        return -1;
    }
    type = REC_DONE;
    if (pwrite(fd, &type, 1, offset) != 1) {
        vstring_sprintf(why, "mark done at offset %lld: %m", (long long)offset);
        return -1;
    }
    FI_POINT("queue_file.mark_done");
    return 0;
}

/* queue_file_mark_done - rewrite one type byte R -> D, then fsync */
int queue_file_mark_done(int fd, off_t offset, struct vstring *why)
{
    if (queue_file_mark_done_unsynced(fd, offset, why) < 0)
        return -1;
    if (fsync(fd) < 0) {
        vstring_sprintf(why, "fsync after mark done: %m");
        return -1;
    }
    return 0;
}

/* queue_message_mark_done - mark recipient i of an open message done */
int queue_message_mark_done(struct queue_message *m, size_t i,
                            struct vstring *why)
{
    if (i >= m->rcpt_count)
        msg_panic("queue_message_mark_done: index %zu of %zu", i,
                  m->rcpt_count);
    if (queue_file_mark_done(vstream_fd(m->stream), m->rcpts[i].offset, why) <
        0)
        return -1;
    m->rcpts[i].done = 1;
    return 0;
}
