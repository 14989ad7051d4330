/*
 * test_my_pid.c - the cached process id: the kernel's, in the parent and
 * again in a child of fork() that inherited the parent's cache.
 */
#include <sys/wait.h>
#include <unistd.h>

#include "my_pid.h"
#include "testkit.h"

static void test_parent_and_child(void)
{
    pid_t child;
    int status = -1;

    CU_ASSERT_EQUAL(my_pid(), getpid());
    CU_ASSERT_EQUAL(my_pid(), getpid()); /* from the cache now */
    if ((child = fork()) == 0)
        _exit(my_pid() == getpid() && my_pid() != getppid() ? 0 : 1);
    CU_ASSERT_FATAL(child > 0);
    CU_ASSERT_EQUAL(waitpid(child, &status, 0), child);
    CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CU_ASSERT_EQUAL(my_pid(), getpid());
}

static const struct testkit_case cases[] = {
    {"my_pid: parent, then a forked child", test_parent_and_child},
    {NULL, NULL}};

TESTKIT_SUITE("my_pid", NULL, NULL, cases);
