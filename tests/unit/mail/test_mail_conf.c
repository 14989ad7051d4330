/*
 * test_mail_conf.c - main.cf as a specification: comments, continuation
 * lines, $references, loops refused, unknown names warned, precedence of
 * -o over main.cf over the defaults, and provenance.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testkit.h"
#include "mail_conf.h"
#include "mail_params.h"
#include "vstring.h"

/* One load: text in, then one parameter's expected value and origin. */
struct load_case {
    const char *text;
    int warnings;        /* -1: the load must fail */
    const char *name;    /* parameter to look at (or NULL) */
    const char *value;   /* expected value, or expected error substring */
    const char *origin;
};

static const struct load_case load_cases[] = {
    /* plain entries, white space around name and value */
    {"myhostname = mx.example.org\n", 0, "myhostname", "mx.example.org",
     "main.cf:1"},
    {"  # indented comment\n\nmyhostname=a.b\n", 0, "myhostname", "a.b",
     "main.cf:3"},
    {"myhostname\t=\t a.b \t\r\n", 0, "myhostname", "a.b", "main.cf:1"},
    {"myhostname = a.b", 0, "myhostname", "a.b", "main.cf:1"},
    /* '#' after a value is part of it */
    {"mynetworks = 10.0.0.0/8 # not a comment\n", 0, "mynetworks",
     "10.0.0.0/8 # not a comment", "main.cf:1"},
    /* continuation lines, with a comment between them */
    {"mydestination = a,\n  b,\n# c,\n\tc\nmyorigin = x\n", 0,
     "mydestination", "a, b, c", "main.cf:1"},
    {"mydestination = a,\n  b,\nmyorigin = x\n", 0, "myorigin", "x",
     "main.cf:3"},
    /* empty value */
    {"maillog_file =\n", 0, "maillog_file", "", "main.cf:1"},
    /* $name, ${name}, $$, recursion through defaults */
    {"mydomain = example.org\nmyhostname = mx.$mydomain\n", 0, "myorigin",
     "mx.example.org", "default"},
    {"mydomain = example.org\nmyorigin = ${mydomain}x\n", 0, "myorigin",
     "example.orgx", "main.cf:2"},
    {"myorigin = a$$b\n", 0, "myorigin", "a$b", "main.cf:1"},
    {"myhostname = h\nmydomain = d\n", 0, "mydestination",
     "h, localhost.d, localhost", "default"},
    /* a later entry replaces an earlier one, with a warning */
    {"myorigin = a\nmyorigin = b\n", 1, "myorigin", "b", "main.cf:2"},
    /* unknown names: warned, kept, referable */
    {"my_own = v\nmyorigin = $my_own\n", 1, "myorigin", "v", "main.cf:2"},
    {"my_own = v\n", 1, "my_own", "v", "main.cf:1"},
    /* failures */
    {"myorigin = $myorigin\n", -1, 0, "$reference loop: myorigin -> myorigin",
     0},
    {"myhostname = $myorigin\nmyorigin = $myhostname\n", -1, 0,
     "$reference loop: myhostname -> myorigin -> myhostname", 0},
    {"a = $b\nb = ${c}\nc = $a\nmyorigin = $a\n", -1, 0,
     "main.cf:4: parameter myorigin: $reference loop: a -> b -> c -> a", 0},
    {"myorigin = $nosuch\n", -1, 0, "unknown parameter $nosuch", 0},
    {"myorigin = ${mydomain\n", -1, 0, "malformed $reference", 0},
    {"myorigin = 5$\n", -1, 0, "malformed $reference", 0},
    {"myorigin = ${}\n", -1, 0, "malformed $reference", 0},
    {"no equals sign\n", -1, 0, "main.cf:1: missing '='", 0},
    {"\n  starts = with space\n", -1, 0,
     "main.cf:2: continuation line without an entry", 0},
    {"my-name = x\n", -1, 0, "main.cf:1: bad parameter name", 0},
    {" = x\n", -1, 0, "continuation line", 0},
    {"= x\n", -1, 0, "main.cf:1: bad parameter name", 0},
};

/* test_load_table - every row of load_cases */
static void test_load_table(void)
{
    struct vstring *why = vstring_alloc(100);
    struct vstring *origin = vstring_alloc(100);
    size_t i;

    for (i = 0; i < sizeof(load_cases) / sizeof(load_cases[0]); i++) {
        const struct load_case *c = load_cases + i;
        int got;

        mail_conf_reset();
        vstring_reset(why);
        got = mail_conf_load_text(c->text, "main.cf", why);
        if (got != c->warnings)
            fprintf(stderr, "case %zu: got %d (%s)\n", i, got,
                    vstring_str(why));
        CU_ASSERT_EQUAL(got, c->warnings);
        if (c->warnings < 0) {
            CU_ASSERT_PTR_NOT_NULL(strstr(vstring_str(why), c->value));
            continue;
        }
        CU_ASSERT_STRING_EQUAL(mail_conf_str(c->name), c->value);
        mail_conf_origin(c->name, origin);
        CU_ASSERT_STRING_EQUAL(vstring_str(origin), c->origin);
    }
    mail_conf_reset();
    vstring_free(why);
    vstring_free(origin);
}

/* test_failed_load_keeps_previous - a broken reload changes nothing */
static void test_failed_load_keeps_previous(void)
{
    struct vstring *why = vstring_alloc(100);

    mail_conf_reset();
    CU_ASSERT_EQUAL(mail_conf_load_text("myorigin = kept\n", "m", why), 0);
    CU_ASSERT_EQUAL(mail_conf_load_text("myorigin = $x\nx = $myorigin\n",
                                        "m", why), -1);
    CU_ASSERT_STRING_EQUAL(mail_conf_str("myorigin"), "kept");
    mail_conf_reset();
    vstring_free(why);
}

/* test_overrides - -o beats main.cf, and references see the override */
static void test_overrides(void)
{
    struct vstring *why = vstring_alloc(100);
    struct vstring *origin = vstring_alloc(100);

    mail_conf_reset();
    CU_ASSERT_EQUAL(mail_conf_override("mydomain=over.example", why), 0);
    CU_ASSERT_EQUAL(mail_conf_override("mystery=1", why), 0);
    CU_ASSERT_EQUAL(mail_conf_override("novalue", why), -1);
    CU_ASSERT_EQUAL(mail_conf_override("=x", why), -1);
    CU_ASSERT_EQUAL(mail_conf_override("bad name=x", why), -1);
    CU_ASSERT_EQUAL(mail_conf_load_text("mydomain = file.example\n"
                                        "myorigin = $mydomain\n", "m", why),
                    1);
    CU_ASSERT_STRING_EQUAL(mail_conf_str("mydomain"), "over.example");
    CU_ASSERT_STRING_EQUAL(mail_conf_str("myorigin"), "over.example");
    CU_ASSERT_EQUAL(mail_conf_origin("mydomain", origin),
                    MAIL_CONF_FROM_OVERRIDE);
    CU_ASSERT_STRING_EQUAL(vstring_str(origin), "-o");
    CU_ASSERT_EQUAL(mail_conf_origin("nosuch", origin), -1);
    mail_conf_reset();
    CU_ASSERT_STRING_EQUAL(mail_conf_str("max_use"), "1000");
    vstring_free(why);
    vstring_free(origin);
}

/* test_typed_lookups - numbers, times and booleans */
static void test_typed_lookups(void)
{
    struct vstring *why = vstring_alloc(100);

    mail_conf_reset();
    CU_ASSERT_EQUAL(mail_conf_load_text("max_use = 7\nmax_idle = 2m\n"
                                        "master_stop_timeout = 1w\n"
                                        "service_throttle_time = 5\n"
                                        "my_flag = Yes\nmy_other = off\n",
                                        "m", why), 2);
    CU_ASSERT_EQUAL(mail_conf_int("max_use"), 7);
    CU_ASSERT_EQUAL(mail_conf_time("max_idle"), 120);
    CU_ASSERT_EQUAL(mail_conf_time("master_stop_timeout"), 604800);
    CU_ASSERT_EQUAL(mail_conf_time("service_throttle_time"), 5);
    CU_ASSERT_EQUAL(mail_conf_bool("my_flag"), 1);
    CU_ASSERT_EQUAL(mail_conf_bool("my_other"), 0);
    mail_conf_reset();
    vstring_free(why);
}

static void lookup_int(void *name)
{
    (void)mail_conf_int(name);
}

static void lookup_time(void *name)
{
    (void)mail_conf_time(name);
}

static void lookup_bool(void *name)
{
    (void)mail_conf_bool(name);
}

/* test_bad_values_fatal - malformed values end the program */
static void test_bad_values_fatal(void)
{
    struct vstring *why = vstring_alloc(100);

    mail_conf_reset();
    mail_conf_load_text("max_use = 7x\nmax_idle = 5y\nmessage_size_limit =\n"
                        "queue_minfree = 99999999999999999999999\n"
                        "master_stop_timeout = -1s\nmyorigin = maybe\n",
                        "m", why);
    CU_ASSERT_EQUAL(testkit_expect_exit(lookup_int, "max_use"), 1);
    CU_ASSERT_EQUAL(testkit_expect_exit(lookup_int, "message_size_limit"), 1);
    CU_ASSERT_EQUAL(testkit_expect_exit(lookup_int, "queue_minfree"), 1);
    CU_ASSERT_EQUAL(testkit_expect_exit(lookup_time, "max_idle"), 1);
    CU_ASSERT_EQUAL(testkit_expect_exit(lookup_time, "master_stop_timeout"),
                    1);
    CU_ASSERT_EQUAL(testkit_expect_exit(lookup_bool, "myorigin"), 1);
    /* a name no table row holds is a bug */
    CU_ASSERT_EQUAL(testkit_expect_exit(lookup_int, "not_a_parameter"), 2);
    mail_conf_reset();
    vstring_free(why);
}

/* test_defaults_all_expand - every row's default loads and is described */
static void test_defaults_all_expand(void)
{
    const struct mail_param *p;
    struct vstring *origin = vstring_alloc(100);

    mail_conf_reset();
    for (p = mail_param_table; p->name; p++) {
        CU_ASSERT_PTR_NOT_NULL(mail_conf_lookup(p->name));
        CU_ASSERT(p->desc && *p->desc);
        CU_ASSERT_EQUAL(mail_conf_origin(p->name, origin),
                        MAIL_CONF_FROM_DEFAULT);
    }
    CU_ASSERT(strchr(mail_conf_str("myhostname"), '.') != 0);
    CU_ASSERT_PTR_NULL(mail_param_find("no_such_thing"));
    vstring_free(origin);
}

/* test_read_file - a real directory, config_directory and errors */
static void test_read_file(void)
{
    char *dir = testkit_tempdir();
    struct vstring *why = vstring_alloc(100);
    struct vstring *path = vstring_alloc(100);
    struct vstring *origin = vstring_alloc(100);
    FILE *fp;

    mail_conf_reset();
    CU_ASSERT_EQUAL(mail_conf_read(dir, why), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(vstring_str(why), "cannot open"));
    vstring_sprintf(path, "%s/main.cf", dir);
    fp = fopen(vstring_str(path), "w");
    fputs("queue_directory = $config_directory/q\n", fp);
    fclose(fp);
    CU_ASSERT_EQUAL(mail_conf_read(dir, why), 0);
    CU_ASSERT_STRING_EQUAL(mail_conf_str("config_directory"), dir);
    CU_ASSERT_EQUAL(strncmp(mail_conf_str("queue_directory"), dir,
                            strlen(dir)), 0);
    mail_conf_origin("config_directory", origin);
    CU_ASSERT_STRING_EQUAL(vstring_str(origin), "-c");
    fp = fopen(vstring_str(path), "w");
    fputs("myorigin = $x\n", fp);
    fclose(fp);
    CU_ASSERT_EQUAL(mail_conf_read(dir, why), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(vstring_str(why), "main.cf:1: parameter "
                                                    "myorigin: unknown"));
    mail_conf_reset();
    testkit_rmtree(dir);
    free(dir);
    vstring_free(why);
    vstring_free(path);
    vstring_free(origin);
}

/* test_find_dir - -c, then the environment, then the default */
static void test_find_dir(void)
{
    unsetenv("SLUICE_CONFIG_DIR");
    CU_ASSERT_STRING_EQUAL(mail_conf_find_dir(0), "/etc/sluice");
    setenv("SLUICE_CONFIG_DIR", "/env/dir", 1);
    CU_ASSERT_STRING_EQUAL(mail_conf_find_dir(0), "/env/dir");
    CU_ASSERT_STRING_EQUAL(mail_conf_find_dir("/opt/dir"), "/opt/dir");
    setenv("SLUICE_CONFIG_DIR", "", 1);
    CU_ASSERT_STRING_EQUAL(mail_conf_find_dir(0), "/etc/sluice");
    unsetenv("SLUICE_CONFIG_DIR");
}

static const struct testkit_case cases[] = {
    {"load table: syntax, references, errors", test_load_table},
    {"a failed load keeps the previous configuration",
     test_failed_load_keeps_previous},
    {"-o overrides main.cf", test_overrides},
    {"typed lookups", test_typed_lookups},
    {"malformed values are fatal", test_bad_values_fatal},
    {"every default expands", test_defaults_all_expand},
    {"reading DIR/main.cf", test_read_file},
    {"finding the configuration directory", test_find_dir},
    {NULL, NULL}};
TESTKIT_SUITE("mail_conf", NULL, NULL, cases);
