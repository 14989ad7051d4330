/*
 * msg.h - diagnostics: one line per event, to stderr, syslog or a log file.
 *
 * Every line carries the program name and pid ("cleanup[1234]: ..."), so that
 * a person can follow one message through the pipeline by its queue id.
 * Levels:
 *   msg_info   - an event worth a log line (a message received, delivered);
 *   msg_warn   - something is wrong but the work goes on;
 *   msg_error  - an error; the work goes on, but the caller will give up soon;
 *   msg_fatal  - the environment is broken (a missing directory, no memory):
 *                log and exit(1);
 *   msg_panic  - a contract was broken (a bug): log and abort-like exit(2).
 * The exit of fatal/panic goes through a replaceable hook, so that unit tests
 * can observe fatal paths (tests/unit/testkit.h). The hook must not return;
 * if it does, the process exits anyway.
 */
#ifndef MSG_H
#define MSG_H

#include <stdarg.h>

#define MSG_TO_STDERR (1 << 0)
#define MSG_TO_SYSLOG (1 << 1)

extern int msg_verbose;

/* Names the program; flags say where lines go. Safe to call again. */
void msg_init(const char *progname, int flags);

/*
 * Also (or instead, with flags 0 to msg_init) append lines to a file. A
 * file that cannot be opened is a warning and the old file stays; NULL
 * closes the current file.
 */
void msg_set_logfile(const char *path);

typedef void (*msg_exit_fn)(int status);
void msg_set_exit_hook(msg_exit_fn hook);

const char *msg_progname(void);

void msg_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_fatal(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
void msg_panic(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
void msg_vlog(int level, const char *fmt, va_list ap);

#endif
