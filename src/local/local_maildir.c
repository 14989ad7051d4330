/*
 * local_maildir.c - delivery into a Maildir, its first half: make the
 * Maildir when it is missing, create tmp/<unique> O_EXCL and write the
 * message into it. The file then waits, open, for the commit of the batch
 * it belongs to (local_maildir_commit.c: fsync, link into new/, unlink,
 * fsync new/), the local-delivery commit point of DESIGN.md section 3.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "fi_point.h"
#include "fsync_util.h"
#include "msg.h"
#include "my_pid.h"
#include "safe_open.h"
#include "vstring.h"

#include "local.h"

/*
 * mkdir_one - mkdir 0700, or accept an existing directory (not a link).
 * A directory we create is durable only once its parent is fsynced: the
 * fsync of new/ after the link makes the entry in new/ durable, not new/
 * itself nor the Maildir that holds it (found by the power-loss mode of
 * the fault injector: a first delivery to a fresh Maildir was lost).
 */
static int mkdir_one(const char *path, struct vstring *why)
{
    struct stat st;

    if (mkdir(path, 0700) == 0) {
        if (fsync_parent(path) == 0)
            return 0;
        local_errno_reason(why, "fsync the directory above", path, errno);
        return -1;
    }
    if (errno == EEXIST && lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return 0;
    local_errno_reason(why, "create directory", path,
                       errno == EEXIST ? ENOTDIR : errno);
    return -1;
}

/* maildir_ready - do tmp/, new/ and cur/ exist already? (the common case:
 * three lstat calls instead of a mkdir and lstat for every level) */
static int maildir_ready(const char *maildir, struct vstring *path,
                         const char *const *subs)
{
    struct stat st;
    size_t i;

    for (i = 0; i < 3; i++) {
        vstring_sprintf(path, "%s/%s", maildir, subs[i]);
        if (lstat(vstring_str(path), &st) < 0 || !S_ISDIR(st.st_mode))
            return 0;
    }
    return 1;
}

/* The Maildir found or made ready last, and as whom, until the batch's
 * commit (local_maildir_forget): the deliveries of a batch to one mailbox
 * look once. One removed meanwhile fails the next create (deferred). */
static struct vstring *known_ready;
static uid_t known_uid;

/* local_maildir_forget - look at the Maildir again next time */
void local_maildir_forget(void)
{
    if (known_ready)
        vstring_reset(known_ready);
}

/* local_maildir_make - mkdir -p the Maildir and its tmp, new and cur */
int local_maildir_make(const char *maildir, struct vstring *why)
{
    struct vstring *path;
    static const char *const subs[] = {"tmp", "new", "cur"};
    const char *p;
    size_t i;
    int ret = -1;

    if (known_ready && known_uid == geteuid() &&
        strcmp(vstring_str(known_ready), maildir) == 0)
        return 0;
    path = vstring_alloc(256);
    if (maildir_ready(maildir, path, subs)) {
        ret = 0;
        goto out;
    }
    /* Every parent first, so that a missing base is created too. */
    for (p = strchr(maildir + 1, '/'); p; p = strchr(p + 1, '/')) {
        vstring_set(path, maildir, (size_t)(p - maildir));
        if (mkdir_one(vstring_str(path), why) < 0)
            goto out;
    }
    if (mkdir_one(maildir, why) < 0)
        goto out;
    for (i = 0; i < 3; i++) {
        vstring_sprintf(path, "%s/%s", maildir, subs[i]);
        if (mkdir_one(vstring_str(path), why) < 0)
            goto out;
    }
    ret = 0;
out:
    if (ret == 0) {
        if (known_ready == 0)
            known_ready = vstring_alloc(256);
        vstring_set_str(known_ready, maildir);
        known_uid = geteuid();
    }
    vstring_free(path);
    return ret;
}

/* unique_name - time, microseconds, pid, counter, host: never reused (the
 * host name as this process first found it) */
static void unique_name(struct vstring *out)
{
    static unsigned counter;
    static char host[256];
    struct timeval tv;
    const char *h;

    gettimeofday(&tv, 0);
    if (host[0] == 0 && gethostname(host, sizeof(host)) < 0)
        snprintf(host, sizeof(host), "localhost");
    host[sizeof(host) - 1] = 0;
    vstring_sprintf(out, "%ld.M%06ldP%ldQ%u.", (long)tv.tv_sec,
                    (long)tv.tv_usec, (long)my_pid(), ++counter);
    for (h = host; *h; h++) {
        if (*h == '/')
            vstring_append_str(out, "\\057");
        else if (*h == ':')
            vstring_append_str(out, "\\072");
        else
            vstring_append_char(out, *h);
    }
}

/* write_tmp - create and write tmp/<unique>; its descriptor, or -1 and
 * no file (the batch's commit fsyncs and closes it) */
static int write_tmp(struct local_msg *msg, const char *tmp, const char *rcpt,
                     struct vstring *why)
{
    struct vstring *reason = vstring_alloc(50);
    int fd, err;

    /* exclusive, never through a symlink, ours: safe_open_create */
    FI_POINT("local.maildir_before_create");
    fd = safe_open_create(tmp, O_WRONLY | O_CLOEXEC, 0600, geteuid(), reason);
    if (fd == -EPERM) {
        /* created but failed the check: safe_open_create leaves it */
        vstring_sprintf(why, "4.2.0 cannot create %s: %s", tmp,
                        vstring_str(reason));
        unlink(tmp);
    } else if (fd < 0) {
        local_errno_reason(why, "create", tmp, -fd);
    }
    vstring_free(reason);
    if (fd < 0)
        return -1;
    FI_POINT("local.maildir_after_create");
    if (local_copy(msg, fd, rcpt, 0, why) < 0) {
        err = errno;
        close(fd);
        unlink(tmp);
        errno = err;
        return -1;
    }
    FI_POINT("local.maildir_after_write");
    return fd;
}

/*
 * local_maildir_deliver - one message into maildir/tmp, to be linked into
 * new/ by the batch's commit (local_maildir_commit.c): LOCAL_PENDING, or
 * 4 with the reason in why and nothing left behind.
 */
int local_maildir_deliver(struct local_msg *msg, const char *maildir,
                          const char *rcpt, struct vstring *why)
{
    struct vstring *name = vstring_alloc(100), *tmp = vstring_alloc(256),
                   *new = vstring_alloc(256);
    int cls = 4, fd;

    local_maildir_room();
    if (local_maildir_make(maildir, why) < 0)
        goto out;
    unique_name(name);
    vstring_sprintf(tmp, "%s/tmp/%s", maildir, vstring_str(name));
    vstring_sprintf(new, "%s/new/%s", maildir, vstring_str(name));
    if ((fd = write_tmp(msg, vstring_str(tmp), rcpt, why)) < 0)
        goto out;
    local_maildir_wait(fd, vstring_str(tmp), vstring_str(new), msg->queue_id,
                       rcpt);
    vstring_sprintf(why, "2.0.0 delivered to maildir %s", vstring_str(new));
    cls = LOCAL_PENDING;
out:
    vstring_free(name);
    vstring_free(tmp);
    vstring_free(new);
    return cls;
}
