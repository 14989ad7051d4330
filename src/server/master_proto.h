/*
 * master_proto.h - the contract between master and the daemons it starts.
 *
 * A daemon is started by master with exactly these descriptors open:
 *
 *   0, 1, 2           /dev/null, or master's own stdio in foreground runs
 *   MASTER_STATUS_FD  write end of the service's status pipe (one pipe per
 *                     service, shared by all its processes)
 *   MASTER_LIVE_FD    read end of the service's liveness pipe; master holds
 *                     the only write end. EOF on it means "master is gone, or
 *                     this service was removed or changed by a reload": an idle
 *                     daemon exits at once, a busy one after its request.
 *   MASTER_LISTEN_FD  the service's endpoint, non-blocking: a listening
 *                     stream socket (inet or unix) or a fifo opened
 *                     read-write (so it never reports EOF).
 *
 * and with this command line (the master.cf command and its arguments
 * follow master's options, so "-o name=value" in master.cf works as well):
 *
 *   program -c CONFIG_DIR -n SERVICE -t inet|unix|fifo [-u] [-r] [-d] [-v]
 *           [master.cf arguments...]
 *
 *   -u   unprivileged: drop to mail_owner (when started as root)
 *   -r   chroot into queue_directory (when started as root)
 *   -d   log to stderr as well;  -v  verbose logging
 *
 * The status protocol: a daemon writes fixed-size struct master_status
 * records (smaller than PIPE_BUF, so each write is atomic) to
 * MASTER_STATUS_FD:
 *
 *   MASTER_STAT_READY  once, when initialised (configuration read, privileges
 *                      dropped). A process that dies before this is counted
 *                      as a start-up failure and master throttles the service.
 *   MASTER_STAT_TAKEN  it has taken a request and is busy.
 *   MASTER_STAT_AVAIL  it is waiting for a request again.
 *
 * Master counts a freshly started process as available (it was started
 * because a request is waiting), so the first record a daemon sends after
 * READY is normally TAKEN. A daemon that has reached max_use exits instead
 * of sending AVAIL. A write that fails with EPIPE means master stopped
 * listening to this process: it exits.
 *
 * Wakeups: for a service with a wakeup interval master writes the single
 * byte MASTER_TRIGGER_WAKEUP into the service's fifo, or connects to its
 * unix socket and writes it there.
 */
#ifndef MASTER_PROTO_H
#define MASTER_PROTO_H

#include <sys/types.h>

#define MASTER_STATUS_FD 3
#define MASTER_LIVE_FD 4
#define MASTER_LISTEN_FD 5

#define MASTER_STAT_READY 1
#define MASTER_STAT_TAKEN 2
#define MASTER_STAT_AVAIL 3

#define MASTER_TRIGGER_WAKEUP 'W'

struct master_status {
    int pid;    /* the sender's pid */
    int status; /* MASTER_STAT_* */
};

/* The private and public socket directories under queue_directory. */
#define MASTER_PRIVATE_DIR "private"
#define MASTER_PUBLIC_DIR "public"
/* master's pid file (locked while master runs) and status file. */
#define MASTER_PID_DIR "pid"
#define MASTER_PID_FILE "pid/master.pid"
#define MASTER_STATUS_FILE "pid/master.status"

#endif
