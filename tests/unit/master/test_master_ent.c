/*
 * test_master_ent.c - master.cf as a specification: columns and their
 * defaults, continuation lines, $parameter expansion, and every error with
 * its file and line.
 */
#include <stdlib.h>
#include <string.h>

#include "testkit.h"
#include "mail_conf.h"
#include "master_ent.h"
#include "vstring.h"

struct ent_case {
    const char *text;
    const char *error;  /* expected substring of the error, or NULL */
    int count;          /* entries expected on success */
};

static const struct ent_case ent_cases[] = {
    {"# only a comment\n\n", 0, 0},
    {"probe unix - - - - - probe\n", 0, 1},
    {"a unix y n y 10 5 prog x y\nb fifo n - - - 1 prog\n", 0, 2},
    {"a unix - - - - - prog\n  -o x=1\n\t-v\n", 0, 1},
    {"a unix - - - - - prog\n# comment between\n  -v\n", 0, 1},
    {"2525 inet n - - - - prog\n", 0, 1},
    {"a tcp - - - - - prog\n", "m.cf:1: type must be inet, unix or fifo", 0},
    {"\n\na unix maybe - - - - prog\n", "m.cf:3: private must be y, n or -",
     0},
    {"a unix - x - - - prog\n", "m.cf:1: unpriv must be y, n or -", 0},
    {"a unix - - 1 - - prog\n", "m.cf:1: chroot must be y, n or -", 0},
    {"a unix - - - soon - prog\n", "m.cf:1: wakeup must be a number", 0},
    {"a unix - - - - -1 prog\n", "m.cf:1: limit must be a number", 0},
    {"a unix - - - - 9999999 prog\n", "m.cf:1: limit must be a number", 0},
    {"a unix - - - - -\n", "m.cf:1: expected 8 or more columns", 0},
    {"  a unix - - - - - p\n", "m.cf:1: continuation line without an entry",
     0},
    {"a unix - - - - - p\na unix - - - - - q\n",
     "m.cf:2: service a/unix is already defined at line 1", 0},
    {"a unix - - - - - p\na fifo - - - - - q\n", 0, 2},
    {"x/y unix - - - - - p\n", "m.cf:1: service name \"x/y\" contains '/'",
     0},
    {"25 inet y - - - - p\n", "m.cf:1: an inet service cannot be private", 0},
    {"25 inet n - - 5 - p\n", "m.cf:1: an inet service cannot have a wakeup",
     0},
    {"$nosuch unix - - - - - p\n", "m.cf:1: unknown parameter $nosuch", 0},
    /* found by fuzz_master_ent: mail_owner's default is empty */
    {"tp unix - - - - - $mail_owner\n",
     "m.cf:1: empty command (after $parameter expansion)", 0},
    {"a unix - - - - - p ${bad\n", "m.cf:1: malformed $reference", 0},
};

/* test_table - every row of ent_cases */
static void test_table(void)
{
    struct vstring *why = vstring_alloc(100);
    struct master_table t;
    size_t i;

    mail_conf_reset();
    for (i = 0; i < sizeof(ent_cases) / sizeof(ent_cases[0]); i++) {
        const struct ent_case *c = ent_cases + i;
        int status = master_ent_parse(c->text, "m.cf", &t, why);

        if (c->error) {
            CU_ASSERT_EQUAL(status, -1);
            CU_ASSERT_PTR_NOT_NULL(strstr(vstring_str(why), c->error));
            CU_ASSERT_EQUAL(t.count, 0);
        } else {
            CU_ASSERT_EQUAL(status, 0);
            CU_ASSERT_EQUAL(t.count, c->count);
            master_table_free(&t);
        }
    }
    vstring_free(why);
}

/* test_columns_and_defaults - what each column means */
static void test_columns_and_defaults(void)
{
    struct vstring *why = vstring_alloc(100);
    struct master_table t;
    const struct master_ent *e;

    mail_conf_reset();
    CU_ASSERT_EQUAL(mail_conf_load_text("default_process_limit = 42\n"
                                        "smtpd_listen = 127.0.0.1:2525\n",
                                        "main.cf", why), 0);
    CU_ASSERT_EQUAL(master_ent_parse("a unix - - - - - prog -o\n"
                                     "  x=$default_process_limit\n"
                                     "$smtpd_listen inet n n y - 0 smtpd\n"
                                     "p fifo y - n 60 1 pickup\n",
                                     "m.cf", &t, why), 0);
    CU_ASSERT_EQUAL_FATAL(t.count, 3);
    e = t.ents;
    CU_ASSERT_STRING_EQUAL(e->name, "a");
    CU_ASSERT_EQUAL(e->type, MASTER_UNIX);
    CU_ASSERT(e->private_ && e->unpriv && !e->chroot);
    CU_ASSERT_EQUAL(e->wakeup, 0);
    CU_ASSERT_EQUAL(e->limit, 42);
    CU_ASSERT_STRING_EQUAL(e->argv[0], "prog");
    CU_ASSERT_STRING_EQUAL(e->argv[1], "-o");
    CU_ASSERT_STRING_EQUAL(e->argv[2], "x=42");
    CU_ASSERT_PTR_NULL(e->argv[3]);
    CU_ASSERT_EQUAL(e->line, 1);
    e = t.ents + 1;
    CU_ASSERT_STRING_EQUAL(e->name, "127.0.0.1:2525");
    CU_ASSERT_EQUAL(e->type, MASTER_INET);
    CU_ASSERT(!e->private_ && !e->unpriv && e->chroot);
    CU_ASSERT_EQUAL(e->limit, 0);
    CU_ASSERT_EQUAL(e->line, 3);
    e = t.ents + 2;
    CU_ASSERT_EQUAL(e->type, MASTER_FIFO);
    CU_ASSERT_EQUAL(e->wakeup, 60);
    CU_ASSERT_EQUAL(e->limit, 1);
    CU_ASSERT(master_ent_same(t.ents, t.ents));
    CU_ASSERT(!master_ent_same(t.ents, t.ents + 2));
    CU_ASSERT_STRING_EQUAL(master_type_name(MASTER_FIFO), "fifo");
    master_table_free(&t);
    mail_conf_reset();
    vstring_free(why);
}

/* test_same_compares_arguments - a changed argument is a change */
static void test_same_compares_arguments(void)
{
    struct vstring *why = vstring_alloc(100);
    struct master_table a, b;

    mail_conf_reset();
    CU_ASSERT_EQUAL(master_ent_parse("x unix - - - - - p -v\n", "m", &a, why),
                    0);
    CU_ASSERT_EQUAL(master_ent_parse("x unix - - - - - p\n", "m", &b, why), 0);
    CU_ASSERT(!master_ent_same(a.ents, b.ents));
    CU_ASSERT(!master_ent_same(b.ents, a.ents));
    master_table_free(&a);
    master_table_free(&b);
    vstring_free(why);
}

/* test_read_missing - a missing master.cf is an error that names it */
static void test_read_missing(void)
{
    struct vstring *why = vstring_alloc(100);
    struct master_table t;
    char *dir = testkit_tempdir();

    CU_ASSERT_EQUAL(master_ent_read(dir, &t, why), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(vstring_str(why), "master.cf"));
    testkit_rmtree(dir);
    free(dir);
    vstring_free(why);
}

static const struct testkit_case cases[] = {
    {"table of lines and errors", test_table},
    {"columns and defaults", test_columns_and_defaults},
    {"a changed argument is a change", test_same_compares_arguments},
    {"a missing master.cf", test_read_missing},
    {NULL, NULL}};
TESTKIT_SUITE("master_ent", NULL, NULL, cases);
