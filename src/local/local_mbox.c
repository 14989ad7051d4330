/*
 * local_mbox.c - appending to an mbox file (a spool mailbox, a home
 * "Mailbox", or a /file target of an alias).
 *
 * Locking takes both conventions, so that mail readers of either kind
 * stay out: a dot-file "<path>.lock" created with O_EXCL that holds the
 * creator's pid (one whose pid no longer exists or is our own, or older than
 * LOCAL_DOTLOCK_STALE seconds, is left by a dead process and removed: a
 * local killed while it held the lock must not block the mailbox for
 * minutes), then an fcntl write lock on the mailbox itself. The message goes after the
 * old end: a "From sender date" line, the message with lines that start
 * with "From " written as ">From ", and a blank line. After a write or
 * fsync error the file is truncated back to its old size, so no half
 * message stays behind, and the result is "deferred".
 *
 * The mailbox is opened with safe_open (src/util/safe_open.h): an existing
 * one must be a regular file with one link, owned by the mailbox owner (or,
 * when none is given, by whoever owned it at the check), and the very file
 * checked; a missing one is created exclusively, never through a symlink.
 * Any refusal defers the recipient.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fi_point.h"
#include "fsync_util.h"
#include "msg.h"
#include "safe_open.h"
#include "vstring.h"

#include "local.h"

#define LOCAL_DOTLOCK_STALE 300 /* seconds after which a dot-lock is stale */

/* dotlock_path - "<path>.lock" */
static void dotlock_path(struct vstring *out, const char *path)
{
    vstring_sprintf(out, "%s.lock", path);
}

/* dotlock_dead - the lock's pid is known: no such process, or ourselves */
static int dotlock_dead(int fd)
{
    char buf[32];
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    long pid;
    char *end;

    if (n <= 0)
        return 0;
    buf[n] = 0;
    pid = strtol(buf, &end, 10);
    if (pid <= 0 || (*end != '\n' && *end != 0))
        return 0;
    /* Ours: we hold no lock here, so an earlier unlink of it failed. */
    if ((pid_t)pid == getpid())
        return 1;
    return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

/* dotlock_try - create the dot-lock once with our pid; remove a stale one */
static int dotlock_try(const char *lock)
{
    struct stat st, now;
    char pid[32];
    int fd, len, stale;

    if ((fd = open(lock, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                   0600)) >= 0) {
        len = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
        if (write(fd, pid, (size_t)len) != len)
            msg_warn("cannot write pid into %s: %m", lock);
        close(fd);
        return 0;
    }
    if (errno != EEXIST ||
        (fd = open(lock, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
        return -1;
    stale = fstat(fd, &st) == 0 &&
            (st.st_mtime + LOCAL_DOTLOCK_STALE < time(0) || dotlock_dead(fd));
    close(fd);
    /* Only the file we judged: not one another process has just made. */
    if (stale && lstat(lock, &now) == 0 && now.st_ino == st.st_ino &&
        now.st_dev == st.st_dev) {
        msg_warn("removing stale lock file %s", lock);
        unlink(lock);
    }
    return -1;
}

/* local_mbox_lock - dot-lock and fcntl lock, tries times a second apart */
int local_mbox_lock(int fd, const char *path, int tries, struct vstring *why)
{
    struct vstring *lock = vstring_alloc(256);
    struct flock fl;
    int i, have_dot = 0, ret = -1;

    dotlock_path(lock, path);
    memset(&fl, 0, sizeof(fl));
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    for (i = 0; i < tries; i++) {
        if (i > 0)
            sleep(1);
        if (!have_dot && dotlock_try(vstring_str(lock)) == 0)
            have_dot = 1;
        if (have_dot && fcntl(fd, F_SETLK, &fl) == 0) {
            ret = 0;
            break;
        }
    }
    if (ret < 0) {
        if (have_dot)
            unlink(vstring_str(lock));
        vstring_sprintf(why, "4.2.0 mailbox %s is locked by another process",
                        path);
    }
    vstring_free(lock);
    return ret;
}

/* local_mbox_unlock - release both locks */
void local_mbox_unlock(int fd, const char *path)
{
    struct vstring *lock = vstring_alloc(256);
    struct flock fl;

    memset(&fl, 0, sizeof(fl));
    fl.l_type = F_UNLCK;
    fl.l_whence = SEEK_SET;
    (void)fcntl(fd, F_SETLK, &fl);
    dotlock_path(lock, path);
    /* Once more after a failure: a lock left behind defers this mailbox
     * (until our next delivery to it, or until we exit). */
    if (unlink(vstring_str(lock)) < 0 && errno != ENOENT &&
        unlink(vstring_str(lock)) < 0 && errno != ENOENT)
        msg_warn("cannot remove lock file %s: %m", vstring_str(lock));
    vstring_free(lock);
}

/*
 * create_mbox - a new mailbox, exclusively and never through a symlink
 * (safe_open_create, owned by our effective uid), then given to owner when
 * we are root (a failure to do so is -EPERM, as the check did before).
 * A negative errno.
 */
static int create_mbox(const char *path, uid_t owner, gid_t group,
                       struct vstring *reason)
{
    int fd, err;

    FI_POINT("local.mbox_before_create");
    fd = safe_open_create(path, O_WRONLY | O_APPEND | O_CLOEXEC, 0600,
                          geteuid(), reason);
    if (fd >= 0 && owner != (uid_t)-1 && geteuid() == 0 &&
        fchown(fd, owner, group) < 0) {
        msg_warn("cannot give %s to uid %ld: %m", path, (long)owner);
        vstring_sprintf(reason, "cannot be given to uid %ld", (long)owner);
        close(fd);
        fd = -EPERM;
    }
    /* The new name is durable only once its directory is fsynced (found by
     * the fault injector's power-loss mode: a first delivery was lost). On
     * failure the empty file stays (another local may have opened it by
     * now) and the delivery is deferred. */
    if (fd >= 0 && fsync_parent(path) < 0) {
        err = errno;
        close(fd);
        fd = -err;
    }
    return fd;
}

/*
 * open_mbox - safe_open for append: an existing mailbox must be a regular
 * file with one link, owned by owner ((uid_t)-1: by whoever owns it now),
 * and the very file checked; a missing one is created for owner.
 */
static int open_mbox(const char *path, uid_t owner, gid_t group,
                     struct vstring *why)
{
    struct vstring *reason = vstring_alloc(50);
    uid_t expect = owner;
    struct stat st;
    int fd = 0;

    if (owner == (uid_t)-1) {
        if (lstat(path, &st) < 0)
            fd = -errno;
        else
            expect = st.st_uid;
    }
    if (fd == 0)
        fd = safe_open_existing(path, O_WRONLY | O_APPEND | O_CLOEXEC, expect,
                                reason);
    if (fd == -ENOENT)
        fd = create_mbox(path, owner, group, reason);
    if (fd == -EPERM) {
        vstring_sprintf(why, "4.2.0 mailbox %s is not a regular file with one "
                             "link owned by its user (%s)", path,
                        vstring_str(reason));
    } else if (fd < 0) {
        local_errno_reason(why, "open", path, fd == -ELOOP ? EACCES : -fd);
    }
    vstring_free(reason);
    return fd < 0 ? -1 : fd;
}

/* local_mbox_deliver - append one message to the mbox at path */
int local_mbox_deliver(struct local_msg *msg, const char *path,
                       const char *rcpt, uid_t owner, gid_t group,
                       struct vstring *why)
{
    struct stat st;
    int fd, cls = 4;

    if ((fd = open_mbox(path, owner, group, why)) < 0)
        return 4;
    if (local_mbox_lock(fd, path, 5, why) < 0) {
        close(fd);
        return 4;
    }
    if (fstat(fd, &st) < 0) {
        local_errno_reason(why, "stat", path, errno);
        goto out;
    }
    FI_POINT("local.mbox_before_write");
    if (local_copy(msg, fd, rcpt, LOCAL_COPY_MBOX, why) < 0)
        goto undo;
    FI_POINT("local.mbox_before_fsync");
    if (fsync_fd(fd) < 0) {
        local_errno_reason(why, "fsync", path, errno);
        goto undo;
    }
    FI_POINT("local.mbox_after_fsync");
    vstring_sprintf(why, "2.0.0 delivered to mailbox %s", path);
    cls = 2;
    goto out;
undo:
    /* No half message stays: back to the old size, durably if we can. */
    if (ftruncate(fd, st.st_size) < 0 || fsync_fd(fd) < 0)
        msg_warn("%s: cannot truncate %s back to %lld bytes: %m",
                 msg->queue_id, path, (long long)st.st_size);
out:
    local_mbox_unlock(fd, path);
    close(fd);
    return cls;
}
