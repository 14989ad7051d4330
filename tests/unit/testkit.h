/*
 * testkit.h - how a CUnit suite registers itself with the shared runner.
 *
 * Each tests/unit/<dir>/test_<module>.c ends with
 *
 *     static const struct testkit_case cases[] = {
 *         {"appends bytes", test_append},
 *         {NULL, NULL}
 *     };
 *     TESTKIT_SUITE("vstring", NULL, NULL, cases);
 *
 * The macro registers the suite before main() runs, so adding a suite never
 * means editing a list elsewhere. runner.c runs every registered suite, prints
 * CUnit's run summary and exits non-zero when any assertion failed.
 *
 * Fatal paths: testkit_expect_exit() runs a function with msg's exit hook
 * routed to a longjmp, and returns the exit status it tried to use (or -1 when
 * the function returned normally).
 */
#ifndef TESTKIT_H
#define TESTKIT_H

#include <CUnit/CUnit.h>

struct testkit_case {
    const char *name;
    void (*fn)(void);
};

struct testkit_suite {
    const char *name;
    int (*init)(void);
    int (*cleanup)(void);
    const struct testkit_case *cases;
    struct testkit_suite *next;
};

void testkit_register(struct testkit_suite *suite);

#define TESTKIT_SUITE(name, init, cleanup, cases)                              \
    static struct testkit_suite testkit_suite_ = {name, init, cleanup, cases,  \
                                                  0};                          \
    __attribute__((constructor)) static void testkit_register_(void)           \
    {                                                                          \
        testkit_register(&testkit_suite_);                                     \
    }

/* Runs fn(arg); returns the status given to msg's exit hook, or -1. */
int testkit_expect_exit(void (*fn)(void *), void *arg);

/* A fresh temporary directory for one test; removed by testkit_rmtree(). */
char *testkit_tempdir(void);
void testkit_rmtree(const char *path);

#endif
