/*
 * qmgr_scan.c - the queue directories as qmgr sees them: recovery at start
 * (active/ back to incoming/), taking committed files from incoming/ while
 * there is room, and returning deferred files whose time has come (qmgr.h).
 * Every scan reads one directory entry at a time: nothing of a waiting
 * queue is kept in memory.
 */
#include <errno.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "msg.h"
#include "vstring.h"

#include "queue.h"
#include "queue_spare.h"
#include "queue_file.h"

#include "qmgr.h"

#define SPARE_CLAIM_TRIES 20    /* a hinted spare found locked: tries */
#define SPARE_CLAIM_WAIT_US 250 /* and the wait between them */

struct qmgr_state qmgr;

/*
 * qmgr_kick - after an event: refill from incoming/, start requests. The
 * names inotify reported come first (qmgr_watch.c); the directory is read
 * only when a name may have been missed.
 */
void qmgr_kick(void)
{
    if (qmgr.active_count < qmgr.active_limit) {
        if (qmgr.incoming_more)
            qmgr_scan_incoming();
        else
            qmgr_watch_take();
        if (qmgr.incoming_more && qmgr.active_count < qmgr.active_limit)
            qmgr_scan_incoming();
    }
    qmgr_sched_dispatch();
}

/* qmgr_recover - DESIGN.md 3, "qmgr restart" */
void qmgr_recover(void)
{
    struct vstring *why = vstring_alloc(100);
    struct vstring *id = vstring_alloc(QUEUE_ID_LEN + 1);
    struct queue_scan scan;
    int is_part, moved = 0;

    if (queue_scan_open(&scan, qmgr.root, QUEUE_ACTIVE, why) != 0)
        msg_fatal("%s", vstring_str(why));
    while (queue_scan_next(&scan, id, &is_part)) {
        if (is_part)
            vstring_append_str(id, QUEUE_PART_SUFFIX);
        if (queue_move(qmgr.root, QUEUE_ACTIVE, QUEUE_INCOMING, vstring_str(id),
                       why) != 0)
            msg_warn("recover: %s", vstring_str(why));
        else
            moved++;
    }
    queue_scan_close(&scan);
    if (moved)
        msg_info("recover: %d file(s) moved from active to incoming", moved);
    qmgr_sweep_incoming();
    vstring_free(id);
    vstring_free(why);
}

/*
 * qmgr_sweep_incoming - move on what was committed in place in spare/ but
 * not renamed, and remove .part files whose writer died (flock free):
 * at start, and at every queue run, because a cleanup that dies leaves its
 * .part behind and the surviving cleanup processes never sweep again.
 */
void qmgr_sweep_incoming(void)
{
    struct vstring *why = vstring_alloc(100);
    long recovered;
    int swept;

    /* commits in place whose rename a crash undid (queue_seal.h) */
    if ((recovered = queue_spare_recover(qmgr.root)) > 0) {
        msg_info("recover: %ld message(s) moved from spare to incoming",
                 recovered);
        qmgr.incoming_more = 1;
    }

    if ((swept = queue_file_sweep(qmgr.root, QUEUE_INCOMING, why)) > 0)
        msg_info("sweep: %d incomplete file(s) removed from incoming", swept);
    else if (swept < 0)
        msg_warn("sweep: %s", vstring_str(why));
    vstring_free(why);
}

/*
 * moved_anyway - a failed incoming -> active move whose rename happened (a
 * directory fsync failed after it): the file is in active/ and must be
 * scheduled now, or it would sit there until qmgr restarts.
 */
static int moved_anyway(const char *id)
{
    struct vstring *path = vstring_alloc(100);
    struct stat st;
    int there;

    queue_path(path, qmgr.root, QUEUE_ACTIVE, id);
    there = lstat(vstring_str(path), &st) == 0;
    vstring_free(path);
    return there;
}

/*
 * qmgr_take_incoming - incoming/<id> -> active/ and schedule it. A file
 * that is gone (a scan or an earlier name took it) is skipped quietly.
 */
void qmgr_take_incoming(const char *id)
{
    struct vstring *why = vstring_alloc(100);
    int moved = 1;

    if (queue_move_unsynced(qmgr.root, QUEUE_INCOMING, QUEUE_ACTIVE, id,
                            why) != 0) {
        moved = errno != ENOENT;
        if (moved) {
            msg_warn("%s", vstring_str(why));
            moved = moved_anyway(id);
        }
    }
    vstring_free(why);
    if (moved) {
        qmgr_sync_soon(); /* the move's window (qmgr_retire.c) */
        qmgr_message_activate(id);
    }
}

/* take_held - claim spare/<name> in place and schedule it; open_sealed's
 * answer (queue_spare_start.c): 1 claimed, 0 nothing to claim, -1 error,
 * -2 another process holds its lock for the moment */
static int take_held(const char *name)
{
    char id[QUEUE_ID_LEN + 1];
    int fd, rc = queue_spare_hold(qmgr.root, name, id, &fd);

    if (rc == 1)
        qmgr_message_activate_held(name, id, fd);
    return rc;
}

/* take_moved - spare/<name> to <to>/<id>, scheduled when that is active/;
 * answers as take_held */
static int take_moved(const char *name, int full)
{
    char id[QUEUE_ID_LEN + 1];
    const char *to = full ? QUEUE_INCOMING : QUEUE_ACTIVE;
    int rc = queue_spare_claim(qmgr.root, name, to, id);

    if (rc != 1)
        return rc;
    qmgr_sync_soon(); /* the move's window, as for incoming/ (qmgr_retire.c) */
    if (full)
        qmgr.incoming_more |= !qmgr_watch_active();
    else
        qmgr_message_activate(id);
    return 1;
}

/* claim_spare - one claim of spare/<name>, a locked file tried again up to
 * `tries` times; 1 done (claimed, or nothing there to claim), 0 not now */
static int claim_spare(const char *name, int tries, int quiet)
{
    int full = qmgr.active_count >= qmgr.active_limit, rc;
    int in_place = !full && qmgr.inplace_count < QMGR_INPLACE_MAX;

    while ((rc = in_place ? take_held(name) : take_moved(name, full)) == -2
           && --tries > 0)
        usleep(SPARE_CLAIM_WAIT_US);
    if (rc >= 0)
        return 1;
    if (!quiet && rc == -2)
        msg_warn("spare/%s: locked by another process (tried again shortly)",
                 name);
    else if (!quiet)
        msg_warn("spare/%s: cannot claim: %m (tried again shortly)", name);
    return 0;
}

/*
 * qmgr_take_spare - spare/<name> (committed in place by cleanup, which
 * named it on the trigger fifo): claimed where it lies while fewer than
 * QMGR_INPLACE_MAX messages are (no rename out and none back when it is
 * done, and its next commit does not write spare/ again: PAPER.md,
 * section 6), else moved to active/, or into incoming/ when active/ is
 * full (the watch or a scan takes it later), and scheduled. A taker may
 * hold its lock for a moment: tried again a few times, then handed to
 * the retry timer (qmgr_spare_retry.c) rather than left for the queue
 * run.
 */
void qmgr_take_spare(const char *name)
{
    if (!claim_spare(name, SPARE_CLAIM_TRIES, 0))
        qmgr_spare_retry_add(name);
}

/* qmgr_retake_spare - one more try of a name the retry timer kept;
 * 1 done, 0 not now */
int qmgr_retake_spare(const char *name)
{
    return claim_spare(name, 1, 1);
}

/* qmgr_scan_incoming - activate committed files while there is room */
void qmgr_scan_incoming(void)
{
    struct vstring *why = vstring_alloc(100);
    struct vstring *id = vstring_alloc(QUEUE_ID_LEN + 1);
    struct queue_scan scan;
    int is_part;

    qmgr.incoming_more = 0;
    qmgr_watch_discard(); /* the scan finds what they name */
    qmgr_route_clear(); /* a run sees the tables as they are now */
    if (queue_scan_open(&scan, qmgr.root, QUEUE_INCOMING, why) != 0) {
        msg_warn("%s", vstring_str(why));
        goto out;
    }
    while (queue_scan_next(&scan, id, &is_part)) {
        if (is_part)
            continue; /* not committed: never ours */
        if (qmgr.active_count >= qmgr.active_limit) {
            qmgr.incoming_more = 1;
            break;
        }
        qmgr_take_incoming(vstring_str(id));
    }
    queue_scan_close(&scan);
out:
    vstring_free(id);
    vstring_free(why);
}

/* qmgr_scan_deferred - deferred/ -> incoming/ (all, or those due) */
void qmgr_scan_deferred(int all)
{
    struct vstring *why = vstring_alloc(100);
    struct vstring *id = vstring_alloc(QUEUE_ID_LEN + 1);
    struct vstring *path = vstring_alloc(100);
    struct queue_scan scan;
    time_t now = time(0);
    struct stat st;
    int is_part, moved = 0;

    if (queue_scan_open(&scan, qmgr.root, QUEUE_DEFERRED, why) != 0) {
        msg_warn("%s", vstring_str(why));
        goto out;
    }
    while (queue_scan_next(&scan, id, &is_part)) {
        if (is_part)
            continue;
        queue_path(path, qmgr.root, QUEUE_DEFERRED, vstring_str(id));
        if (!all && (lstat(vstring_str(path), &st) != 0 || st.st_mtime > now))
            continue;
        if (queue_move(qmgr.root, QUEUE_DEFERRED, QUEUE_INCOMING,
                       vstring_str(id), why) == 0)
            moved++;
        else if (errno != ENOENT)
            msg_warn("%s", vstring_str(why));
    }
    queue_scan_close(&scan);
    if (moved)
        msg_info("%s: %d deferred message(s) back to incoming",
                 all ? "flush" : "wakeup", moved);
    if (moved)
        qmgr.incoming_more = 1;
out:
    vstring_free(path);
    vstring_free(id);
    vstring_free(why);
}
