/*
 * queue_file.c - writing a queue file under the commit protocol, and the
 * sweeper of incomplete files (see queue_file.h). The reader is in
 * queue_file_read.c.
 *
 * Sits under cleanup (incoming/) and the setgid gate (maildrop/). Where
 * responsibility for a message passes from the client to the queue: for
 * a new "<id>.part", the rename to "<id>" followed by the directory fsync;
 * for a recycled spare/ file, the fsync of its sealed content (the rename
 * that follows may be undone by a crash: queue_seal.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crc32.h"
#include "fi_point.h"
#include "msg.h"
#include "mymalloc.h"
#include "queue.h"
#include "queue_file.h"
#include "queue_seal.h"
#include "queue_spare.h"
#include "vstream.h"
#include "vstring.h"

#define CREATE_TRIES 10

/*
 * Why the padding: a file whose size does not change needs only its data
 * written at its commit (fdatasync(2); on a journalling ext4 that is the
 * data and a flush, without a journal commit: PAPER.md section 6, item
 * 37). A recycled file keeps its size when the message fits it with at
 * most PAD_KEEP bytes to spare; any other file is rounded up to a block,
 * which a new file's blocks are anyway, so that a later message of about
 * the same size fits it again.
 */
#define FILE_BLOCK 4096
#define PAD_KEEP 8192
_Static_assert(PAD_KEEP >= FILE_BLOCK && PAD_KEEP <= RECORD_MAX_PAYLOAD,
               "a padding record holds up to PAD_KEEP bytes");

/* queue_file_free - release a writer's memory and stream */
static void queue_file_free(struct queue_file *qf)
{
    if (qf->stream)
        (void)vstream_close(qf->stream);
    myfree(qf->root);
    myfree(qf->queue);
    myfree(qf->id);
    myfree(qf->part_path);
    myfree(qf->final_path);
    myfree(qf);
}

/* open_part - exclusive create + flock; -1 to retry, -2 to give up */
static int open_part(const char *path, mode_t mode, struct vstring *why)
{
    struct stat st;
    int fd;

    fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0) {
        vstring_sprintf(why, "create %s: %m", path);
        return errno == EEXIST ? -1 : -2;
    }
    /* The sweeper may unlink between our open and our lock: it unlinks
     * while holding the lock, so after we get it, a link count of 0 says
     * so, and we start over with a new id. */
    if (flock(fd, LOCK_EX) < 0 || fstat(fd, &st) < 0) {
        vstring_sprintf(why, "lock %s: %m", path);
        close(fd);
        return -2;
    }
    if (st.st_nlink == 0) {
        vstring_sprintf(why, "%s: removed by the sweeper", path);
        close(fd);
        return -1;
    }
    /* umask must not take away what the reader needs */
    if (fchmod(fd, mode) < 0) {
        vstring_sprintf(why, "chmod %s: %m", path);
        close(fd);
        (void)unlink(path);
        return -2;
    }
    return fd;
}

/* put_sealed - write one record, counting it into the seal's CRC (a
 * padding record's payload means nothing and is not counted) */
static int put_sealed(struct queue_file *qf, int type, const void *data,
                      size_t len)
{
    unsigned char hdr[RECORD_HEADER_SIZE];

    record_header_encode(hdr, type, len);
    qf->crc = crc32_update(qf->crc, hdr, sizeof(hdr));
    if (type != REC_PADDING)
        qf->crc = crc32_update(qf->crc, data, len);
    return record_put(qf->stream, type, data, len);
}

/* queue_file_create - a spare or a new "<id>.part", locked, with its
 * version record */
struct queue_file *queue_file_create(const char *root, const char *queue,
                                     mode_t mode, struct vstring *why)
{
    struct queue_file *qf = mymalloc(sizeof(*qf));
    struct vstring *id = vstring_alloc(32);
    struct vstring *path = vstring_alloc(100);
    struct stat st;
    int fd = -1, tries;

    memset(qf, 0, sizeof(*qf));
    qf->root = mystrdup(root);
    qf->queue = mystrdup(queue);
    record_grammar_init(&qf->grammar, strcmp(queue, QUEUE_MAILDROP) == 0
                                          ? RECORD_PROFILE_SUBMIT
                                          : RECORD_PROFILE_QUEUE);
    /* a recycled file first (never in the users' maildrop): written where
     * it is, in spare/, and renamed from there by the commit */
    if (strcmp(queue, QUEUE_MAILDROP) != 0
        && (fd = queue_spare_take(root, mode, path, why)) >= 0) {
        queue_id_new(id);
        qf->recycled = 1;
        qf->had = fstat(fd, &st) == 0 ? st.st_size : 0;
    }
    for (tries = 0; fd < 0 && tries < CREATE_TRIES; tries++) {
        queue_id_new(id);
        queue_path(path, root, queue, vstring_str(id));
        vstring_append_str(path, QUEUE_PART_SUFFIX);
        if ((fd = open_part(vstring_str(path), mode, why)) == -2)
            break;
    }
    if (fd < 0)
        goto fail;
    FI_POINT("queue_file.create");
    qf->id = mystrdup(vstring_str(id));
    qf->part_path = mystrdup(vstring_str(path));
    queue_path(path, root, queue, qf->id);
    qf->final_path = mystrdup(vstring_str(path));
    qf->stream = vstream_fdopen(fd, VSTREAM_WRITE);
    (void)record_grammar_step(&qf->grammar, REC_VERSION);
    qf->crc = CRC32_INIT;
    if (put_sealed(qf, REC_VERSION, RECORD_VERSION,
                   strlen(RECORD_VERSION)) < 0) {
        vstring_sprintf(why, "write %s: %m", qf->part_path);
        queue_file_abort(qf);
        qf = 0;
    }
    goto out;
fail:
    queue_file_free(qf);
    qf = 0;
out:
    vstring_free(id);
    vstring_free(path);
    return qf;
}

/* queue_file_put - append one grammar-checked record */
int queue_file_put(struct queue_file *qf, int type, const void *data,
                   size_t len)
{
    const char *refused;

    if (type == REC_VERSION || type == REC_END)
        msg_panic("queue_file_put: %s record is written by create/commit",
                  record_type_name(type));
    if ((refused = record_grammar_step(&qf->grammar, type)) != 0)
        msg_panic("queue_file_put: %s: %s record refused: %s", qf->id,
                  record_type_name(type), refused);
    return put_sealed(qf, type, data, len);
}

/* queue_file_put_str - append a record whose payload is a string */
int queue_file_put_str(struct queue_file *qf, int type, const char *str)
{
    return queue_file_put(qf, type, str, strlen(str));
}

/* queue_file_id - the id of the file being written */
const char *queue_file_id(const struct queue_file *qf)
{
    return qf->id;
}

/* padded_size - where a file that needs `need` bytes ends (see PAD_KEEP) */
static off_t padded_size(off_t need, off_t had)
{
    if (had >= need && had - need <= PAD_KEEP)
        return had;
    return (need + FILE_BLOCK - 1) / FILE_BLOCK * FILE_BLOCK;
}

/* put_padding - the 'P' record that makes the seal end the file at its
 * padded size (queue profile only: maildrop files are never recycled) */
static int put_padding(struct queue_file *qf)
{
    static const char zeros[PAD_KEEP];
    off_t need = vstream_tell(qf->stream) + RECORD_HEADER_SIZE
                 + QUEUE_SEAL_SIZE;
    const char *refused;

    if (qf->grammar.profile != RECORD_PROFILE_QUEUE)
        return 0;
    if ((refused = record_grammar_step(&qf->grammar, REC_PADDING)) != 0)
        msg_panic("queue_file_commit: %s: incomplete file: %s", qf->id,
                  refused);
    return put_sealed(qf, REC_PADDING, zeros,
                      (size_t)(padded_size(need, qf->had) - need));
}

/* cut_at_end - drop what a recycled file held beyond what we wrote */
static int cut_at_end(struct queue_file *qf)
{
    int fd = vstream_fd(qf->stream);
    off_t end = lseek(fd, 0, SEEK_CUR);

    return end < 0 ? -1 : ftruncate(fd, end);
}

/* drop_part - an incomplete file goes: a recycled one stays a spare,
 * emptied so that no seal survives in it (its unwritten buffer is dropped
 * first: nothing may land after the cut) */
static void drop_part(struct queue_file *qf)
{
    int fd;

    if (qf->recycled) {
        fd = vstream_fd(qf->stream);
        vstream_release(qf->stream);
        qf->stream = 0;
        if (ftruncate(fd, 0) < 0 && unlink(qf->part_path) < 0
            && errno != ENOENT)
            msg_warn("remove %s: %m", qf->part_path);
        close(fd);
        return;
    }
    if (unlink(qf->part_path) < 0 && errno != ENOENT)
        msg_warn("remove %s: %m", qf->part_path);
}

/* seal_and_sync - padding, seal, flush, cut, sync: the sealed content
 * durable (a recycled file's mode and owner are already durable,
 * queue_spare_take, so its data and size are all it must write); 0 or -1
 * with why */
static int seal_and_sync(struct queue_file *qf, struct vstring *why)
{
    char seal[QUEUE_SEAL_PAYLOAD];
    const char *refused;

    if (put_padding(qf) < 0) {
        vstring_sprintf(why, "write %s: %m", qf->part_path);
        return -1;
    }
    if ((refused = record_grammar_step(&qf->grammar, REC_END)) != 0)
        msg_panic("queue_file_commit: %s: incomplete file: %s", qf->id,
                  refused);
    queue_seal_payload(seal, qf->id, qf->crc);
    if (record_put(qf->stream, REC_END, seal, sizeof(seal)) < 0 ||
        vstream_flush(qf->stream) < 0) {
        vstring_sprintf(why, "write %s: %m", qf->part_path);
        return -1;
    }
    FI_POINT("queue_file.after_write");
    if (qf->recycled && qf->had > vstream_tell(qf->stream)
        && cut_at_end(qf) < 0) {
        vstring_sprintf(why, "truncate %s: %m", qf->part_path);
        return -1;
    }
    if ((qf->recycled ? vstream_fdatasync(qf->stream)
                      : vstream_fsync(qf->stream)) < 0) {
        vstring_sprintf(why, "fsync %s: %m", qf->part_path);
        return -1;
    }
    return 0;
}

/* commit - seal and sync, then (unless a recycled file is kept where it
 * is, its spare name into kept) rename and, for a new file, directory
 * fsync; 1 kept, 0 committed and renamed, -1 failed */
static int commit(struct queue_file *qf, struct vstring *kept,
                  struct vstring *why)
{
    struct vstring *dir;
    const char *base;
    int rc = -1;

    if (seal_and_sync(qf, why) < 0)
        goto abort;
    FI_POINT("queue_file.after_fsync");
    /* committed in place, and left there: the caller hands it on by name
     * (the lock goes with the stream; a taker sees the seal and skips it) */
    if (qf->recycled && kept) {
        base = strrchr(qf->part_path, '/');
        vstring_set_str(kept, base ? base + 1 : qf->part_path);
        rc = 1;
        goto out;
    }
    if (queue_rename_noreplace(qf->part_path, qf->final_path) < 0) {
        vstring_sprintf(why, "rename %s: %m", qf->part_path);
        goto abort;
    }
    FI_POINT("queue_file.after_rename");
    /* in place: the sealed content was durable under its spare/ name, and
     * a crash that undoes the rename leaves it there for recovery */
    if (qf->recycled) {
        rc = 0;
        goto out;
    }
    dir = vstring_alloc(100);
    queue_dir_path(dir, qf->root, qf->queue);
    rc = queue_dir_fsync(vstring_str(dir), why) < 0 ? -1 : 0;
    vstring_free(dir);
    if (rc == 0)
        FI_POINT("queue_file.after_dir_fsync");
    goto out;
abort:
    drop_part(qf);
out:
    queue_file_free(qf);
    return rc;
}

/* queue_file_commit - seal, fsync, rename, directory fsync (a new file) */
int queue_file_commit(struct queue_file *qf, struct vstring *why)
{
    return commit(qf, 0, why);
}

/* queue_file_commit_keep - as queue_file_commit, but a recycled file stays
 * in spare/ */
int queue_file_commit_keep(struct queue_file *qf, struct vstring *spare_name,
                           struct vstring *why)
{
    return commit(qf, spare_name, why);
}

/* queue_file_abort - drop the incomplete file */
void queue_file_abort(struct queue_file *qf)
{
    drop_part(qf);
    queue_file_free(qf);
}

/* sweep_one - remove one .part if nobody holds its lock; 1 if removed */
static int sweep_one(const char *path)
{
    struct stat fst, lst;
    int fd, removed = 0;

    if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) < 0)
        return 0; /* committed or removed meanwhile, or not ours to open */
    /* Locked: a writer is alive. Same dev/ino: the name is still this file
     * (it may have been committed between our open and our lock). */
    if (flock(fd, LOCK_EX | LOCK_NB) == 0 && fstat(fd, &fst) == 0 &&
        lstat(path, &lst) == 0 && fst.st_dev == lst.st_dev &&
        fst.st_ino == lst.st_ino) {
        if (unlink(path) == 0) {
            msg_info("removed incomplete queue file %s", path);
            removed = 1;
        } else {
            msg_warn("remove incomplete queue file %s: %m", path);
        }
    }
    close(fd);
    return removed;
}

/* queue_file_sweep - the successor discards incomplete work */
int queue_file_sweep(const char *root, const char *queue, struct vstring *why)
{
    struct vstring *id = vstring_alloc(32);
    struct vstring *path = vstring_alloc(100);
    struct queue_scan scan;
    int is_part, removed = 0;

    if (queue_scan_open(&scan, root, queue, why) < 0) {
        removed = -1;
        goto out;
    }
    while (queue_scan_next(&scan, id, &is_part)) {
        if (!is_part)
            continue;
        queue_path(path, root, queue, vstring_str(id));
        vstring_append_str(path, QUEUE_PART_SUFFIX);
        removed += sweep_one(vstring_str(path));
    }
    queue_scan_close(&scan);
    if (removed > 0) {
        queue_dir_path(path, root, queue);
        if (queue_dir_fsync(vstring_str(path), why) < 0)
            msg_warn("%s", vstring_str(why));
    }
out:
    vstring_free(id);
    vstring_free(path);
    return removed;
}
