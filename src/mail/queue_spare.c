/*
 * queue_spare.c - recycled queue files (see queue_spare.h): qmgr retires a
 * finished file into spare/, cleanup takes one back for its next message.
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
#include "queue_spare.h"
#include "vstring.h"

#define TAKE_TRIES 8 /* names tried per take before creating a new file */
#define RECOUNT_MS 100 /* how stale the retirer's count may be when full */
#define STALE_NAMES 1024 /* and names others took or are taking */
#define SAMPLE_MAX 256 /* names a taker keeps from one listing */
#define STALE_RUN 3 /* misses in a row that make a taker list again */
#define LISTINGS_PER_TAKE 2 /* per take; then it uses up the sample */

/*
 * The taker's sample of spare/: up to SAMPLE_MAX names drawn at random
 * from one listing (reservoir sampling), tried in random order, listed
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

/* spare_name_ok - a queue id, the only name a spare file has */
static int spare_name_ok(const char *name)
{
    return strlen(name) == QUEUE_ID_LEN && queue_id_valid(name);
}

/* walk_spares - fn over every spare name; the sum of what fn returned, or
 * -1 when spare/ cannot be listed. path is fn's scratch space. */
static long walk_spares(const char *root, struct vstring *path,
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

/* one_spare - walk_spares callback that counts every name */
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
    long n = walk_spares(root, path, one_spare);

    vstring_free(path);
    return n;
}

/* now_ms - a monotonic clock in milliseconds */
static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* pool_has_room - below limit? The estimate only grows (takers do not
 * tell), so when it says full, recount, at most every RECOUNT_MS. */
static int pool_has_room(const char *root, long limit)
{
    long long now = now_ms();

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

/* sample_spares - list spare/ of root into the sample; 0 or -1 */
static int sample_spares(const char *root)
{
    struct vstring *path = vstring_alloc(100);
    struct dirent *d;
    unsigned long seen = 0, slot;
    DIR *dir;

    queue_spare_forget();
    queue_dir_path(path, root, QUEUE_SPARE);
    dir = opendir(vstring_str(path));
    vstring_free(path);
    if (dir == 0)
        return -1;
    sample_root = mystrdup(root);
    while ((d = readdir(dir)) != 0) {
        if (!spare_name_ok(d->d_name))
            continue;
        slot = seen < SAMPLE_MAX ? seen : random_below(seen + 1);
        if (slot < SAMPLE_MAX)
            memcpy(sample[slot], d->d_name, QUEUE_ID_LEN + 1);
        seen++;
    }
    closedir(dir);
    sample_count = seen < SAMPLE_MAX ? (int)seen : SAMPLE_MAX;
    return 0;
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

/* same_file - does path still name the inode st describes? */
static int same_file(const char *path, const struct stat *st)
{
    struct stat lst;

    return lstat(path, &lst) == 0 && lst.st_dev == st->st_dev
           && lst.st_ino == st->st_ino;
}

/* take_one - open, lock, check that the name is still it; fd or -1 */
static int take_one(const char *src, mode_t mode, struct vstring *why)
{
    struct stat st;
    int fd;

    if ((fd = open(src, O_WRONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
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
        || st.st_uid != geteuid()) {
        vstring_sprintf(why, "%s: not a plain file of ours", src);
        close(fd);
        errno = EPERM;
        return -1;
    }
    /* The lock is ours, but the previous holder may have committed this
     * very inode (renamed it into a queue) between our open and our lock:
     * only if the spare name still names it is it still a spare. */
    if (!same_file(src, &st)) {
        vstring_sprintf(why, "%s: taken by another process", src);
        close(fd);
        errno = ENOENT;
        return -1;
    }
    if (fchmod(fd, mode) < 0) {
        vstring_sprintf(why, "chmod %s: %m", src);
        close(fd);
        errno = EPERM;
        return -1;
    }
    return fd;
}

/* queue_spare_take - a recycled file, locked, still in spare/; fd or -1 */
int queue_spare_take(const char *root, mode_t mode, struct vstring *path,
                     struct vstring *why)
{
    struct vstring *name = vstring_alloc(QUEUE_ID_LEN + 1);
    int fd = -1, tries = 0, stale = 0, run = 0, listings = 0;

    vstring_set_str(why, "no spare queue file");
    if (sample_root && strcmp(sample_root, root) != 0)
        queue_spare_forget();
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
        fd = take_one(vstring_str(path), mode, why);
        /* another cleanup took it since we listed it, or is taking it
         * now: cheap to skip, and common when many cleanups take at once */
        if (fd < 0 && (errno == ENOENT || errno == EWOULDBLOCK)
            && ++stale <= STALE_NAMES) {
            run++;
            continue;
        }
        run = 0;
        tries++;
    }
    vstring_free(name);
    return fd;
}

/* queue_spare_forget - drop the taker's sample */
void queue_spare_forget(void)
{
    sample_count = 0;
    if (sample_root)
        myfree(sample_root);
    sample_root = 0;
}

/* keep_spare - is root/spare/name fit to stay? Drops it if not: a second
 * name (a crash kept both names of a commit's rename, and fsck counted
 * both), or too large (a taker died while writing a big message). A file
 * a taker holds locked is left alone: it is being written. */
static int keep_spare(const char *root, const char *name, struct vstring *path)
{
    struct stat st;
    int fd, busy;

    queue_path(path, root, QUEUE_SPARE, name);
    if (lstat(vstring_str(path), &st) < 0)
        return 0;
    if (S_ISREG(st.st_mode) && st.st_nlink == 1
        && st.st_size <= QUEUE_SPARE_MAX_SIZE)
        return 1;
    fd = open(vstring_str(path), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    busy = fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0;
    if (busy) {
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

/* queue_spare_fill - check spare/, then create empty spare files until want
 * or time is up */
long queue_spare_fill(const char *root, long want, long max_ms)
{
    struct vstring *id = vstring_alloc(QUEUE_ID_LEN + 1);
    struct vstring *path = vstring_alloc(100);
    long long start = now_ms();
    long have = walk_spares(root, path, keep_spare), made = 0;
    int fd;

    while (have >= 0 && have + made < want && now_ms() - start < max_ms) {
        queue_id_new(id);
        queue_path(path, root, QUEUE_SPARE, vstring_str(id));
        fd = open(vstring_str(path),
                  O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0 && errno != EEXIST)
            break;
        if (fd >= 0) {
            close(fd);
            made++;
        }
    }
    spare_estimate = -1;
    vstring_free(id);
    vstring_free(path);
    return made;
}
