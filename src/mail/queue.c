/*
 * queue.c - queue directories, ids, paths and moves (see queue.h).
 *
 * Every daemon that touches the queue goes through these few functions, so
 * that "a message moves by rename, and the move is durable" is written once.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "msg.h"
#include "my_pid.h"
#include "queue.h"
#include "vstring.h"

static const char *const queue_names[] = {
    QUEUE_MAILDROP, QUEUE_INCOMING, QUEUE_ACTIVE,    QUEUE_DEFERRED,
    QUEUE_HOLD,     QUEUE_CORRUPT,  QUEUE_DEFER_LOG, QUEUE_BOUNCE_LOG,
    QUEUE_SPARE,
};
#define QUEUE_COUNT (sizeof(queue_names) / sizeof(queue_names[0]))

/* queue_name_valid - one of the fixed queue names? */
int queue_name_valid(const char *name)
{
    size_t i;

    for (i = 0; i < QUEUE_COUNT; i++)
        if (strcmp(name, queue_names[i]) == 0)
            return 1;
    return 0;
}

/* queue_id_valid - exactly QUEUE_ID_LEN upper-case hex digits */
int queue_id_valid(const char *id)
{
    size_t i;

    for (i = 0; i < QUEUE_ID_LEN; i++)
        if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'A' && id[i] <= 'F')))
            return 0;
    return id[QUEUE_ID_LEN] == 0;
}

/* put_hex - append value as exactly digits upper-case hex digits (the
 * paths and ids of this file are made by hand: through vsnprintf they were
 * a tenth of qmgr's instructions) */
static void put_hex(struct vstring *out, unsigned long value, int digits)
{
    static const char hex[] = "0123456789ABCDEF";
    char buf[16];
    int i;

    for (i = digits - 1; i >= 0; i--, value >>= 4)
        buf[i] = hex[value & 0xF];
    if (vstring_append(out, buf, (size_t)digits) < 0)
        msg_fatal("queue_id_new: out of space");
}

/* put_name - append "/" and a name */
static void put_name(struct vstring *out, const char *name)
{
    if (vstring_append_char(out, '/') < 0 || vstring_append_str(out, name) < 0)
        msg_fatal("queue path too long: %s/%s", vstring_str(out), name);
}

/* queue_id_new - time, microseconds, pid and a counter, in hex */
void queue_id_new(struct vstring *out)
{
    static unsigned counter;
    static pid_t counter_pid;
    struct timeval tv;
    pid_t pid = my_pid();

    /* A forked child starts its own count; the pid already separates it. */
    if (counter_pid != pid) {
        counter_pid = pid;
        counter = 0;
    }
    if (gettimeofday(&tv, 0) < 0)
        msg_fatal("gettimeofday: %m");
    vstring_reset(out);
    put_hex(out, (unsigned long)tv.tv_sec & 0xffffffffUL, 8);
    put_hex(out, (unsigned long)tv.tv_usec & 0xfffffUL, 5);
    put_hex(out, (unsigned long)pid & 0xffffffUL, 6);
    put_hex(out, counter++ & 0xffffU, 4);
    if (!queue_id_valid(vstring_str(out)))
        msg_panic("queue_id_new: made a bad id %s", vstring_str(out));
}

/* queue_dir_path - <root>/<queue> */
void queue_dir_path(struct vstring *out, const char *root, const char *queue)
{
    if (!queue_name_valid(queue))
        msg_panic("queue_dir_path: bad queue name %s", queue);
    if (vstring_set_str(out, root) < 0)
        msg_fatal("queue root too long: %s", root);
    put_name(out, queue);
}

/* queue_path - <root>/<queue>/<id> */
void queue_path(struct vstring *out, const char *root, const char *queue,
                const char *id)
{
    if (!queue_id_valid(id))
        msg_panic("queue_path: bad queue id %s", id);
    queue_dir_path(out, root, queue);
    put_name(out, id);
}

/* make_dir - create or repair one directory: mode, owner, not a symlink */
static int make_dir(const char *path, mode_t mode, uid_t owner, gid_t group,
                    struct vstring *why)
{
    struct stat st;
    int fd, rc = -1;

    if (mkdir(path, mode & 0777) < 0 && errno != EEXIST) {
        vstring_sprintf(why, "mkdir %s: %m", path);
        return -1;
    }
    /* Repair through a descriptor opened without following links. */
    if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW)) < 0) {
        vstring_sprintf(why, "open %s: %m (not a directory?)", path);
        return -1;
    }
    if (fstat(fd, &st) < 0) {
        vstring_sprintf(why, "fstat %s: %m", path);
    } else if (fchown(fd, owner, group) < 0) {
        vstring_sprintf(why, "chown %s: %m", path);
    } else if ((st.st_mode & 07777) != mode && fchmod(fd, mode) < 0) {
        vstring_sprintf(why, "chmod %s: %m", path);
    } else {
        rc = 0;
    }
    close(fd);
    return rc;
}

/* queue_dirs_create - the root and every queue, with their modes */
int queue_dirs_create(const char *root, uid_t owner, gid_t gate_group,
                      struct vstring *why)
{
    struct vstring *path = vstring_alloc(100);
    size_t i;
    int rc = make_dir(root, 0755, owner, (gid_t)-1, why);

    for (i = 0; rc == 0 && i < QUEUE_COUNT; i++) {
        queue_dir_path(path, root, queue_names[i]);
        if (strcmp(queue_names[i], QUEUE_MAILDROP) == 0)
            rc = make_dir(vstring_str(path), QUEUE_MODE_MAILDROP, owner,
                          gate_group, why);
        else
            rc = make_dir(vstring_str(path), QUEUE_MODE_PRIVATE, owner,
                          (gid_t)-1, why);
    }
    if (rc == 0)
        rc = queue_dir_fsync(root, why);
    vstring_free(path);
    return rc;
}

/* queue_dir_fsync - make a directory's entries durable */
int queue_dir_fsync(const char *path, struct vstring *why)
{
    int fd, rc = -1, saved;

    if ((fd = open(path, O_RDONLY | O_DIRECTORY)) < 0) {
        vstring_sprintf(why, "open directory %s: %m", path);
        return -1;
    }
    if (fsync(fd) < 0)
        vstring_sprintf(why, "fsync directory %s: %m", path);
    else
        rc = 0;
    saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

/* queue_rename_noreplace - rename that refuses to overwrite */
int queue_rename_noreplace(const char *from, const char *to)
{
    if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS)
        return -1;
    /* No RENAME_NOREPLACE here: check, then rename (ids are unique, the
     * check only guards against a bug elsewhere). */
    if (access(to, F_OK) == 0) {
        errno = EEXIST;
        return -1;
    }
    return rename(from, to);
}

/* move_path - <root>/<queue>[/<name>] for a move */
static void move_path(struct vstring *out, const char *root, const char *queue,
                      const char *name)
{
    queue_dir_path(out, root, queue);
    if (name)
        put_name(out, name);
}

/* move_unsynced - <from>/<name> to <to>/<new_name>; directories not
 * fsynced */
static int move_unsynced(const char *root, const char *from, const char *name,
                         const char *to, const char *new_name,
                         struct vstring *why)
{
    struct vstring *src = vstring_alloc(100);
    struct vstring *dst = vstring_alloc(100);
    int rc = 0, saved;

    if (strchr(name, '/') || name[0] == '.' || name[0] == 0)
        msg_panic("queue_move: bad file name %s", name);
    if (strchr(new_name, '/') || new_name[0] == '.' || new_name[0] == 0)
        msg_panic("queue_move: bad file name %s", new_name);
    move_path(src, root, from, name);
    move_path(dst, root, to, new_name);
    if (queue_rename_noreplace(vstring_str(src), vstring_str(dst)) < 0) {
        saved = errno;
        vstring_sprintf(why, "rename %s to %s: %m", vstring_str(src),
                        vstring_str(dst));
        errno = saved;
        rc = -1;
    }
    vstring_free(src);
    vstring_free(dst);
    return rc;
}

/* queue_move_unsynced - rename between queues; directories not fsynced */
int queue_move_unsynced(const char *root, const char *from, const char *to,
                        const char *name, struct vstring *why)
{
    return move_unsynced(root, from, name, to, name, why);
}

/* queue_move_as - rename between queues under a new name, then fsync both
 * directories */
int queue_move_as(const char *root, const char *from, const char *name,
                  const char *to, const char *new_name, struct vstring *why)
{
    struct vstring *dir = vstring_alloc(100);
    int rc = -1;

    if (move_unsynced(root, from, name, to, new_name, why) < 0)
        goto out;
    move_path(dir, root, to, 0);
    if (queue_dir_fsync(vstring_str(dir), why) < 0)
        goto out;
    move_path(dir, root, from, 0);
    if (queue_dir_fsync(vstring_str(dir), why) < 0)
        goto out;
    rc = 0;
out:
    vstring_free(dir);
    return rc;
}

/* queue_move - rename between queues, then fsync both directories */
int queue_move(const char *root, const char *from, const char *to,
               const char *name, struct vstring *why)
{
    return queue_move_as(root, from, name, to, name, why);
}

/* queue_scan_open - start listing a queue */
int queue_scan_open(struct queue_scan *scan, const char *root,
                    const char *queue, struct vstring *why)
{
    struct vstring *path = vstring_alloc(100);
    int rc = 0;

    queue_dir_path(path, root, queue);
    if ((scan->dir = opendir(vstring_str(path))) == 0) {
        vstring_sprintf(why, "open %s: %m", vstring_str(path));
        rc = -1;
    }
    vstring_free(path);
    return rc;
}

/* queue_scan_next - the next id or id.part in the directory */
int queue_scan_next(struct queue_scan *scan, struct vstring *id, int *is_part)
{
    struct dirent *d;
    size_t len;

    while ((d = readdir(scan->dir)) != 0) {
        len = strlen(d->d_name);
        if (len == QUEUE_ID_LEN + sizeof(QUEUE_PART_SUFFIX) - 1 &&
            strcmp(d->d_name + QUEUE_ID_LEN, QUEUE_PART_SUFFIX) == 0) {
            vstring_set(id, d->d_name, QUEUE_ID_LEN);
            *is_part = 1;
        } else if (len == QUEUE_ID_LEN) {
            vstring_set(id, d->d_name, len);
            *is_part = 0;
        } else {
            continue;
        }
        if (queue_id_valid(vstring_str(id)))
            return 1;
    }
    return 0;
}

/* queue_scan_close - end a listing */
void queue_scan_close(struct queue_scan *scan)
{
    if (scan->dir)
        closedir(scan->dir);
    scan->dir = 0;
}
