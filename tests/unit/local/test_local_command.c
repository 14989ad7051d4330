/*
 * test_local_command.c - |command delivery: exit status mapping (sysexits,
 * signals, time limit), output quoted and bounded, the message on stdin,
 * the sanitised environment.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include "testkit.h"

#include "vstring.h"

#include "local_fixture.h"

/* A real wait status from a child that exits or dies as asked. */
static int status_of(int code, int sig)
{
    pid_t pid = fork();
    int status = 0;

    if (pid == 0) {
        if (sig)
            raise(sig);
        _exit(code);
    }
    waitpid(pid, &status, 0);
    return status;
}

static void test_status_mapping(void)
{
    static const struct {
        int code, sig, timed_out;
        int cls;
        const char *prefix;
    } rows[] = {
        {0, 0, 0, 2, "2.0.0"},
        {EX_TEMPFAIL, 0, 0, 4, "4.3.0"},
        {1, 0, 0, 5, "5.3.0"},
        {EX_NOUSER, 0, 0, 5, "5.3.0"},
        {EX_SOFTWARE, 0, 0, 5, "5.3.0"},
        {0, SIGKILL, 0, 4, "4.3.0"},
        {0, SIGTERM, 0, 4, "4.3.0"},
        {0, 0, 1, 4, "4.3.0 command time limit"},
        {-1, 0, 0, 0, 0},
    };
    struct vstring *why = vstring_alloc(100);
    int i;

    for (i = 0; rows[i].code >= 0; i++) {
        CU_ASSERT_EQUAL(local_command_status(status_of(rows[i].code,
                                                       rows[i].sig),
                                             rows[i].timed_out, "", 0, why),
                        rows[i].cls);
        CU_ASSERT(strncmp(vstring_str(why), rows[i].prefix,
                          strlen(rows[i].prefix)) == 0);
    }
    vstring_free(why);
}

static void test_output_quoted(void)
{
    struct vstring *why = vstring_alloc(100);
    char big[2000];

    CU_ASSERT_EQUAL(local_command_status(status_of(1, 0), 0,
                                         "no such\nuser\r\n", 15, why), 5);
    CU_ASSERT_STRING_EQUAL(vstring_str(why),
                           "5.3.0 command failed (exit status 1): no such user");
    memset(big, 'a', sizeof(big));
    local_command_status(status_of(1, 0), 0, big, sizeof(big), why);
    CU_ASSERT(vstring_len(why) < 600);
    vstring_free(why);
}

static void run(const char *cmd, long limit, struct vstring *why, int *cls,
                char **out)
{
    struct fixture f;
    struct vstring *path = vstring_alloc(100), *full = vstring_alloc(100);
    struct local_cmd_env env = {"u@example.org", "u", "example.org", "/tmp",
                                "u", "/bin/sh"};

    fixture_open(&f, "s@x", "Subject: t\n\nbody\n", 0);
    vstring_sprintf(path, "%s/out", f.dir);
    vstring_sprintf(full, cmd, vstring_str(path));
    *cls = local_command_run(&f.msg, vstring_str(full), &env, geteuid(),
                             getegid(), limit, why);
    *out = fixture_slurp(vstring_str(path), 0);
    if (*out == 0)
        *out = strdup(vstring_str(why));
    fixture_close(&f);
    vstring_free(path);
    vstring_free(full);
}

static void test_run(void)
{
    struct vstring *why = vstring_alloc(100);
    char *out;
    int cls;

    run("cat > %s", 10, why, &cls, &out);
    CU_ASSERT_EQUAL(cls, 2);
    CU_ASSERT_STRING_EQUAL(out, "Return-Path: <s@x>\nDelivered-To: "
                                "u@example.org\nSubject: t\n\nbody\n");
    free(out);
    run("env | sort > %s", 10, why, &cls, &out);
    CU_ASSERT_EQUAL(cls, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "SENDER=s@x\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "RECIPIENT=u@example.org\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "LOCAL=u\nPATH=/usr/bin:/bin\n"));
    CU_ASSERT_PTR_NULL(strstr(out, "LD_"));
    free(out);
    run("echo nope >&2; exit 75 # %s", 10, why, &cls, &out);
    CU_ASSERT_EQUAL(cls, 4);
    CU_ASSERT_STRING_EQUAL(vstring_str(why),
                           "4.3.0 command deferred (exit status 75): nope");
    free(out);
    run("exit 3 # %s", 10, why, &cls, &out);
    CU_ASSERT_EQUAL(cls, 5);
    free(out);
    run("true # %s", 10, why, &cls, &out); /* never reads stdin: fine */
    CU_ASSERT_EQUAL(cls, 2);
    free(out);
    run("sleep 30 # %s", 1, why, &cls, &out);
    CU_ASSERT_EQUAL(cls, 4);
    CU_ASSERT_PTR_NOT_NULL(strstr(vstring_str(why), "time limit"));
    free(out);
    vstring_free(why);
}

static const struct testkit_case cases[] = {
    {"exit status mapping", test_status_mapping},
    {"output quoted and bounded", test_output_quoted},
    {"commands run with message and environment", test_run},
    {NULL, NULL},
};
TESTKIT_SUITE("local_command", NULL, NULL, cases);
