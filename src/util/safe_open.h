/*
 * safe_open.h - open or create a regular file without being fooled by
 * symbolic links, hard links or a file swapped between check and open.
 *
 * Every file the daemons open by name (queue files, maildrop files,
 * Maildir files, logs) goes through here. Opening an existing file:
 *   1. lstat(path): it must be a regular file (not a symlink), with one
 *      link, owned by the expected uid;
 *   2. open(path, flags | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
 *   3. fstat(fd): the same device and inode as step 1, and still a regular
 *      file with one link and the expected owner.
 * Anything else is refused and the descriptor closed. O_NONBLOCK keeps a
 * FIFO swapped in at the last moment from hanging the open; it has no
 * effect on regular files, the only kind ever returned.
 * Creating: open(path, flags | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY),
 * which refuses any existing name, a dangling symlink included, then the
 * same fstat checks. A created file that fails them (an unexpected owner)
 * stays on disk; the caller decides whether to remove it.
 *
 * flags: an access mode (O_RDONLY, O_WRONLY, O_RDWR) plus optionally
 * O_APPEND and O_CLOEXEC; safe_open() also takes O_CREAT (create or open)
 * and O_CREAT|O_EXCL (create only). Anything else (O_TRUNC, which would act
 * before the check) is refused.
 *
 * Result: a descriptor (>= 0), or a negative errno value with the reason
 * written into why ("is a symbolic link", "has more than one link", ...;
 * the caller logs it next to the path). Refusals by the checks are -ELOOP
 * (a symlink), -EPERM (anything else), unsupported flags -EINVAL; a failing
 * system call gives its own errno (-ENOENT, -EEXIST, ...), so a caller that
 * picks unique names can retry on -EEXIST. No descriptor is left open on
 * any failure. safe_open_existing/create leave why untouched on success.
 *
 * Proven with Frama-C WP over the model of spec/sys_ops.h (proofs/README.md):
 * on success the descriptor refers to the checked object (same device and
 * inode), a regular file with one link and the expected owner, opened with
 * O_NOFOLLOW (and O_CREAT|O_EXCL when created); on failure no descriptor
 * was left open.
 */
#ifndef SAFE_OPEN_H
#define SAFE_OPEN_H

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "sys_ops.h"
#include "vstring.h"

/* The flags a caller may pass besides O_CREAT and O_EXCL. */
#define SAFE_OPEN_ACCESS_FLAGS (O_ACCMODE | O_APPEND | O_CLOEXEC)

/*@ // What a descriptor returned by safe_open*() is: a regular file with one
    // link and the expected owner, opened without following a symlink.
    predicate safe_open_good_fd(integer fd, uid_t owner) =
      0 <= fd < SYS_FD_MAX &&
      S_ISREG(sys_fd_mode[fd]) && sys_fd_nlink[fd] == 1 &&
      sys_fd_uid[fd] == owner && (sys_fd_flags[fd] & O_NOFOLLOW) != 0;

    // It refers to the object lstat checked.
    predicate safe_open_same_file(integer fd) =
      0 <= fd < SYS_FD_MAX &&
      sys_fd_dev[fd] == sys_lstat_dev && sys_fd_ino[fd] == sys_lstat_ino;

    // It was created exclusively.
    predicate safe_open_created(integer fd) =
      0 <= fd < SYS_FD_MAX &&
      (sys_fd_flags[fd] & O_CREAT) != 0 && (sys_fd_flags[fd] & O_EXCL) != 0;
*/

/* Opens an existing file (steps 1-3 above). */
/*@ requires valid_read_string(path);
    requires vstring_valid(why);
    requires \separated(path + (0 .. strlen(path)), why,
                        why->data + (0 .. why->cap - 1));
    assigns sys_fd_open[0 .. SYS_FD_MAX - 1], sys_fd_flags[0 .. SYS_FD_MAX - 1],
            sys_fd_dev[0 .. SYS_FD_MAX - 1], sys_fd_ino[0 .. SYS_FD_MAX - 1],
            sys_fd_mode[0 .. SYS_FD_MAX - 1], sys_fd_nlink[0 .. SYS_FD_MAX - 1],
            sys_fd_uid[0 .. SYS_FD_MAX - 1], sys_lstat_dev, sys_lstat_ino,
            why->data, why->len, why->cap, why->data[0],
            \at(why->data, Post)[0 .. \at(why->cap, Post) - 1];
    ensures vstring_valid(why);
    ensures \result < SYS_FD_MAX;
    ensures no_leak: \result < 0 ==> sys_fds_unchanged{Pre, Post};
    ensures opened: \result >= 0 ==> sys_fd_opened{Pre, Post}(\result);
    ensures checked: \result >= 0 ==>
      safe_open_good_fd(\result, owner) && safe_open_same_file(\result) &&
      (sys_fd_flags[\result] & O_CREAT) == 0;
    ensures why_kept: \result >= 0 ==> vstring_unchanged{Pre, Post}(why);
*/
int safe_open_existing(const char *path, int flags, uid_t owner,
                       struct vstring *why);

/* Creates a new file, exclusively, never through a symlink. */
/*@ requires valid_read_string(path);
    requires vstring_valid(why);
    requires \separated(path + (0 .. strlen(path)), why,
                        why->data + (0 .. why->cap - 1));
    assigns sys_fd_open[0 .. SYS_FD_MAX - 1], sys_fd_flags[0 .. SYS_FD_MAX - 1],
            sys_fd_dev[0 .. SYS_FD_MAX - 1], sys_fd_ino[0 .. SYS_FD_MAX - 1],
            sys_fd_mode[0 .. SYS_FD_MAX - 1], sys_fd_nlink[0 .. SYS_FD_MAX - 1],
            sys_fd_uid[0 .. SYS_FD_MAX - 1],
            why->data, why->len, why->cap, why->data[0],
            \at(why->data, Post)[0 .. \at(why->cap, Post) - 1];
    ensures vstring_valid(why);
    ensures \result < SYS_FD_MAX;
    ensures no_leak: \result < 0 ==> sys_fds_unchanged{Pre, Post};
    ensures opened: \result >= 0 ==> sys_fd_opened{Pre, Post}(\result);
    ensures checked: \result >= 0 ==>
      safe_open_good_fd(\result, owner) && safe_open_created(\result);
    ensures why_kept: \result >= 0 ==> vstring_unchanged{Pre, Post}(why);
*/
int safe_open_create(const char *path, int flags, mode_t mode, uid_t owner,
                     struct vstring *why);

/* Without O_CREAT: safe_open_existing(). With O_CREAT|O_EXCL:
 * safe_open_create(). With O_CREAT alone: the existing file when there is
 * one, else a new one (and the existing one again if a creator won a race). */
/*@ requires valid_read_string(path);
    requires vstring_valid(why);
    requires \separated(path + (0 .. strlen(path)), why,
                        why->data + (0 .. why->cap - 1));
    assigns sys_fd_open[0 .. SYS_FD_MAX - 1], sys_fd_flags[0 .. SYS_FD_MAX - 1],
            sys_fd_dev[0 .. SYS_FD_MAX - 1], sys_fd_ino[0 .. SYS_FD_MAX - 1],
            sys_fd_mode[0 .. SYS_FD_MAX - 1], sys_fd_nlink[0 .. SYS_FD_MAX - 1],
            sys_fd_uid[0 .. SYS_FD_MAX - 1], sys_lstat_dev, sys_lstat_ino,
            why->data, why->len, why->cap, why->data[0],
            \at(why->data, Post)[0 .. \at(why->cap, Post) - 1];
    ensures vstring_valid(why);
    ensures \result < SYS_FD_MAX;
    ensures no_leak: \result < 0 ==> sys_fds_unchanged{Pre, Post};
    ensures opened: \result >= 0 ==> sys_fd_opened{Pre, Post}(\result);
    ensures checked: \result >= 0 ==>
      safe_open_good_fd(\result, owner) &&
      (safe_open_created(\result) || safe_open_same_file(\result));
*/
int safe_open(const char *path, int flags, mode_t mode, uid_t owner,
              struct vstring *why);

#endif
