/*
 * qmgr_watch.c - arrivals in incoming/ by name, from inotify (qmgr.h).
 *
 * Every commit into incoming/ is a rename (cleanup's queue_file_commit,
 * the queue tools, qmgr's own moves back), so an IN_MOVED_TO event names
 * each file a scan of the directory would find. Taking files by those
 * names keeps qmgr's cost per message independent of the directory's
 * history: ext4 never shrinks a directory, and reading an incoming/ that
 * once held 70,000 entries costs 0.8 ms even when it is empty again, which
 * qmgr paid for about every message it took (PAPER.md, section 6).
 *
 * The names are hints, never the only way in. Whenever one may have been
 * lost (the kernel's event queue overflowed, no room for the rest of a
 * read, no watch at all) qmgr.incoming_more asks for a full scan, as
 * before; a name whose file is already gone (a scan took it) is skipped.
 */
#include <errno.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "msg.h"
#include "vstring.h"

#include "queue.h"

#include "qmgr.h"

static int watch_fd = -1;

/* qmgr_watch_open - watch incoming/ (before the first scan); 0 or -1 */
int qmgr_watch_open(void)
{
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

    if (fd < 0) {
        msg_warn("inotify_init1: %m (incoming/ is scanned instead)");
        return -1;
    }
    if (inotify_add_watch(fd, QUEUE_INCOMING, IN_MOVED_TO | IN_ONLYDIR) < 0) {
        msg_warn("inotify_add_watch %s: %m (incoming/ is scanned instead)",
                 QUEUE_INCOMING);
        close(fd);
        return -1;
    }
    watch_fd = fd;
    return 0;
}

/* qmgr_watch_active - 1 when arrivals come by name */
int qmgr_watch_active(void)
{
    return watch_fd >= 0;
}

/* lost - a name may be gone: fall back to scanning */
static void lost(void)
{
    qmgr.incoming_more = 1;
}

/*
 * qmgr_watch_parse - walk the events of one read. For each committed name
 * (exactly a queue id: no ".part") calls take(id, ctx) while it returns 0;
 * returns QMGR_WATCH_OK, QMGR_WATCH_STOPPED (take refused one: the rest
 * were not looked at), QMGR_WATCH_OVERFLOW or QMGR_WATCH_BAD (an event
 * that does not fit in len, or the watch is gone).
 */
int qmgr_watch_parse(const char *buf, size_t len,
                     int (*take)(const char *id, void *ctx), void *ctx)
{
    struct inotify_event ev;
    char id[QUEUE_ID_LEN + 1];
    size_t off = 0, name_len;
    int rc = QMGR_WATCH_OK;

    while (len - off >= sizeof(ev)) {
        memcpy(&ev, buf + off, sizeof(ev));
        if (ev.len > len - off - sizeof(ev))
            return QMGR_WATCH_BAD;
        if (ev.mask & IN_Q_OVERFLOW)
            rc = QMGR_WATCH_OVERFLOW;
        else if (ev.mask & (IN_IGNORED | IN_UNMOUNT))
            return QMGR_WATCH_BAD;
        else if (ev.len > 0) {
            name_len = strnlen(buf + off + sizeof(ev), ev.len);
            if (name_len == QUEUE_ID_LEN) {
                memcpy(id, buf + off + sizeof(ev), QUEUE_ID_LEN);
                id[QUEUE_ID_LEN] = 0;
                if (queue_id_valid(id) && take(id, ctx) != 0)
                    return QMGR_WATCH_STOPPED;
            }
        }
        off += sizeof(ev) + ev.len;
    }
    return off == len ? rc : QMGR_WATCH_BAD;
}

/*
 * take_hint - one named arrival, while there is room. The first of a batch
 * empties the routing cache, as a scan does: a batch sees the tables as
 * they are now, and a transient resolve failure is not kept past it.
 */
static int take_hint(const char *id, void *ctx)
{
    int *batch_started = ctx;

    if (qmgr.active_count >= qmgr.active_limit)
        return -1;
    if (!*batch_started) {
        qmgr_route_clear();
        *batch_started = 1;
    }
    qmgr_take_incoming(id);
    return 0;
}

/* drop_hint - a name a full scan will find anyway */
static int drop_hint(const char *id, void *ctx)
{
    (void)id;
    (void)ctx;
    return 0;
}

/* drain - read every waiting event through fn; 0, or -1 when names were lost */
static int drain(int (*fn)(const char *, void *), void *ctx)
{
    struct {
        _Alignas(struct inotify_event) char buf[8192];
    } u;
    ssize_t n;
    int rc;

    for (;;) {
        if ((n = read(watch_fd, u.buf, sizeof(u.buf))) < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN)
                return 0;
            msg_warn("read inotify: %m");
            return -1;
        }
        if (n == 0)
            return -1;
        rc = qmgr_watch_parse(u.buf, (size_t)n, fn, ctx);
        if (rc == QMGR_WATCH_BAD) {
            msg_warn("inotify: incoming/ is no longer watched");
            close(watch_fd);
            watch_fd = -1;
            return -1;
        }
        if (rc != QMGR_WATCH_OK)
            return -1;
    }
}

/* qmgr_watch_take - take the named arrivals while there is room */
void qmgr_watch_take(void)
{
    int batch_started = 0;

    if (watch_fd >= 0 && drain(take_hint, &batch_started) != 0)
        lost();
}

/* qmgr_watch_discard - forget the names: a full scan comes next */
void qmgr_watch_discard(void)
{
    if (watch_fd >= 0)
        (void)drain(drop_hint, 0);
}
