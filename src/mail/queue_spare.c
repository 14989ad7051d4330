/*
 * queue_spare.c - recycled queue files (see queue_spare.h): qmgr retires a
 * finished file into spare/, cleanup takes one back for its next message.
 * What qmgr does to the pool as a whole (recovery, the start check, the
 * reserve, the sync stamp) is in queue_spare_start.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "msg.h"
#include "mymalloc.h"
#include "queue.h"
#include "queue_seal.h"
#include "queue_spare.h"
#include "queue_spare_int.h"
#include "vstring.h"

#define TAKE_TRIES 8 /* names tried per take before creating a new file */
#define RECOUNT_MS 100 /* how stale the retirer's count may be when full */
#define STALE_NAMES 1024 /* and names others took or are taking */
#define SAMPLE_MAX 256 /* names a taker keeps from one listing */
#define SAMPLE_LIST_BYTES 8192 /* read per getdents64 call: 170 names */
#define STALE_RUN 3 /* misses in a row that make a taker list again */
#define LISTINGS_PER_TAKE 2 /* per take; then it uses up the sample */

/*
 * The taker's sample of spare/: up to SAMPLE_MAX names read from a random
 * point of the directory (sample_spares), tried in random order, listed
 * again when used up or when STALE_RUN names in a row were gone or locked.
 * Taking in listing order made concurrent takers walk the same names one
 * behind the other: in a 20-session relay every take opened about 13 names
 * that another cleanup had just taken or was taking (PAPER.md, section 6).
 */
static char sample[SAMPLE_MAX][QUEUE_ID_LEN + 1];
static int sample_count;
static char *sample_root;        /* the root it belongs to */
static unsigned long long rng;   /* xorshift state, seeded per process */
static long spare_estimate = -1; /* retirer: files in spare/, -1 unknown */
static long long spare_counted;  /* retirer: when it last counted, ms */
static struct timespec stamp;    /* taker: the stamp's time, last read */

/* spare_name_ok - a queue id, the only name a spare file has */
static int spare_name_ok(const char *name)
{
    return strlen(name) == QUEUE_ID_LEN && queue_id_valid(name);
}

/* spare_walk - fn over every spare name; the sum of what fn returned, or
 * -1 when spare/ cannot be listed. path is fn's scratch space. */
long spare_walk(const char *root, struct vstring *path,
                        int (*fn)(const char *, const char *, struct vstring *))
{
    struct dirent *d;
    long n = 0;
    DIR *dir;

    queue_dir_path(path, root, QUEUE_SPARE);
    if ((dir = opendir(vstring_str(path))) == 0)
        return -1;
    while ((d = readdir(dir)) != 0)
        if (spare_name_ok(d->d_name))
            n += fn(root, d->d_name, path);
    closedir(dir);
    return n;
}

/* one_spare - spare_walk callback that counts every name */
static int one_spare(const char *root, const char *name, struct vstring *path)
{
    (void)root;
    (void)name;
    (void)path;
    return 1;
}

/* count_spares - how many files spare/ holds now */
static long count_spares(const char *root)
{
    struct vstring *path = vstring_alloc(100);
    long n = spare_walk(root, path, one_spare);

    vstring_free(path);
    return n;
}

/* spare_now_ms - a monotonic clock in milliseconds */
long long spare_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* pool_has_room - below limit? The estimate only grows (takers do not
 * tell), so when it says full, recount, at most every RECOUNT_MS. */
static int pool_has_room(const char *root, long limit)
{
    long long now = spare_now_ms();

    if (limit <= 0)
        return 0;
    if (spare_estimate < 0
        || (spare_estimate >= limit && now - spare_counted >= RECOUNT_MS)) {
        spare_estimate = count_spares(root);
        spare_counted = now;
    }
    return spare_estimate >= 0 && spare_estimate < limit;
}

/* queue_spare_retire - out of the queue: into spare/, or unlinked */
int queue_spare_retire(const char *root, const char *queue, const char *id,
                       long limit, struct vstring *why)
{
    struct vstring *src = vstring_alloc(100);
    struct vstring *dst = vstring_alloc(100);
    struct stat st;
    int rc = -1, saved;

    queue_path(src, root, queue, id);
    if (pool_has_room(root, limit) && lstat(vstring_str(src), &st) == 0
        && S_ISREG(st.st_mode) && st.st_size <= QUEUE_SPARE_MAX_SIZE) {
        queue_path(dst, root, QUEUE_SPARE, id);
        if (queue_rename_noreplace(vstring_str(src), vstring_str(dst)) == 0) {
            spare_estimate++;
            rc = 0;
            goto out;
        }
        if (errno == ENOENT)
            goto fail;
        /* spare/ unusable (full disk, a name taken): unlink instead */
    }
    if (unlink(vstring_str(src)) == 0) {
        rc = 0;
        goto out;
    }
fail:
    saved = errno;
    vstring_sprintf(why, "remove %s: %m", vstring_str(src));
    errno = saved;
out:
    vstring_free(src);
    vstring_free(dst);
    return rc;
}

/* spare_forget_count - the retirer counts spare/ again before it trusts
 * its estimate (after files were added behind its back) */
void spare_forget_count(void)
{
    spare_estimate = -1;
}

/* random_below - a pseudo-random number in [0, n), n > 0 */
static unsigned long random_below(unsigned long n)
{
    struct timespec ts;

    if (rng == 0) {
        clock_gettime(CLOCK_MONOTONIC, &ts);
        rng = ((unsigned long long)getpid() << 32) ^ (unsigned long long)ts.tv_nsec
              ^ 0x9e3779b97f4a7c15ULL;
    }
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned long)(rng % n);
}

/* forget_sample - drop the listing's sample and the stamp last read (a
 * spare taken ahead stays held) */
static void forget_sample(void)
{
    sample_count = 0;
    stamp.tv_sec = stamp.tv_nsec = 0;
    if (sample_root)
        myfree(sample_root);
    sample_root = 0;
}

/* sample_add - one listed name into the sample, unless it is the first
 * name of the wrapped pass and already there (a directory whose names all
 * lie after the starting point yields it twice) */
static void sample_add(const char *name, int check)
{
    int i;

    if (!spare_name_ok(name) || sample_count >= SAMPLE_MAX)
        return;
    for (i = 0; check && i < sample_count; i++)
        if (strcmp(sample[i], name) == 0)
            return;
    memcpy(sample[sample_count++], name, QUEUE_ID_LEN + 1);
}

/* sample_pass - names from where fd stands until the sample is full, the
 * directory ends, or (stop > 0) a name lies at or after stop; 0 or -1 */
static int sample_pass(int fd, off_t stop)
{
    static union {
        struct dirent64 align;
        char buf[SAMPLE_LIST_BYTES];
    } u;
    off_t at = 0; /* where the next name lies: the previous one's d_off */
    long n, off;
    int first = stop > 0;

    while (sample_count < SAMPLE_MAX) {
        if ((n = getdents64(fd, u.buf, sizeof(u.buf))) <= 0)
            return n < 0 ? -1 : 0;
        for (off = 0; off < n && sample_count < SAMPLE_MAX;) {
            struct dirent64 *d = (struct dirent64 *)(u.buf + off);

            if (d->d_reclen == 0) /* never from a sane kernel: stop */
                return -1;
            if (stop > 0 && at >= stop)
                return 0;
            sample_add(d->d_name, first);
            first = 0;
            at = d->d_off;
            off += d->d_reclen;
        }
    }
    return 0;
}

/*
 * sample_spares - up to SAMPLE_MAX names of spare/ of root, read from a
 * random point of the directory on and, when that runs out, from its
 * start up to that point; 0 or -1. On ext4 a directory position is a
 * name hash (any 63-bit value may be sought), so a listing reads only
 * the few blocks it returns; listing all 2000 names of a full pool was
 * 8 % of cleanup's time in a relay (PAPER.md, section 6, item 30).
 * Elsewhere the point may lie past the end; the second pass then reads
 * from the start.
 */
static int sample_spares(const char *root)
{
    struct vstring *path = vstring_alloc(100);
    off_t start = (off_t)random_below(1UL << 31) << 32;
    int fd, rc;

    forget_sample();
    queue_dir_path(path, root, QUEUE_SPARE);
    fd = open(vstring_str(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    vstring_free(path);
    if (fd < 0)
        return -1;
    sample_root = mystrdup(root);
    rc = lseek(fd, start, SEEK_SET) == start ? sample_pass(fd, 0) : 0;
    if (rc == 0 && sample_count < SAMPLE_MAX && lseek(fd, 0, SEEK_SET) == 0)
        rc = sample_pass(fd, start);
    close(fd);
    return rc;
}

/* sample_pick - one name out of the sample, at random; 0 when empty */
static int sample_pick(struct vstring *name)
{
    int i;

    if (sample_count == 0)
        return 0;
    i = (int)random_below((unsigned long)sample_count);
    vstring_set_str(name, sample[i]);
    if (i != --sample_count)
        memcpy(sample[i], sample[sample_count], QUEUE_ID_LEN + 1);
    return 1;
}

/* spare_same_file - does path still name the inode st describes? */
int spare_same_file(const char *path, const struct stat *st)
{
    struct stat lst;

    return lstat(path, &lst) == 0 && lst.st_dev == st->st_dev
           && lst.st_ino == st->st_ino;
}

/* spare_ts_after - a later than b? */
int spare_ts_after(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec != b->tv_sec ? a->tv_sec > b->tv_sec
                                  : a->tv_nsec > b->tv_nsec;
}

/* spare_stamp_path - <root>/spare/.synced */
void spare_stamp_path(struct vstring *path, const char *root)
{
    queue_dir_path(path, root, QUEUE_SPARE);
    vstring_append_str(path, "/" SPARE_STAMP);
}

/* name_durable - was the file's name in spare/ of root fsynced since it
 * changed last? Its ctime (set by the rename into spare/, and by any later
 * change) against the stamp, read again when the file looks newer. */
static int name_durable(const char *root, const struct stat *st)
{
    struct vstring *path;
    struct stat sst;

    if (!spare_ts_after(&st->st_ctim, &stamp))
        return 1;
    path = vstring_alloc(100);
    spare_stamp_path(path, root);
    if (stat(vstring_str(path), &sst) == 0)
        stamp = sst.st_mtim;
    vstring_free(path);
    return !spare_ts_after(&st->st_ctim, &stamp);
}

/* spare_sealed_here - does the file hold a message committed in place? */
int spare_sealed_here(int fd, const struct stat *st, const char *path)
{
    char id[QUEUE_ID_LEN + 1];
    const char *name = strrchr(path, '/');

    return queue_seal_committed(fd, st->st_size, name ? name + 1 : path,
                                id) != 0;
}

/* my_euid - geteuid(), asked once (a daemon does not change it) */
static uid_t my_euid(void)
{
    static uid_t euid = (uid_t)-1;

    if (euid == (uid_t)-1)
        euid = geteuid();
    return euid;
}

/* take_one - open, lock, check that the name is still it and that it is
 * garbage; fd or -1 */
static int take_one(const char *root, const char *src, mode_t mode,
                    struct vstring *why)
{
    struct stat st;
    int fd;

    if ((fd = open(src, O_RDWR | O_NOFOLLOW | O_CLOEXEC)) < 0) {
        int saved = errno;

        vstring_sprintf(why, "open %s: %m", src);
        errno = saved;
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        vstring_sprintf(why, "%s: being taken by another process", src);
        close(fd);
        errno = EWOULDBLOCK;
        return -1;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1
        || st.st_uid != my_euid()) {
        vstring_sprintf(why, "%s: not a plain file of ours", src);
        close(fd);
        errno = EPERM;
        return -1;
    }
    /* The lock is ours, but the previous holder may have committed this
     * very inode (renamed it into a queue) between our open and our lock:
     * only if the spare name still names it is it still a spare. */
    if (!spare_same_file(src, &st)) {
        vstring_sprintf(why, "%s: taken by another process", src);
        close(fd);
        errno = ENOENT;
        return -1;
    }
    /* a commit in place relies on the spare name: not yet fsynced after
     * its retire, skip it (cheaply, as one another process holds) */
    if (!name_durable(root, &st)) {
        vstring_sprintf(why, "%s: retired since spare/ was last synced", src);
        close(fd);
        errno = EINPROGRESS;
        return -1;
    }
    /* a commit whose rename a crash undid: qmgr moves it on */
    if (spare_sealed_here(fd, &st, src)) {
        vstring_sprintf(why, "%s: holds a committed message", src);
        close(fd);
        errno = EBUSY;
        return -1;
    }
    /* the commit in place syncs data only (fdatasync): a new mode must
     * be durable before, or a crash could give the message the flags an
     * old mode held (qmgr_file_mode) */
    if ((st.st_mode & 07777) != mode
        && (fchmod(fd, mode) < 0 || fsync(fd) < 0)) {
        vstring_sprintf(why, "chmod %s: %m", src);
        close(fd);
        errno = EPERM;
        return -1;
    }
    return fd;
}

/*
 * A spare taken before it was needed (queue_spare_take_ahead): locked, so
 * other takers skip it, and handed to the next queue_spare_take of the
 * same root and mode.
 */
static struct {
    int fd;
    char *root;
    mode_t mode;
    struct vstring *path;
} ahead = {-1, 0, 0, 0};

/* take_held - the spare taken ahead, when it suits; fd or -1 */
static int take_held(const char *root, mode_t mode, struct vstring *path)
{
    int fd = ahead.fd;

    if (fd < 0 || strcmp(ahead.root, root) != 0 || ahead.mode != mode)
        return -1;
    vstring_set_str(path, vstring_str(ahead.path));
    ahead.fd = -1;
    return fd;
}

/* queue_spare_take_ahead - take one now, for the next queue_spare_take */
void queue_spare_take_ahead(const char *root, mode_t mode)
{
    struct vstring *why;

    if (ahead.fd >= 0)
        return;
    if (ahead.path == 0)
        ahead.path = vstring_alloc(100);
    why = vstring_alloc(100);
    if ((ahead.fd = queue_spare_take(root, mode, ahead.path, why)) >= 0) {
        if (ahead.root)
            myfree(ahead.root);
        ahead.root = mystrdup(root);
        ahead.mode = mode;
    }
    vstring_free(why);
}

/* queue_spare_take - a recycled file, locked, still in spare/; fd or -1 */
int queue_spare_take(const char *root, mode_t mode, struct vstring *path,
                     struct vstring *why)
{
    struct vstring *name;
    int fd = -1, tries = 0, stale = 0, run = 0, listings = 0;

    if ((fd = take_held(root, mode, path)) >= 0)
        return fd;
    name = vstring_alloc(QUEUE_ID_LEN + 1);
    vstring_set_str(why, "no spare queue file");
    if (sample_root && strcmp(sample_root, root) != 0)
        forget_sample();
    while (fd < 0 && tries < TAKE_TRIES) {
        /* list again when the sample is used up or has gone stale, while
         * this take may; after that, use up what the sample holds */
        if ((sample_count == 0 || run >= STALE_RUN)
            && listings < LISTINGS_PER_TAKE) {
            listings++;
            if (sample_spares(root) != 0)
                break;
            run = 0;
        }
        if (!sample_pick(name))
            break;
        queue_path(path, root, QUEUE_SPARE, vstring_str(name));
        errno = 0;
        fd = take_one(root, vstring_str(path), mode, why);
        /* another cleanup took it since we listed it, or is taking it
         * now: cheap to skip, and common when many cleanups take at once */
        if (fd < 0 && (errno == ENOENT || errno == EWOULDBLOCK)
            && ++stale <= STALE_NAMES) {
            run++;
            continue;
        }
        /* retired since spare/ was last synced: skipped as cheaply, but
         * no sign that the sample went stale (a new listing holds as
         * many) */
        if (fd < 0 && errno == EINPROGRESS && ++stale <= STALE_NAMES)
            continue;
        run = 0;
        tries++;
    }
    vstring_free(name);
    return fd;
}

/* queue_spare_forget - drop the taker's sample and its spare held */
void queue_spare_forget(void)
{
    if (ahead.fd >= 0)
        close(ahead.fd); /* unlocked: a spare like any other again */
    ahead.fd = -1;
    forget_sample();
}

