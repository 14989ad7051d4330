/*
 * spec/sys_ops.h - the trusted base of the WP proofs: the contracts of the
 * allocator and system-call wrappers (src/util/sys_ops.c) and the ghost
 * model of the process's descriptors that those contracts talk about.
 *
 * WP proves vstring and safe_open against these contracts; nothing here is
 * proven. Each contract says why it is believed and how it is checked at
 * run time. src/util/sys_ops.h includes this file, so the daemons, the unit
 * tests and the proofs all see the same prototypes. The ghost declarations
 * live in ACSL comments: the C compiler never sees them.
 *
 * The ghost model (proofs/README.md, "Trust base"):
 *   sys_fd_open[fd]   1 while fd was returned by sys_open and not yet given
 *                     to sys_close, 0 otherwise. "No descriptor leaks" means:
 *                     on failure this table is as it was on entry.
 *   sys_fd_flags[fd]  the open(2) flags fd was opened with.
 *   sys_fd_dev/ino/mode/nlink/uid[fd]
 *                     what fstat(2) reports for the object fd refers to.
 *   sys_lstat_dev/ino what the last successful sys_lstat saw: the object
 *                     that was checked.
 * Descriptors are below SYS_FD_MAX: sys_open closes a larger one and fails
 * with EMFILE, which makes the bound true at run time.
 */
#ifndef SPEC_SYS_OPS_H
#define SPEC_SYS_OPS_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

struct vstring;

#define SYS_FD_MAX 65536

/*@ ghost extern int sys_fd_open[SYS_FD_MAX]; */
/*@ ghost extern int sys_fd_flags[SYS_FD_MAX]; */
/*@ ghost extern dev_t sys_fd_dev[SYS_FD_MAX]; */
/*@ ghost extern ino_t sys_fd_ino[SYS_FD_MAX]; */
/*@ ghost extern mode_t sys_fd_mode[SYS_FD_MAX]; */
/*@ ghost extern nlink_t sys_fd_nlink[SYS_FD_MAX]; */
/*@ ghost extern uid_t sys_fd_uid[SYS_FD_MAX]; */
/*@ ghost extern dev_t sys_lstat_dev; */
/*@ ghost extern ino_t sys_lstat_ino; */

/*@ predicate sys_fds_unchanged{L1, L2} =
      \forall integer i; 0 <= i < SYS_FD_MAX ==>
        \at(sys_fd_open[i], L1) == \at(sys_fd_open[i], L2);

    predicate sys_fd_is_open(integer fd) =
      0 <= fd < SYS_FD_MAX && sys_fd_open[fd] == 1;

    // fd is the one descriptor that became open between L1 and L2.
    predicate sys_fd_opened{L1, L2}(integer fd) =
      0 <= fd < SYS_FD_MAX &&
      \at(sys_fd_open[fd], L1) == 0 && \at(sys_fd_open[fd], L2) == 1 &&
      \forall integer i; 0 <= i < SYS_FD_MAX && i != fd ==>
        \at(sys_fd_open[i], L1) == \at(sys_fd_open[i], L2);
*/

/* ---- allocator ---------------------------------------------------------
 * Why believed: the wrappers call mymalloc(), which never returns NULL (it
 * ends the process), and malloc(3) returns a block that overlaps no live
 * object; the regions named by the ghost parameters are live at every call.
 * WP cannot express freshness (\fresh is not implemented in Frama-C 25), so
 * the caller names the regions it needs to be told apart from the new block.
 * Run-time check: ASan (make VARIANT=asan unit-tests) and the fuzzers catch
 * overlaps, use after free and double free, which the proof does not see.
 */

/*@ requires n > 0;
    assigns \nothing;
    ensures \valid(\result + (0 .. n - 1));
    ensures \separated(\result + (0 .. n - 1), owner);
    ensures \separated(\result + (0 .. n - 1), keep + (0 .. keep_n - 1));
    ensures \separated(\result + (0 .. n - 1), src + (0 .. src_n - 1));
*/
char *sys_alloc_bytes(size_t n)
    /*@ ghost (struct vstring *owner, char *keep, size_t keep_n,
               const char *src, size_t src_n) */;

/*@ assigns \nothing;
    ensures \valid(\result);
*/
struct vstring *sys_alloc_vstring(void);

/* Frees are not modelled: WP keeps a freed block "valid". ASan checks. */
/*@ assigns \nothing; */
void sys_free_bytes(char *p);

/*@ assigns \nothing; */
void sys_free_vstring(struct vstring *v);

/* ---- system calls ------------------------------------------------------
 * Why believed: each wrapper is one call to the system call of its name,
 * which POSIX specifies as modelled here: open(2) returns the lowest free
 * descriptor or fails without allocating one; fstat(2) describes the object
 * a descriptor refers to; close(2) on Linux releases the descriptor even
 * when it reports an error. The wrappers return -errno instead of setting
 * errno, so the model needs no errno.
 * Run-time checks: tests/unit/util/test_safe_open.c (symlinks, hard links,
 * a swap between check and open, wrong owner, exclusive create), and the
 * descriptor count before/after every failing case in that suite.
 */

/*@ requires valid_read_string(path);
    assigns sys_fd_open[0 .. SYS_FD_MAX - 1], sys_fd_flags[0 .. SYS_FD_MAX - 1],
            sys_fd_dev[0 .. SYS_FD_MAX - 1], sys_fd_ino[0 .. SYS_FD_MAX - 1],
            sys_fd_mode[0 .. SYS_FD_MAX - 1], sys_fd_nlink[0 .. SYS_FD_MAX - 1],
            sys_fd_uid[0 .. SYS_FD_MAX - 1];
    ensures \result < SYS_FD_MAX;
    ensures \result < 0 ==> sys_fds_unchanged{Pre, Post};
    ensures \result >= 0 ==> sys_fd_opened{Pre, Post}(\result);
    ensures \result >= 0 ==> sys_fd_flags[\result] == flags;
*/
int sys_open(const char *path, int flags, mode_t mode);

/*@ requires sys_fd_is_open(fd);
    assigns sys_fd_open[fd];
    ensures sys_fd_open[fd] == 0;
*/
void sys_close(int fd);

/*@ requires sys_fd_is_open(fd);
    requires \valid(st);
    assigns *st;
    ensures \result <= 0;
    ensures \result == 0 ==>
      st->st_dev == sys_fd_dev[fd] && st->st_ino == sys_fd_ino[fd] &&
      st->st_mode == sys_fd_mode[fd] && st->st_nlink == sys_fd_nlink[fd] &&
      st->st_uid == sys_fd_uid[fd];
*/
int sys_fstat(int fd, struct stat *st);

/*@ requires valid_read_string(path);
    requires \valid(st);
    assigns *st, sys_lstat_dev, sys_lstat_ino;
    ensures \result <= 0;
    ensures \result == 0 ==>
      sys_lstat_dev == st->st_dev && sys_lstat_ino == st->st_ino;
*/
int sys_lstat(const char *path, struct stat *st);

/* The window between the check (lstat) and the open. Production code does
 * nothing here; a unit test sets a hook that swaps the file, to show that
 * safe_open notices. It changes the file system, never C memory. */
/*@ assigns \nothing; */
void sys_race_window(const char *path);

#endif
