/*
 * runner.c - the main() of every CUnit test binary.
 *
 * Suites register themselves (testkit.h); this runs them all in verbose mode
 * and derives the exit status from the failure count, because CUnit's own
 * CU_get_error() reports only framework errors, not failed assertions.
 * A name given on the command line runs only the suites with that name.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "msg.h"
#include "testkit.h"

static struct testkit_suite *suites;

/* testkit_register - remember a suite; called from constructors */
void testkit_register(struct testkit_suite *suite)
{
    struct testkit_suite **tail = &suites;

    while (*tail)
        tail = &(*tail)->next;
    suite->next = 0;
    *tail = suite;
}

static jmp_buf exit_jump;
static int exit_armed;

/* jump_on_exit - msg's exit hook while testkit_expect_exit() runs */
static void jump_on_exit(int status)
{
    if (exit_armed)
        longjmp(exit_jump, status + 1);
    _exit(status);
}

/* testkit_expect_exit - run fn and catch an msg_fatal()/msg_panic() exit */
int testkit_expect_exit(void (*fn)(void *), void *arg)
{
    int jumped;

    msg_set_exit_hook(jump_on_exit);
    exit_armed = 1;
    jumped = setjmp(exit_jump);
    if (jumped == 0)
        fn(arg);
    exit_armed = 0;
    msg_set_exit_hook(0);
    return jumped == 0 ? -1 : jumped - 1;
}

/* testkit_tempdir - make a private temporary directory */
char *testkit_tempdir(void)
{
    char *path = strdup("/tmp/sluice-test-XXXXXX");

    if (path == 0 || mkdtemp(path) == 0) {
        perror("mkdtemp");
        exit(2);
    }
    return path;
}

/* testkit_rmtree - remove a tree made by a test */
void testkit_rmtree(const char *path)
{
    char cmd[4096];

    if (snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path) < (int)sizeof(cmd)
        && system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", path);
}

/* add_suite - hand one registered suite to CUnit */
static int add_suite(const struct testkit_suite *s)
{
    CU_pSuite cu = CU_add_suite(s->name, s->init, s->cleanup);
    const struct testkit_case *c;

    if (cu == 0)
        return -1;
    for (c = s->cases; c->name; c++)
        if (CU_add_test(cu, c->name, c->fn) == 0)
            return -1;
    return 0;
}

int main(int argc, char **argv)
{
    const struct testkit_suite *s;
    unsigned failures;

    msg_init("unit-test", MSG_TO_STDERR);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    for (s = suites; s; s = s->next)
        if ((argc < 2 || strcmp(argv[1], s->name) == 0) && add_suite(s) < 0)
            return 2;
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failures = CU_get_number_of_failures()
        + CU_get_number_of_suites_failed() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failures ? 1 : 0;
}
