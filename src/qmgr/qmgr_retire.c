/*
 * qmgr_retire.c - a finished message leaves the queue: its file goes to
 * spare/ (or is unlinked), or, claimed in place in spare/, its seal is
 * broken where it lies (queue_seal_break); within a fifth of a second the
 * broken seals are written and the directories fsynced (which flushes the
 * device's cache), once for every message finished meanwhile.
 *
 * Neither the removal nor the done marks of a finished message are fsynced
 * one by one (qmgr_outcome.c): after a power loss such a file may come back
 * into active/ with its marks lost, and its recipients get a second copy --
 * qmgr's "before done" duplicate window. This file bounds that window in
 * time: a removal is durable at most about SYNC_DELAY_MS after it happened,
 * for the price of three directory fsyncs per period under load (the power-loss
 * mode of the fault injector showed the unbounded window: every finished
 * message still in spare/ came back).
 *
 * The same fsync bounds the window of the unsynced moves between queue
 * directories: qmgr's from incoming/ and from spare/ (a commit in place
 * handed on by name, queue_spare_claim) to active/ (qmgr_scan.c), and
 * cleanup's rename from spare/ to incoming/ when it could not hand a file
 * on (queue_seal.h). On a file system without a journal the two directory
 * blocks of a rename reach the disk independently, so until both are
 * fsynced a power cut may leave the file with no name (fsck then puts it
 * in lost+found). A move into active/ therefore also sets the timer, and
 * the timer fsyncs incoming/ as well (PAPER.md, section 8).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "event_server.h"
#include "fi_point.h"
#include "msg.h"
#include "vstring.h"

#include "queue.h"
#include "queue_seal.h"
#include "queue_spare.h"

#include "qmgr.h"

/*
 * Milliseconds between a removal and its directory fsync. A retired file
 * may be taken again only once its name in spare/ is durable (queue_spare.h),
 * so the period also decides how much of the pool waits: at a thousand
 * messages a second, a second's worth was half of the 2000 files, and
 * takers that found them all waiting listed spare/ again and again or
 * created new files (PAPER.md, section 6, item 17).
 */
#define SYNC_DELAY_MS 200

/* Broken seals not yet written, each file still open: at most this many
 * (a full list is synced at once). */
#define BROKEN_MAX 256

static int sync_pending; /* a timer is set */
static int broken[BROKEN_MAX];
static int broken_count;

/* write_broken - the broken seals onto the device (the directory fsyncs
 * that follow flush its cache), all submitted before any is waited for,
 * then their files closed: a file retired in place is taken again only
 * after the stamp that follows, so never while its old seal could come
 * back */
static void write_broken(void)
{
    int i, failed = 0;

    for (i = 0; i < broken_count; i++)
        failed |= sync_file_range(broken[i], 0, 0, SYNC_FILE_RANGE_WRITE) < 0;
    for (i = 0; i < broken_count; i++) {
        failed |= sync_file_range(broken[i], 0, 0,
                                  SYNC_FILE_RANGE_WAIT_BEFORE
                                      | SYNC_FILE_RANGE_WRITE
                                      | SYNC_FILE_RANGE_WAIT_AFTER) < 0;
        close(broken[i]);
    }
    if (failed)
        msg_warn("sync_file_range of a retired spare file: %m (its message "
                 "may be delivered again after a crash)");
    broken_count = 0;
}

/* sync_dirs - make the removals and moves of the last period durable; the
 * destination of every unsynced move before its source (active/ first:
 * moves into it come from incoming/ and spare/), so that a cut between the
 * fsyncs leaves a file two names rather than none */
static void sync_dirs(void *ctx)
{
    static const char *const dirs[] = {QUEUE_ACTIVE, QUEUE_INCOMING,
                                       QUEUE_SPARE};
    struct vstring *path = vstring_alloc(100);
    struct vstring *why = vstring_alloc(100);
    struct timespec before;
    size_t i;

    (void)ctx;
    sync_pending = 0;
    FI_POINT("qmgr.before_retire_sync");
    write_broken();
    if (clock_gettime(CLOCK_REALTIME, &before) < 0)
        msg_fatal("clock_gettime: %m");
    for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        queue_dir_path(path, qmgr.root, dirs[i]);
        if (queue_dir_fsync(vstring_str(path), why) != 0)
            msg_warn("%s (finished messages may be delivered again after "
                     "a crash)", vstring_str(why));
        else if (strcmp(dirs[i], QUEUE_SPARE) == 0)
            queue_spare_synced(qmgr.root, &before); /* takers may use them */
    }
    vstring_free(path);
    vstring_free(why);
}

/* qmgr_sync_soon - active/ and spare/ changed (and incoming/, by commits
 * in place, queue_seal.h): fsync them within SYNC_DELAY_MS */
void qmgr_sync_soon(void)
{
    if (!sync_pending) {
        sync_pending = 1;
        event_server_timer_ms(SYNC_DELAY_MS, sync_dirs, 0);
    }
}

/* retire_in_place - break the seal of msg's spare file (its descriptor
 * goes to the broken list), or unlink it when it is too large to keep */
static int retire_in_place(struct qmgr_message *msg, struct vstring *why)
{
    struct vstring *path = vstring_alloc(100);
    int keep = msg->file_size <= QUEUE_SPARE_MAX_SIZE, rc, saved;

    qmgr_message_path(path, msg);
    rc = keep ? queue_seal_break(msg->lock_fd, msg->file_size)
              : unlink(vstring_str(path));
    if (rc != 0) {
        saved = errno;
        vstring_sprintf(why, "retire %s: %m", vstring_str(path));
        errno = saved;
    } else if (!keep) {
        close(msg->lock_fd);
        msg->lock_fd = -1;
    } else {
        if (broken_count == BROKEN_MAX)
            sync_dirs(0);
        broken[broken_count++] = msg->lock_fd;
        msg->lock_fd = -1;
    }
    vstring_free(path);
    return rc;
}

/* qmgr_retire - a finished message out of the queue; 0, or -1 with errno
 * and why */
int qmgr_retire(struct qmgr_message *msg, struct vstring *why)
{
    if (msg->lock_fd >= 0) {
        if (retire_in_place(msg, why) != 0)
            return -1;
    } else if (queue_spare_retire(qmgr.root, QUEUE_ACTIVE, msg->id,
                                  qmgr.spare_limit, why) != 0) {
        return -1;
    }
    qmgr_sync_soon();
    return 0;
}
