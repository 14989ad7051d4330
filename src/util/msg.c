/*
 * msg.c - the logging back ends: stderr, syslog and an append-only file.
 *
 * A line is formatted once into a fixed buffer (long lines are cut, never
 * overflowed) and written with one write(2), so that lines from concurrent
 * daemons appending to one log file do not interleave.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "msg.h"
#include "my_pid.h"

#define MSG_LINE_MAX 2048   /* a line's body, cut beyond */
#define MSG_PREFIX_MAX 160   /* stamp, name, pid, level word */

int msg_verbose;

static char msg_name[64] = "sluice";
static int msg_flags = MSG_TO_STDERR;
static int msg_log_fd = -1;
static msg_exit_fn msg_exit_hook;

enum { LVL_INFO, LVL_WARN, LVL_ERROR, LVL_FATAL, LVL_PANIC };

static const char *const level_word[] = {"", "warning: ", "error: ",
                                         "fatal: ", "panic: "};
static const int level_prio[] = {LOG_INFO, LOG_WARNING, LOG_ERR, LOG_CRIT,
                                 LOG_CRIT};

/* msg_init - name the program and choose destinations */
void msg_init(const char *progname, int flags)
{
    const char *base = strrchr(progname, '/');

    snprintf(msg_name, sizeof(msg_name), "%s", base ? base + 1 : progname);
    msg_flags = flags;
    if (flags & MSG_TO_SYSLOG)
        openlog(msg_name, LOG_PID | LOG_NDELAY, LOG_MAIL);
}

/* msg_set_logfile - append every line to a file as well (NULL: stop) */
void msg_set_logfile(const char *path)
{
    int fd;

    if (path == 0) {
        if (msg_log_fd >= 0)
            close(msg_log_fd);
        msg_log_fd = -1;
        return;
    }
    fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        msg_warn("cannot open log file %s: %s", path, strerror(errno));
        return;
    }
    if (msg_log_fd >= 0)
        close(msg_log_fd);
    msg_log_fd = fd;
}

/* msg_set_exit_hook - replace exit() for fatal and panic (tests) */
void msg_set_exit_hook(msg_exit_fn hook)
{
    msg_exit_hook = hook;
}

/* msg_progname - the name lines are tagged with */
const char *msg_progname(void)
{
    return msg_name;
}

/* write_all - write a whole line, ignoring what cannot be helped */
static void write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        buf += n;
        len -= (size_t)n;
    }
}

/* log_stamp - the local time as log lines carry it, formatted again only
 * when the second changes (localtime_r and strftime cost a log line more
 * than the rest of its formatting) */
static const char *log_stamp(void)
{
    static char stamp[32];
    static time_t stamp_time = (time_t)-1;
    time_t now = time(0);
    struct tm tm;

    if (now != stamp_time) {
        if (localtime_r(&now, &tm) == 0 ||
            strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
            snprintf(stamp, sizeof(stamp), "%lld", (long long)now);
        stamp_time = now;
    }
    return stamp;
}

/* put - append s at len, cut to fit size (with room for a terminator);
 * the new end */
static size_t put(char *buf, size_t size, size_t len, const char *s)
{
    size_t n = strlen(s);

    if (n > size - 1 - len)
        n = size - 1 - len;
    memcpy(buf + len, s, n);
    return len + n;
}

/* decimal - a non-negative number's digits, in buf */
static const char *decimal(char *buf, size_t size, long value)
{
    char *p = buf + size - 1;

    *p = 0;
    do {
        *--p = (char)('0' + value % 10);
        value /= 10;
    } while (value > 0 && p > buf);
    return p;
}

/* msg_vlog - format one line and send it to every destination: the line
 * is "<stamp> <name>[<pid>]: <level word><body>\n", its body formatted in
 * place; stderr gets it from the name on, syslog the level word and body */
void msg_vlog(int level, const char *fmt, va_list ap)
{
    char line[MSG_PREFIX_MAX + MSG_LINE_MAX + 1];
    int saved_errno = errno;
    size_t name_at, word_at, body_at, end;
    char pid[24];
    int n;

    name_at = put(line, MSG_PREFIX_MAX, put(line, MSG_PREFIX_MAX, 0,
                                            log_stamp()), " ");
    word_at = put(line, MSG_PREFIX_MAX, name_at, msg_name);
    word_at = put(line, MSG_PREFIX_MAX, word_at, "[");
    word_at = put(line, MSG_PREFIX_MAX, word_at,
                  decimal(pid, sizeof(pid), (long)my_pid()));
    word_at = put(line, MSG_PREFIX_MAX, word_at, "]: ");
    body_at = put(line, MSG_PREFIX_MAX, word_at, level_word[level]);
    errno = saved_errno; /* for %m: the stamp's localtime_r may have set it */
    n = vsnprintf(line + body_at, MSG_LINE_MAX, fmt, ap);
    end = body_at + (n < 0 ? 0 : n < MSG_LINE_MAX ? (size_t)n
                                                   : MSG_LINE_MAX - 1);
    line[end] = 0;
    if (msg_flags & MSG_TO_SYSLOG)
        syslog(level_prio[level], "%s", line + word_at);
    line[end] = '\n';
    if (msg_flags & MSG_TO_STDERR)
        write_all(2, line + name_at, end + 1 - name_at);
    if (msg_log_fd >= 0)
        write_all(msg_log_fd, line, end + 1);
    errno = saved_errno;
}

#define MSG_EMIT(level)                                                        \
    do {                                                                       \
        va_list ap;                                                            \
        va_start(ap, fmt);                                                     \
        msg_vlog(level, fmt, ap);                                              \
        va_end(ap);                                                            \
    } while (0)

/* msg_exit - leave through the hook, or for real */
static void __attribute__((noreturn)) msg_exit(int status)
{
    if (msg_exit_hook)
        msg_exit_hook(status);
    exit(status);
}

void msg_info(const char *fmt, ...)  { MSG_EMIT(LVL_INFO); }
void msg_warn(const char *fmt, ...)  { MSG_EMIT(LVL_WARN); }
void msg_error(const char *fmt, ...) { MSG_EMIT(LVL_ERROR); }

void msg_fatal(const char *fmt, ...)
{
    MSG_EMIT(LVL_FATAL);
    msg_exit(1);
}

void msg_panic(const char *fmt, ...)
{
    MSG_EMIT(LVL_PANIC);
    msg_exit(2);
}
