/*
 * test_msg.c - log lines carry the program name and pid, levels are
 * marked, long lines are cut not overflowed, errno survives logging, and
 * fatal/panic leave through the exit hook with status 1/2.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "msg.h"
#include "testkit.h"

static char *dir;
static char log_path[512];

static int setup(void)
{
    dir = testkit_tempdir();
    snprintf(log_path, sizeof(log_path), "%s/log", dir);
    return 0;
}

static int teardown(void)
{
    msg_set_logfile(NULL);
    msg_init("unit-test", MSG_TO_STDERR);
    testkit_rmtree(dir);
    free(dir);
    return 0;
}

/* read_log - the whole log file (static buffer), then truncate it */
static const char *read_log(void)
{
    static char buf[16384];
    int fd = open(log_path, O_RDWR);
    ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

    buf[n > 0 ? n : 0] = 0;
    if (fd >= 0) {
        if (ftruncate(fd, 0) < 0)
            buf[0] = 0;
        close(fd);
    }
    return buf;
}

/* to_log - log only to the test's file, as program prog */
static void to_log(const char *prog)
{
    msg_init(prog, 0);
    msg_set_logfile(log_path);
    read_log();
}

static const struct level_case {
    void (*fn)(const char *, ...);
    const char *word;
} level_cases[] = {
    {msg_info, ": hello 42\n"},
    {msg_warn, ": warning: hello 42\n"},
    {msg_error, ": error: hello 42\n"},
};

/* test_lines_carry_name_and_pid - "<stamp> name[pid]: level text" */
static void test_lines_carry_name_and_pid(void)
{
    char tag[64];
    size_t i;

    to_log("/usr/libexec/sluice/cleanup");
    CU_ASSERT_STRING_EQUAL(msg_progname(), "cleanup");
    snprintf(tag, sizeof(tag), " cleanup[%ld]", (long)getpid());
    for (i = 0; i < sizeof(level_cases) / sizeof(level_cases[0]); i++) {
        const char *line;

        level_cases[i].fn("hello %d", 42);
        line = read_log();
        CU_ASSERT_PTR_NOT_NULL(strstr(line, tag));
        CU_ASSERT_PTR_NOT_NULL(strstr(line, level_cases[i].word));
        CU_ASSERT_EQUAL(strchr(line, '\n'), line + strlen(line) - 1);
    }
}

/* test_long_line_cut - a huge message becomes one bounded line */
static void test_long_line_cut(void)
{
    char *big = malloc(10000);
    const char *line;

    memset(big, 'z', 9999);
    big[9999] = 0;
    to_log("smtpd");
    msg_info("%s", big);
    line = read_log();
    CU_ASSERT(strlen(line) > 2000 && strlen(line) < 2400);
    CU_ASSERT_EQUAL(line[strlen(line) - 1], '\n');
    CU_ASSERT_EQUAL(strchr(line, '\n'), line + strlen(line) - 1);
    free(big);
}

/* test_percent_m_is_callers_errno - %m names the errno the caller had,
 * whatever formatting the line's time stamp did first */
static void test_percent_m_is_callers_errno(void)
{
    char want[128];
    const char *line;

    to_log("qmgr");
    snprintf(want, sizeof(want), "write x: %s\n", strerror(EDQUOT));
    errno = EDQUOT;
    msg_warn("write x: %m");
    line = read_log();
    CU_ASSERT_PTR_NOT_NULL(strstr(line, want));
    CU_ASSERT_EQUAL(errno, EDQUOT);
}

/* test_errno_preserved - logging does not clobber errno */
static void test_errno_preserved(void)
{
    to_log("qmgr");
    errno = ENOSPC;
    msg_warn("disk: %s", strerror(errno));
    CU_ASSERT_EQUAL(errno, ENOSPC);
    CU_ASSERT_PTR_NOT_NULL(strstr(read_log(), "No space left on device"));
}

/* test_bad_logfile_kept_old - an unopenable file warns, the old one stays */
static void test_bad_logfile_kept_old(void)
{
    char bad[600];

    to_log("local");
    snprintf(bad, sizeof(bad), "%s/missing/log", dir);
    msg_set_logfile(bad);
    CU_ASSERT_PTR_NOT_NULL(strstr(read_log(), "cannot open log file"));
    msg_info("still here");
    CU_ASSERT_PTR_NOT_NULL(strstr(read_log(), "still here"));
    msg_set_logfile(NULL);
    msg_info("nowhere");
    msg_set_logfile(log_path);
    CU_ASSERT_PTR_NULL(strstr(read_log(), "nowhere"));
}

static void call_fatal(void *arg)
{
    msg_fatal("no queue directory %s", (const char *)arg);
}

static void call_panic(void *arg)
{
    msg_panic("broken invariant %s", (const char *)arg);
}

/* test_fatal_panic_status - 1 and 2 through the hook, lines marked */
static void test_fatal_panic_status(void)
{
    const char *line;

    to_log("pickup");
    CU_ASSERT_EQUAL(testkit_expect_exit(call_fatal, "q1"), 1);
    line = read_log();
    CU_ASSERT_PTR_NOT_NULL(strstr(line, ": fatal: no queue directory q1\n"));
    CU_ASSERT_EQUAL(testkit_expect_exit(call_panic, "p2"), 2);
    line = read_log();
    CU_ASSERT_PTR_NOT_NULL(strstr(line, ": panic: broken invariant p2\n"));
}

static void returning_hook(int status)
{
    (void)status;
}

/* exit_status_of - run fn in a child; its exit status or -1 */
static int exit_status_of(void (*fn)(void *), msg_exit_fn hook)
{
    int status;
    pid_t pid = fork();

    if (pid == 0) {
        msg_set_exit_hook(hook);
        fn("child");
        _exit(99);
    }
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

/* test_real_exit - without a hook, or with one that returns, it exits */
static void test_real_exit(void)
{
    to_log("master");
    CU_ASSERT_EQUAL(exit_status_of(call_fatal, 0), 1);
    CU_ASSERT_EQUAL(exit_status_of(call_panic, 0), 2);
    CU_ASSERT_EQUAL(exit_status_of(call_fatal, returning_hook), 1);
    CU_ASSERT_EQUAL(exit_status_of(call_panic, returning_hook), 2);
}

/* test_stderr_and_syslog - the other destinations accept lines */
static void test_stderr_and_syslog(void)
{
    msg_init("unit-test", MSG_TO_STDERR | MSG_TO_SYSLOG);
    msg_set_logfile(NULL);
    msg_verbose = 1;
    msg_info("to stderr and syslog (expected in the test output)");
    msg_verbose = 0;
    CU_ASSERT_STRING_EQUAL(msg_progname(), "unit-test");
    msg_init("unit-test", MSG_TO_STDERR);
}

static const struct testkit_case cases[] = {
    {"lines carry program name, pid and level", test_lines_carry_name_and_pid},
    {"a long message is cut to one line", test_long_line_cut},
    {"errno is preserved", test_errno_preserved},
    {"%m is the caller's errno", test_percent_m_is_callers_errno},
    {"an unopenable log file keeps the old one", test_bad_logfile_kept_old},
    {"fatal and panic exit 1 and 2 through the hook", test_fatal_panic_status},
    {"fatal and panic really exit without a hook", test_real_exit},
    {"stderr and syslog destinations", test_stderr_and_syslog},
    {NULL, NULL}};

TESTKIT_SUITE("msg", setup, teardown, cases);
