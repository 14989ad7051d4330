/*
 * safe_open.c - open or create regular files by name, refusing symlinks,
 * hard links and files swapped between the check and the open (see
 * safe_open.h for the contract, proofs/README.md for its proof).
 *
 * Every system call goes through sys_ops.h, whose contracts (spec/sys_ops.h)
 * model which descriptors are open; every function has one way out for a
 * descriptor it opened and then refuses: sys_close() then return.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "safe_open.h"
#include "sys_ops.h"
#include "vstring.h"

/* Refusals by the checks, below every errno value (errno < 4096). */
#define SAFE_OPEN_E_FLAGS (-4097)
#define SAFE_OPEN_E_SYMLINK (-4098)
#define SAFE_OPEN_E_NOT_REGULAR (-4099)
#define SAFE_OPEN_E_LINKS (-4100)
#define SAFE_OPEN_E_OWNER (-4101)
#define SAFE_OPEN_E_REPLACED (-4102)

/* A literal reason into why (vstring_set, as WP proves literals readable). */
#define SAFE_OPEN_WHY(why, text) vstring_set((why), (text), sizeof(text) - 1)

/*@ // What every opener below promises, apart from its own checks.
    predicate safe_open_fd_result{L1, L2}(integer r) =
      r < SYS_FD_MAX &&
      (r < 0 ==> sys_fds_unchanged{L1, L2}) &&
      (r >= 0 ==> sys_fd_opened{L1, L2}(r));
*/

/*
 * safe_open_refused - write the reason for code into why and return the
 * errno value the caller sees. Called once, on the way out, after the last
 * use of the path: writing why may move its block.
 */
/*@ requires vstring_valid(why);
    requires code < 0;
    assigns why->data, why->len, why->cap, why->data[0],
            \at(why->data, Post)[0 .. \at(why->cap, Post) - 1];
    ensures vstring_valid(why);
    ensures \result < 0;
*/
static int safe_open_refused(struct vstring *why, int code)
{
    switch (code) {
    case SAFE_OPEN_E_FLAGS:
        SAFE_OPEN_WHY(why, "unsupported open flags");
        return -EINVAL;
    case SAFE_OPEN_E_SYMLINK:
    case -ELOOP:
        SAFE_OPEN_WHY(why, "is a symbolic link");
        return -ELOOP;
    case SAFE_OPEN_E_NOT_REGULAR:
        SAFE_OPEN_WHY(why, "is not a regular file");
        return -EPERM;
    case SAFE_OPEN_E_LINKS:
        SAFE_OPEN_WHY(why, "has more than one link");
        return -EPERM;
    case SAFE_OPEN_E_OWNER:
        SAFE_OPEN_WHY(why, "has an unexpected owner");
        return -EPERM;
    case SAFE_OPEN_E_REPLACED:
        SAFE_OPEN_WHY(why, "was replaced between check and open");
        return -EPERM;
    case -ENOENT:
        SAFE_OPEN_WHY(why, "does not exist");
        return code;
    case -EEXIST:
        SAFE_OPEN_WHY(why, "already exists");
        return code;
    case -EACCES:
        SAFE_OPEN_WHY(why, "permission denied");
        return code;
    case -EMFILE:
    case -ENFILE:
        SAFE_OPEN_WHY(why, "too many open files");
        return code;
    default:
        SAFE_OPEN_WHY(why, "system call failed");
        return code;
    }
}

/* safe_open_check_stat - a regular file, one link, the expected owner */
/*@ requires \valid_read(st);
    assigns \nothing;
    ensures \result <= 0;
    ensures \result == 0 <==>
      S_ISREG(st->st_mode) && st->st_nlink == 1 && st->st_uid == owner;
*/
static int safe_open_check_stat(const struct stat *st, uid_t owner)
{
    if (S_ISLNK(st->st_mode))
        return SAFE_OPEN_E_SYMLINK;
    if (!S_ISREG(st->st_mode))
        return SAFE_OPEN_E_NOT_REGULAR;
    if (st->st_nlink != 1)
        return SAFE_OPEN_E_LINKS;
    if (st->st_uid != owner)
        return SAFE_OPEN_E_OWNER;
    return 0;
}

/* safe_open_existing_fd - lstat, open, fstat, compare; a code on failure */
/*@ requires valid_read_string(path);
    assigns sys_fd_open[0 .. SYS_FD_MAX - 1], sys_fd_flags[0 .. SYS_FD_MAX - 1],
            sys_fd_dev[0 .. SYS_FD_MAX - 1], sys_fd_ino[0 .. SYS_FD_MAX - 1],
            sys_fd_mode[0 .. SYS_FD_MAX - 1], sys_fd_nlink[0 .. SYS_FD_MAX - 1],
            sys_fd_uid[0 .. SYS_FD_MAX - 1], sys_lstat_dev, sys_lstat_ino;
    ensures safe_open_fd_result{Pre, Post}(\result);
    ensures \result >= 0 ==>
      safe_open_good_fd(\result, owner) && safe_open_same_file(\result) &&
      (sys_fd_flags[\result] & O_CREAT) == 0;
*/
static int safe_open_existing_fd(const char *path, int flags, uid_t owner)
{
    struct stat before, after;
    int fd, err;

    if ((flags & ~SAFE_OPEN_ACCESS_FLAGS) != 0)
        return SAFE_OPEN_E_FLAGS;
    if ((err = sys_lstat(path, &before)) < 0)
        return err;
    if ((err = safe_open_check_stat(&before, owner)) < 0)
        return err;
    sys_race_window(path);
    fd = sys_open(path, flags | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK, 0);
    if (fd < 0)
        return fd;
    /*@ assert no_follow: (sys_fd_flags[fd] & O_NOFOLLOW) != 0 &&
                          (sys_fd_flags[fd] & O_CREAT) == 0; */
    if ((err = sys_fstat(fd, &after)) < 0)
        goto refuse;
    if (after.st_dev != before.st_dev || after.st_ino != before.st_ino) {
        err = SAFE_OPEN_E_REPLACED;
        goto refuse;
    }
    if ((err = safe_open_check_stat(&after, owner)) < 0)
        goto refuse;
    return fd;

refuse:
    sys_close(fd);
    return err;
}

/* safe_open_create_fd - create exclusively, then fstat; a code on failure */
/*@ requires valid_read_string(path);
    assigns sys_fd_open[0 .. SYS_FD_MAX - 1], sys_fd_flags[0 .. SYS_FD_MAX - 1],
            sys_fd_dev[0 .. SYS_FD_MAX - 1], sys_fd_ino[0 .. SYS_FD_MAX - 1],
            sys_fd_mode[0 .. SYS_FD_MAX - 1], sys_fd_nlink[0 .. SYS_FD_MAX - 1],
            sys_fd_uid[0 .. SYS_FD_MAX - 1];
    ensures safe_open_fd_result{Pre, Post}(\result);
    ensures \result >= 0 ==>
      safe_open_good_fd(\result, owner) && safe_open_created(\result);
*/
static int safe_open_create_fd(const char *path, int flags, mode_t mode,
                               uid_t owner)
{
    struct stat st;
    int fd, err;

    if ((flags & ~SAFE_OPEN_ACCESS_FLAGS) != 0)
        return SAFE_OPEN_E_FLAGS;
    fd = sys_open(path, flags | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY,
                  mode);
    if (fd < 0)
        return fd;
    /*@ assert exclusive: (sys_fd_flags[fd] & O_NOFOLLOW) != 0 &&
          (sys_fd_flags[fd] & O_CREAT) != 0 &&
          (sys_fd_flags[fd] & O_EXCL) != 0; */
    if ((err = sys_fstat(fd, &st)) < 0)
        goto refuse;
    if ((err = safe_open_check_stat(&st, owner)) < 0)
        goto refuse;
    return fd;

refuse:
    sys_close(fd);
    return err;
}

/* safe_open_existing - open an existing file, checked */
int safe_open_existing(const char *path, int flags, uid_t owner,
                       struct vstring *why)
{
    int fd = safe_open_existing_fd(path, flags, owner);

    return fd < 0 ? safe_open_refused(why, fd) : fd;
}

/* safe_open_create - create a new file, exclusively, checked */
int safe_open_create(const char *path, int flags, mode_t mode, uid_t owner,
                     struct vstring *why)
{
    int fd = safe_open_create_fd(path, flags, mode, owner);

    return fd < 0 ? safe_open_refused(why, fd) : fd;
}

/* safe_open - open, create, or create-or-open, as flags say */
int safe_open(const char *path, int flags, mode_t mode, uid_t owner,
              struct vstring *why)
{
    int fd;

    if ((flags & O_CREAT) == 0) {
        fd = safe_open_existing_fd(path, flags, owner);
    } else if ((flags & O_EXCL) != 0) {
        fd = safe_open_create_fd(path, flags & ~(O_CREAT | O_EXCL), mode,
                                 owner);
    } else {
        flags &= ~O_CREAT;
        fd = safe_open_existing_fd(path, flags, owner);
        if (fd == -ENOENT)
            fd = safe_open_create_fd(path, flags, mode, owner);
        /* Someone created it between our attempts: use theirs, checked. */
        if (fd == -EEXIST)
            fd = safe_open_existing_fd(path, flags, owner);
    }
    return fd < 0 ? safe_open_refused(why, fd) : fd;
}
