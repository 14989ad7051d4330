/*
 * mail_trigger.c - one-byte wake-ups for qmgr and pickup (mail_trigger.h).
 * Used by cleanup (new mail in incoming/), the gate (new file in
 * maildrop/) and sendmail -q (flush).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "mail_trigger.h"
#include "vstring.h"

#define TRIGGER_WAIT_MS 1000

/*
 * The fifo last written, kept open for KEEP_SECONDS: cleanup wakes qmgr
 * after every message, and stat, open and close of the fifo were three of
 * its system calls per message. Master holds each fifo open for reading,
 * so a kept descriptor never meets a missing reader; it is dropped after
 * a failed write and after KEEP_SECONDS, so that a fifo made anew (master
 * restarted) is found within that time (a trigger is a hint only).
 */
#define KEEP_SECONDS 1

static struct {
    int fd;
    char *path;
    time_t opened;
} kept = {-1, 0, 0};

/* kept_drop - forget the kept fifo */
static void kept_drop(void)
{
    if (kept.fd >= 0)
        close(kept.fd);
    kept.fd = -1;
    free(kept.path);
    kept.path = 0;
}

/* kept_write - 0 when the kept fifo for path took the bytes, else -1 */
static int kept_write(const char *path, const char *buf, size_t len)
{
    if (kept.fd < 0 || strcmp(kept.path, path) != 0 ||
        time(0) - kept.opened >= KEEP_SECONDS)
        return -1;
    if (write(kept.fd, buf, len) == (ssize_t)len)
        return 0;
    kept_drop();
    return -1;
}

/* send_fifo - write into a fifo that has a reader; keep it open */
static int send_fifo(const char *path, const char *buf, size_t len,
                     struct vstring *why)
{
    int fd;

    if ((fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC)) < 0) {
        vstring_sprintf(why, "open %s: %m", path);
        return -1;
    }
    if (write(fd, buf, len) != (ssize_t)len) {
        vstring_sprintf(why, "write %s: %m", path);
        close(fd);
        return -1;
    }
    kept_drop();
    if ((kept.path = strdup(path)) == 0) {
        close(fd);
        return 0;
    }
    kept.fd = fd;
    kept.opened = time(0);
    return 0;
}

/* send_socket - connect, write, close */
static int send_socket(const char *path, const char *buf, size_t len,
                       struct vstring *why)
{
    struct sockaddr_un sun;
    struct pollfd pfd;
    int fd, rc = -1;

    memset(&sun, 0, sizeof(sun));
    sun.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(sun.sun_path)) {
        vstring_sprintf(why, "%s: path too long for a socket", path);
        return -1;
    }
    memcpy(sun.sun_path, path, strlen(path));
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
        vstring_sprintf(why, "socket: %m");
        return -1;
    }
    if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
        vstring_sprintf(why, "connect %s: %m", path);
        goto out;
    }
    pfd.fd = fd;
    pfd.events = POLLOUT;
    if (poll(&pfd, 1, TRIGGER_WAIT_MS) != 1 ||
        send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT) != (ssize_t)len) {
        vstring_sprintf(why, "write %s: %m", path);
        goto out;
    }
    rc = 0;
out:
    close(fd);
    return rc;
}

/* mail_trigger_send - wake a fifo or unix-socket trigger service */
int mail_trigger_send(const char *queue_dir, const char *class_,
                      const char *service, const char *buf, size_t len,
                      struct vstring *why)
{
    struct vstring *path = vstring_alloc(100);
    struct stat st;
    int rc = -1;

    vstring_sprintf(path, "%s/%s/%s", queue_dir, class_, service);
    if (kept_write(vstring_str(path), buf, len) == 0)
        rc = 0;
    else if (stat(vstring_str(path), &st) < 0)
        vstring_sprintf(why, "%s: %m", vstring_str(path));
    else if (S_ISFIFO(st.st_mode))
        rc = send_fifo(vstring_str(path), buf, len, why);
    else if (S_ISSOCK(st.st_mode))
        rc = send_socket(vstring_str(path), buf, len, why);
    else
        vstring_sprintf(why, "%s: neither a fifo nor a socket",
                        vstring_str(path));
    vstring_free(path);
    return rc;
}
