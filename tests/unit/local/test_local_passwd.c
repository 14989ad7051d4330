/*
 * test_local_passwd.c - the per-connection account cache: the same answer
 * as getpwnam(), one entry per name, earlier answers still valid after
 * later lookups (a .forward's owner while its targets are delivered), an
 * unknown name remembered as unknown, and a fresh lookup after the forget.
 */
#include <pwd.h>
#include <string.h>

#include "testkit.h"

#include "local.h"

static void test_same_as_getpwnam(void)
{
    const struct passwd *a = local_passwd_lookup("root");
    struct passwd *sys = getpwnam("root");

    CU_ASSERT_FATAL(a != 0 && sys != 0);
    CU_ASSERT_STRING_EQUAL(a->pw_name, sys->pw_name);
    CU_ASSERT_STRING_EQUAL(a->pw_dir, sys->pw_dir);
    CU_ASSERT_EQUAL(a->pw_uid, sys->pw_uid);
    CU_ASSERT_EQUAL(a->pw_gid, sys->pw_gid);
    CU_ASSERT_PTR_EQUAL(local_passwd_lookup("root"), a); /* cached */
    local_passwd_forget();
}

static void test_earlier_answers_stay(void)
{
    const struct passwd *root = local_passwd_lookup("root");
    const struct passwd *nobody = local_passwd_lookup("nobody");

    CU_ASSERT_FATAL(root != 0 && nobody != 0);
    CU_ASSERT_STRING_EQUAL(root->pw_name, "root"); /* not overwritten */
    CU_ASSERT_STRING_EQUAL(nobody->pw_name, "nobody");
    CU_ASSERT_EQUAL(root->pw_uid, 0);
    CU_ASSERT_PTR_EQUAL(local_passwd_lookup("root"), root);
    CU_ASSERT_PTR_EQUAL(local_passwd_lookup("nobody"), nobody);
    local_passwd_forget();
}

static void test_unknown_name(void)
{
    static const char name[] = "no-such-user-sluice-test";

    CU_ASSERT_PTR_NULL(local_passwd_lookup(name));
    CU_ASSERT_PTR_NULL(local_passwd_lookup(name));
    local_passwd_forget();
    CU_ASSERT_PTR_NULL(local_passwd_lookup(name));
    CU_ASSERT_PTR_NOT_NULL(local_passwd_lookup("root"));
    local_passwd_forget();
    local_passwd_forget(); /* twice: nothing left to free */
}

static const struct testkit_case cases[] = {
    {"an account as getpwnam gives it, cached", test_same_as_getpwnam},
    {"earlier answers survive later lookups", test_earlier_answers_stay},
    {"an unknown name, and the forget", test_unknown_name},
    {NULL, NULL},
};
TESTKIT_SUITE("local_passwd", NULL, NULL, cases);
