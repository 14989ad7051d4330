/*
 * test_mail_table.c - the key order of address- and domain-keyed tables.
 */
#include <string.h>

#include "dict.h"
#include "mail_table.h"
#include "testkit.h"
#include "vstring.h"

struct keys_case {
    const char *addr;
    int local;
    const char *delims;
    const char *keys[MAIL_TABLE_KEYS_MAX + 1]; /* NULL-terminated */
    const char *ext;
};

static const struct keys_case keys_cases[] = {
    {"user@example.org", 0, "+", {"user@example.org", "@example.org", 0}, 0},
    {"user@example.org",
     1,
     "+",
     {"user@example.org", "user", "@example.org", 0},
     0},
    {"user+box@example.org",
     1,
     "+",
     {"user+box@example.org", "user@example.org", "user+box", "user",
      "@example.org", 0},
     "box"},
    {"user+box@example.org",
     0,
     "+",
     {"user+box@example.org", "user@example.org", "@example.org", 0},
     "box"},
    {"user-a+b@h",
     1,
     "+-",
     {"user-a+b@h", "user@h", "user-a+b", "user", "@h", 0},
     "a+b"},
    {"+lead@h", 1, "+", {"+lead@h", "+lead", "@h", 0}, 0},
    {"user+box@example.org",
     1,
     0,
     {"user+box@example.org", "user+box", "@example.org", 0},
     0},
    {"postmaster", 0, "+", {"postmaster", 0}, 0},
    {"\"a@b\"@example.org",
     0,
     "",
     {"\"a@b\"@example.org", "@example.org", 0},
     0},
    {"user@", 1, "", {"user@", "user", 0}, 0},
    {"", 1, "+", {0}, 0},
    {0, 0, 0, {0}, 0},
};

/* test_key_order - keys_cases */
static void test_key_order(void)
{
    const struct keys_case *c;
    struct mail_table_keys k;
    size_t i, n;

    for (c = keys_cases; c->addr; c++) {
        mail_table_keys_build(&k, c->addr, c->local, c->delims);
        for (n = 0; c->keys[n]; n++)
            ;
        CU_ASSERT_EQUAL(k.count, n);
        for (i = 0; i < n && i < k.count; i++)
            CU_ASSERT_STRING_EQUAL(k.key[i], c->keys[i]);
        if (c->ext) {
            CU_ASSERT(k.extension && strcmp(k.extension, c->ext) == 0);
        } else {
            CU_ASSERT_PTR_NULL(k.extension);
        }
        mail_table_keys_free(&k);
    }
}

/* test_lookup_first_match - the most specific key wins */
static void test_lookup_first_match(void)
{
    static const char text[] = "User@Example.org exact\n"
                               "user specific-local\n"
                               "@example.org catchall\n"
                               "example.org relay:[mx]\n"
                               ".example.net sub:net\n";
    struct vstring *why = vstring_alloc(32);
    struct dict *d = dict_create(DICT_SYNTAX_SPACE, DICT_FLAG_FOLD_KEYS, 0);
    enum mail_table_key m;

    CU_ASSERT_EQUAL_FATAL(
        dict_load_buffer(d, "virtual", text, sizeof(text) - 1, why), 0);
    CU_ASSERT_STRING_EQUAL(
        mail_table_lookup_addr(d, "user+x@EXAMPLE.org", 1, "+", &m), "exact");
    CU_ASSERT_EQUAL(m, MAIL_TABLE_KEY_ADDRESS_NOEXT);
    CU_ASSERT_STRING_EQUAL(
        mail_table_lookup_addr(d, "user@other.test", 1, "+", &m),
        "specific-local");
    CU_ASSERT_EQUAL(m, MAIL_TABLE_KEY_LOCAL);
    CU_ASSERT_PTR_NULL(
        mail_table_lookup_addr(d, "user@other.test", 0, "+", &m));
    CU_ASSERT_EQUAL(m, MAIL_TABLE_KEY_NONE);
    CU_ASSERT_STRING_EQUAL(
        mail_table_lookup_addr(d, "bob@example.org", 0, "+", &m), "catchall");
    CU_ASSERT_EQUAL(m, MAIL_TABLE_KEY_DOMAIN);
    CU_ASSERT_STRING_EQUAL(mail_table_lookup_domain(d, "example.org", &m),
                           "relay:[mx]");
    CU_ASSERT_EQUAL(m, MAIL_TABLE_KEY_DOMAIN);
    CU_ASSERT_STRING_EQUAL(mail_table_lookup_domain(d, "a.b.example.net", &m),
                           "sub:net");
    CU_ASSERT_EQUAL(m, MAIL_TABLE_KEY_PARENT_DOMAIN);
    CU_ASSERT_PTR_NULL(mail_table_lookup_domain(d, "example.net", &m));
    CU_ASSERT_PTR_NULL(mail_table_lookup_domain(d, "sub.example.org", &m));
    CU_ASSERT_PTR_NULL(mail_table_lookup_addr(d, "", 1, "+", &m));
    dict_free(d);
    vstring_free(why);
}

static const struct testkit_case cases[] = {
    {"address key order", test_key_order},
    {"lookups take the first key that matches", test_lookup_first_match},
    {0, 0},
};

TESTKIT_SUITE("mail_table", 0, 0, cases);
