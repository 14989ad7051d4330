/*
 * test_fi_point.c - crash points: traced when reached, SIGKILL at the
 * chosen hit of the chosen point only, and only once per SLUICE_FI_ONCE.
 * Each crash happens in a forked child.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testkit.h"

/* Declared by fi_point.h only in the fault build. */
void fi_point_hit(const char *name);

static char *dir;

static int setup(void)
{
    dir = testkit_tempdir();
    return 0;
}

static int teardown(void)
{
    unsetenv("SLUICE_FI_POINT");
    unsetenv("SLUICE_FI_HIT");
    unsetenv("SLUICE_FI_ONCE");
    unsetenv("SLUICE_FI_TRACE");
    unsetenv("SLUICE_FI_PROG");
    testkit_rmtree(dir);
    free(dir);
    return 0;
}

/* run_child - hit `point` `hits` times in a child; -SIG, or hits survived */
static int run_child(const char *point, int hits)
{
    int status, i;
    pid_t pid = fork();

    if (pid == 0) {
        for (i = 0; i < hits; i++)
            fi_point_hit(point);
        exit(0); /* not _exit: a coverage build flushes its counters */
    }
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return -100;
    if (WIFSIGNALED(status))
        return -WTERMSIG(status);
    return WEXITSTATUS(status);
}

static const struct kill_case {
    const char *env_point;
    const char *env_hit; /* NULL: unset */
    const char *hit_point;
    int hits;
    int result; /* -SIGKILL or 0 */
} kill_cases[] = {
    {"cleanup.after_fsync", NULL, "cleanup.after_fsync", 1, -SIGKILL},
    {"cleanup.after_fsync", "3", "cleanup.after_fsync", 2, 0},
    {"cleanup.after_fsync", "3", "cleanup.after_fsync", 3, -SIGKILL},
    {"cleanup.after_fsync", "0", "cleanup.after_fsync", 1, -SIGKILL},
    {"cleanup.after_fsync", NULL, "cleanup.before_rename", 5, 0},
    {NULL, NULL, "cleanup.after_fsync", 5, 0},
};

/* test_kill_table - the chosen hit of the chosen point, nothing else */
static void test_kill_table(void)
{
    size_t i;

    unsetenv("SLUICE_FI_ONCE");
    unsetenv("SLUICE_FI_TRACE");
    for (i = 0; i < sizeof(kill_cases) / sizeof(kill_cases[0]); i++) {
        const struct kill_case *c = &kill_cases[i];

        if (c->env_point)
            setenv("SLUICE_FI_POINT", c->env_point, 1);
        else
            unsetenv("SLUICE_FI_POINT");
        if (c->env_hit)
            setenv("SLUICE_FI_HIT", c->env_hit, 1);
        else
            unsetenv("SLUICE_FI_HIT");
        CU_ASSERT_EQUAL(run_child(c->hit_point, c->hits), c->result);
    }
    unsetenv("SLUICE_FI_POINT");
    unsetenv("SLUICE_FI_HIT");
}

/* test_once - the second process to reach the point survives */
static void test_once(void)
{
    char once[600];
    struct stat st;

    snprintf(once, sizeof(once), "%s/once", dir);
    setenv("SLUICE_FI_ONCE", once, 1);
    setenv("SLUICE_FI_POINT", "qmgr.after_move", 1);
    CU_ASSERT_EQUAL(run_child("qmgr.after_move", 1), -SIGKILL);
    CU_ASSERT_EQUAL(stat(once, &st), 0);
    CU_ASSERT_EQUAL(run_child("qmgr.after_move", 1), 0);
    unsetenv("SLUICE_FI_ONCE");
    unsetenv("SLUICE_FI_POINT");
}

/* test_trace - every hit is appended with the pid */
static void test_trace(void)
{
    char trace[600], want[128], got[256] = {0};
    FILE *f;

    snprintf(trace, sizeof(trace), "%s/trace", dir);
    setenv("SLUICE_FI_TRACE", trace, 1);
    unsetenv("SLUICE_FI_POINT");
    fi_point_hit("smtpd.after_data");
    fi_point_hit("cleanup.after_fsync");
    unsetenv("SLUICE_FI_TRACE");
    f = fopen(trace, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(fread(got, 1, sizeof(got) - 1, f) > 0, 1);
    fclose(f);
    snprintf(want, sizeof(want),
             "smtpd.after_data %ld test-util\ncleanup.after_fsync %ld "
             "test-util\n", (long)getpid(), (long)getpid());
    CU_ASSERT_STRING_EQUAL(got, want);
    setenv("SLUICE_FI_TRACE", "/nonexistent/dir/trace", 1);
    fi_point_hit("smtpd.after_data"); /* an unwritable trace is ignored */
    unsetenv("SLUICE_FI_TRACE");
}

/* test_prog - SLUICE_FI_PROG names the program that may die */
static void test_prog(void)
{
    unsetenv("SLUICE_FI_ONCE");
    setenv("SLUICE_FI_POINT", "queue_file.create", 1);
    setenv("SLUICE_FI_PROG", "cleanup", 1);
    CU_ASSERT_EQUAL(run_child("queue_file.create", 1), 0);
    setenv("SLUICE_FI_PROG", "test-util", 1);
    CU_ASSERT_EQUAL(run_child("queue_file.create", 1), -SIGKILL);
    setenv("SLUICE_FI_PROG", "", 1);
    CU_ASSERT_EQUAL(run_child("queue_file.create", 1), -SIGKILL);
    unsetenv("SLUICE_FI_PROG");
    unsetenv("SLUICE_FI_POINT");
}

static const struct testkit_case cases[] = {
    {"SIGKILL at the chosen hit of the chosen point", test_kill_table},
    {"SLUICE_FI_ONCE: only the first process dies", test_once},
    {"SLUICE_FI_TRACE records every hit", test_trace},
    {"SLUICE_FI_PROG: only the named program dies", test_prog},
    {NULL, NULL}};

TESTKIT_SUITE("fi_point", setup, teardown, cases);
