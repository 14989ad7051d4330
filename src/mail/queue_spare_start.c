/*
 * queue_spare_start.c - what qmgr does to the spare pool as a whole
 * (queue_spare.h): moving on messages committed in place whose rename a
 * crash undid (queue_seal.h), the check at start, the reserve of zeroed
 * files, and the stamp that says which spare names are durable. Retiring
 * and taking single files is queue_spare.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "msg.h"
#include "queue.h"
#include "queue_seal.h"
#include "queue_spare.h"
#include "queue_spare_int.h"
#include "vstring.h"

#define RESERVE_SIZE 4096 /* bytes of zeros in a reserved file: one block */

/* write_stamp - record that every file in spare/ whose ctime is not after
 * until has a durable name */
static void write_stamp(const char *root, const struct timespec *until)
{
    struct vstring *path = vstring_alloc(100);
    struct timespec times[2];
    int fd;

    times[0] = times[1] = *until;
    spare_stamp_path(path, root);
    if ((fd = open(vstring_str(path),
                   O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0 ||
        futimens(fd, times) < 0)
        msg_warn("%s: %m", vstring_str(path));
    if (fd >= 0)
        close(fd);
    vstring_free(path);
}

/* queue_spare_synced - every rename into spare/ before `before` is durable;
 * a file time may lag the clock by the coarse clock's tick, so the stamp
 * is that much (and a millisecond) earlier */
void queue_spare_synced(const char *root, const struct timespec *before)
{
    struct timespec until = *before, tick;
    long margin = 1000000L;

    if (clock_getres(CLOCK_REALTIME_COARSE, &tick) == 0 && tick.tv_sec == 0)
        margin += tick.tv_nsec;
    else
        margin += 20000000L;
    if (until.tv_nsec >= margin) {
        until.tv_nsec -= margin;
    } else {
        until.tv_sec -= 1;
        until.tv_nsec += 1000000000L - margin;
    }
    write_stamp(root, &until);
}

/* write_back - the file's dirty pages onto the device: a seal broken by a
 * qmgr that exited or died before its periodic write (queue_spare_hold)
 * is then on the disk before the next fsync of spare/ lets a taker use
 * the file */
static void write_back(const char *path)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

    if (fd < 0)
        return;
    if (sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WAIT_BEFORE
                                      | SYNC_FILE_RANGE_WRITE
                                      | SYNC_FILE_RANGE_WAIT_AFTER) < 0)
        msg_warn("sync_file_range %s: %m", path);
    close(fd);
}

/* keep_spare - is root/spare/name fit to stay? Drops it if not: a second
 * name (a crash kept both names of a commit's rename, and fsck counted
 * both), or too large (a taker died while writing a big message). A file
 * a taker holds locked is left alone: it is being written. One that stays
 * is written back. */
static int keep_spare(const char *root, const char *name, struct vstring *path)
{
    struct stat st;
    int fd, busy, keep;

    queue_path(path, root, QUEUE_SPARE, name);
    if (lstat(vstring_str(path), &st) < 0)
        return 0;
    if (S_ISREG(st.st_mode) && st.st_nlink == 1 &&
        st.st_size <= QUEUE_SPARE_MAX_SIZE) {
        write_back(vstring_str(path));
        return 1;
    }
    fd = open(vstring_str(path), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    busy = fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0;
    /* a file with one name that holds a committed message is not ours to
     * drop, however large: queue_spare_recover could not move it yet */
    keep = busy || (fd >= 0 && st.st_nlink == 1 &&
                    spare_sealed_here(fd, &st, vstring_str(path)));
    if (keep) {
        close(fd);
        return 0;
    }
    /* unlinked while we hold the lock: a taker that opened it before
     * finds, once it has the lock, that the name no longer names it */
    if (unlink(vstring_str(path)) < 0)
        msg_warn("remove %s: %m", vstring_str(path));
    else
        msg_warn("%s: %s spare file removed", vstring_str(path),
                 st.st_nlink != 1 ? "a second name of a queue file"
                                  : "an unfit");
    if (fd >= 0)
        close(fd);
    return 0;
}

/* move_on - rename spare/name, sealed under id, to incoming/<id> */
static int move_on(const char *root, const char *name, const char *id,
                   struct vstring *path)
{
    struct vstring *dst = vstring_alloc(100);
    int moved = 0;

    queue_path(dst, root, QUEUE_INCOMING, id);
    if (queue_rename_noreplace(vstring_str(path), vstring_str(dst)) == 0) {
        msg_info("spare/%s: message %s was committed in place; moved to "
                 "incoming",
                 name, id);
        moved = 1;
    } else {
        msg_warn("spare/%s holds committed message %s: rename to %s: %m", name,
                 id, vstring_str(dst));
    }
    vstring_free(dst);
    return moved;
}

/* recover_one - spare_walk callback: moves a committed file on; 1 if it
 * did. The tail is read first, unlocked (cheap, and nearly always
 * garbage); a file that looks committed is locked (a live committer holds
 * its lock until its own rename), checked to be still this name, and
 * checked whole. */
static int recover_one(const char *root, const char *name, struct vstring *path)
{
    char id[QUEUE_ID_LEN + 1];
    struct stat st;
    int fd, moved = 0;

    queue_path(path, root, QUEUE_SPARE, name);
    if ((fd = open(vstring_str(path),
                   O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) < 0)
        return 0;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 1 &&
        queue_seal_committed(fd, st.st_size, name, id) == 1 &&
        flock(fd, LOCK_EX | LOCK_NB) == 0 &&
        spare_same_file(vstring_str(path), &st) && fstat(fd, &st) == 0 &&
        queue_seal_committed(fd, st.st_size, name, id) == 1)
        moved = move_on(root, name, id, path);
    close(fd);
    return moved;
}

/* open_sealed - spare/<name> open for reading and writing and locked,
 * holding a message committed in place (its id into id): 1 with *fdp, 0
 * no such file or garbage, -1 error (errno), -2 locked by another process.
 * No check that the name still names it: only qmgr moves a committed
 * file, and a file that is not one fails the seal. */
static int open_sealed(const char *root, const char *name, char *id, int *fdp)
{
    struct vstring *path;
    struct stat st;
    int fd, rc = 0, saved = 0;

    if (strlen(name) != QUEUE_ID_LEN || !queue_id_valid(name))
        return 0;
    path = vstring_alloc(100);
    queue_path(path, root, QUEUE_SPARE, name);
    fd = open(vstring_str(path), O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    vstring_free(path);
    if (fd < 0)
        return errno == ENOENT ? 0 : -1;
    /* a taker looking at it holds the lock for a moment: try again then */
    if (flock(fd, LOCK_EX | LOCK_NB) < 0)
        rc = -2;
    else if (fstat(fd, &st) < 0)
        rc = -1;
    else if (S_ISREG(st.st_mode) && st.st_nlink == 1)
        rc = queue_seal_committed(fd, st.st_size, name, id);
    saved = errno;
    if (rc == 1) {
        *fdp = fd;
        return 1;
    }
    close(fd);
    if (rc == -1)
        errno = saved;
    return rc;
}

/* queue_spare_claim - a message committed in place and handed on by name:
 * spare/<name> to <queue>/<id> */
int queue_spare_claim(const char *root, const char *name, const char *queue,
                      char *id)
{
    struct vstring *src, *dst;
    int fd, rc, saved;

    if ((rc = open_sealed(root, name, id, &fd)) != 1)
        return rc;
    src = vstring_alloc(100);
    dst = vstring_alloc(100);
    queue_path(src, root, QUEUE_SPARE, name);
    queue_path(dst, root, queue, id);
    rc = queue_rename_noreplace(vstring_str(src), vstring_str(dst)) < 0 ? -1 : 1;
    saved = errno;
    close(fd);
    vstring_free(src);
    vstring_free(dst);
    if (rc == -1)
        errno = saved; /* for the caller's %m */
    return rc;
}

/* queue_spare_hold - the same message claimed where it lies */
int queue_spare_hold(const char *root, const char *name, char *id, int *fdp)
{
    return open_sealed(root, name, id, fdp);
}

/* queue_spare_recover - move every file committed in place on */
long queue_spare_recover(const char *root)
{
    struct vstring *path = vstring_alloc(100);
    long n = spare_walk(root, path, recover_one);

    vstring_free(path);
    return n;
}

/* reserve_one - a new spare file holding one block of zeros, on its way
 * to the disk (a commit into it then allocates nothing: PAPER.md, section
 * 6); 1 made (its ctime in *newest when later), 0 name taken, -1 cannot
 * create */
static int reserve_one(const char *path, struct timespec *newest)
{
    static const char zeros[RESERVE_SIZE];
    struct stat st;
    int fd;

    fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return errno == EEXIST ? 0 : -1;
    if (write(fd, zeros, sizeof(zeros)) != (ssize_t)sizeof(zeros) &&
        ftruncate(fd, 0) < 0)
        msg_warn("reserve %s: %m", path);
    /* start the block's writeback now (it allocates the block), without
     * waiting for it and without a flush */
    (void)sync_file_range(fd, 0, RESERVE_SIZE, SYNC_FILE_RANGE_WRITE);
    if (fstat(fd, &st) == 0 && spare_ts_after(&st.st_ctim, newest))
        *newest = st.st_ctim;
    close(fd);
    return 1;
}

/* settle_reserve - the new names durable (a commit in place relies on its
 * spare/ name surviving a crash), and the stamp covering every file made;
 * the zeros need not be durable (a spare's content is garbage) */
static void settle_reserve(const char *root, struct vstring *path,
                           const struct timespec *newest)
{
    struct vstring *why = vstring_alloc(100);

    queue_dir_path(path, root, QUEUE_SPARE);
    if (queue_dir_fsync(vstring_str(path), why) < 0)
        msg_warn("%s", vstring_str(why));
    else
        write_stamp(root, newest);
    vstring_free(why);
}

/* queue_spare_fill - check spare/, then reserve spare files until want or
 * time is up */
long queue_spare_fill(const char *root, long want, long max_ms)
{
    struct vstring *id = vstring_alloc(QUEUE_ID_LEN + 1);
    struct vstring *path = vstring_alloc(100);
    long long start = spare_now_ms();
    long have = spare_walk(root, path, keep_spare), made = 0;
    struct timespec newest = {0, 0};
    int r;

    while (have >= 0 && have + made < want && spare_now_ms() - start < max_ms) {
        queue_id_new(id);
        queue_path(path, root, QUEUE_SPARE, vstring_str(id));
        if ((r = reserve_one(vstring_str(path), &newest)) < 0)
            break;
        made += r;
    }
    if (made > 0)
        settle_reserve(root, path, &newest);
    spare_forget_count();
    vstring_free(id);
    vstring_free(path);
    return made;
}
