/*
 * queue.h - the queue directories, queue ids and paths, and moving a
 * message between queues.
 *
 * Under the instance's queue root live the queues
 *
 *     maildrop  - files dropped by the setgid gate, read by pickup;
 *                 mode 1730 owner=mail owner, group=gate group: the gate can
 *                 create files but nobody but the owner can list them
 *     incoming  - committed by cleanup, waiting for qmgr
 *     active    - taken by qmgr for delivery
 *     deferred  - waiting for a retry
 *     hold      - kept aside by the administrator
 *     corrupt   - files a reader refused (incomplete, malformed)
 *     defer, bounce - per-message logs of deferred/failed recipients
 *     spare     - finished files kept for reuse (queue_spare.h), not mail
 *
 * every one but maildrop of mode 0700, owned by the mail owner.
 *
 * A queue id is QUEUE_ID_LEN upper-case hex digits: seconds (8), micro-
 * seconds (5), pid (6), a per-process counter (4). Ids are unique across
 * processes (pid), within one (counter) and across restarts (time), and
 * sort by arrival time as plain strings. A file's name in a queue is its id;
 * a file being written is "<id>.part" (queue_file.h).
 *
 * Moving between queues is rename(2) and never overwrites (renameat2 with
 * RENAME_NOREPLACE where the file system has it), followed by fsync of the
 * destination directory, then of the source directory: when queue_move
 * returns 0 the move survives a crash. queue_move_unsynced leaves out the
 * fsyncs, for the one move that is not a commit point.
 *
 * Expected failures return -1 and write the reason into why; a bad queue
 * name or id handed to a path function is a caller bug (msg_panic): check
 * ids that come from outside with queue_id_valid() first.
 */
#ifndef QUEUE_H
#define QUEUE_H

#include <dirent.h>
#include <stddef.h>
#include <sys/types.h>

struct vstring;

#define QUEUE_MAILDROP "maildrop"
#define QUEUE_INCOMING "incoming"
#define QUEUE_ACTIVE "active"
#define QUEUE_DEFERRED "deferred"
#define QUEUE_HOLD "hold"
#define QUEUE_CORRUPT "corrupt"
#define QUEUE_DEFER_LOG "defer"
#define QUEUE_BOUNCE_LOG "bounce"
#define QUEUE_SPARE "spare"

#define QUEUE_ID_LEN 23
#define QUEUE_PART_SUFFIX ".part"

#define QUEUE_MODE_PRIVATE 0700
#define QUEUE_MODE_MAILDROP 01730

/* 1 when name is one of the queue names above, else 0. */
int queue_name_valid(const char *name);

/* 1 when id is exactly QUEUE_ID_LEN characters 0-9A-F, else 0. */
/*@ requires \valid_read(id) && valid_string(id);
    assigns \nothing;
    ensures \result == 0 || \result == 1;
 */
int queue_id_valid(const char *id);

/*
 * Makes a new queue id into out (replacing its content). Never returns the
 * same id twice in one process; across processes the pid keeps them apart.
 */
void queue_id_new(struct vstring *out);

/*
 * Creates the root (0755) and every queue under it, or checks and repairs
 * the mode and owner of those that exist (a symlink or non-directory there
 * is an error). owner/group: (uid_t)-1 / (gid_t)-1 leave ownership as the
 * creating process makes it; group applies to maildrop only.
 */
int queue_dirs_create(const char *root, uid_t owner, gid_t gate_group,
                      struct vstring *why);

/* "<root>/<queue>" into out. Contract: queue name valid. */
void queue_dir_path(struct vstring *out, const char *root, const char *queue);

/* "<root>/<queue>/<id>" into out. Contract: queue name and id valid. */
void queue_path(struct vstring *out, const char *root, const char *queue,
                const char *id);

/*
 * rename(2) that never overwrites: renameat2(RENAME_NOREPLACE), or where the
 * file system lacks it, a check for the target then rename. -1 with errno
 * (EEXIST when the target is taken).
 */
int queue_rename_noreplace(const char *from, const char *to);

/* fsync(2) a directory by path. */
int queue_dir_fsync(const char *path, struct vstring *why);

/*
 * Moves <root>/<from>/<name> to <root>/<to>/<name> (name: an id, or an id
 * with QUEUE_PART_SUFFIX) without overwriting, then fsyncs the destination
 * directory and the source directory. -1 with errno set (ENOENT: the file
 * is gone, EEXIST: the destination is taken) and why filled.
 */
int queue_move(const char *root, const char *from, const char *to,
               const char *name, struct vstring *why);

/* The same, to <root>/<to>/<new_name>: qmgr's move of a message claimed in
 * place out of spare/, where its file has a spare's name (queue_spare.h). */
int queue_move_as(const char *root, const char *from, const char *name,
                  const char *to, const char *new_name, struct vstring *why);

/*
 * The same rename without the directory fsyncs, for a move that is no
 * commit point: qmgr's incoming/ -> active/ (at every start qmgr treats a
 * file in active/ exactly like one in incoming/, so a move lost in a crash
 * changes nothing). errno set on -1, as queue_move.
 */
int queue_move_unsynced(const char *root, const char *from, const char *to,
                        const char *name, struct vstring *why);

/* Listing a queue directory, one entry at a time, in directory order. */
struct queue_scan {
    DIR *dir;
};

int queue_scan_open(struct queue_scan *scan, const char *root,
                    const char *queue, struct vstring *why);

/*
 * Next entry that is a queue id (*is_part = 0) or an id + ".part"
 * (*is_part = 1); the id (without suffix) goes into id. Returns 1, or 0 at
 * the end. Anything else in the directory is skipped.
 */
int queue_scan_next(struct queue_scan *scan, struct vstring *id, int *is_part);
void queue_scan_close(struct queue_scan *scan);

#endif
