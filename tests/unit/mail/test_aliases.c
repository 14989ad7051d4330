/*
 * test_aliases.c - aliases(5): target syntax, expansion with loops and
 * limits, :include: and .forward files, and the permission rules.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aliases.h"
#include "dict.h"
#include "testkit.h"
#include "vstring.h"

/* ---- target syntax ---------------------------------------------------- */

struct parse_case {
    const char *value;
    const char *expect; /* "kind:text" joined by " ; ", or NULL on error */
    const char *error;
};

static const struct parse_case parse_cases[] = {
    {"alice", "A:alice", 0},
    {"alice, bob@example.org ,carol", "A:alice ; A:bob@example.org ; A:carol",
     0},
    {"\\alice, |/usr/bin/vacation alice", "L:alice ; C:/usr/bin/vacation alice",
     0},
    {"\"|/usr/bin/procmail -a x,y\"", "C:/usr/bin/procmail -a x,y", 0},
    {"\"| \\\"quoted\\\" arg\"", "C:\"quoted\" arg", 0},
    {"/var/mail/archive, \"/tmp/with space\"",
     "F:/var/mail/archive ; F:/tmp/with space", 0},
    {":include:/etc/mail/staff", "I:/etc/mail/staff", 0},
    {":INCLUDE: /etc/x, \":include:/etc/y\"", "I:/etc/x ; I:/etc/y", 0},
    {"\"john smith\"@example.org", "A:\"john smith\"@example.org", 0},
    {"\"john smith\"", "A:\"john smith\"", 0},
    {"a,,b,", "A:a ; A:b", 0},
    {"\"unbalanced, x", 0, "unbalanced quote"},
    {"|", 0, "empty command"},
    {"\"|  \"", 0, "empty command"},
    {":include:relative/path", 0, ":include: needs an absolute path"},
    {"two words", 0, "bad address"},
    {"a\tb", 0, "bad address"},
    {" , ,", 0, "no targets"},
    {0, 0, 0},
};

/* describe - "kind:text" of a list */
static void describe(struct vstring *out, const struct alias_list *l)
{
    static const char kinds[] = "AICF";
    size_t i;

    vstring_reset(out);
    for (i = 0; i < l->count; i++)
        vstring_sprintf_append(out, "%s%c:%s", i ? " ; " : "",
                               l->items[i].literal ? 'L'
                                                   : kinds[l->items[i].kind],
                               l->items[i].text);
}

/* test_parse_targets - parse_cases */
static void test_parse_targets(void)
{
    const struct parse_case *c;
    struct alias_source src;
    struct alias_list list;
    struct vstring *why = vstring_alloc(64), *got = vstring_alloc(64);
    int rc;

    memset(&src, 0, sizeof(src));
    src.path = "/etc/aliases";
    for (c = parse_cases; c->value; c++) {
        alias_list_init(&list);
        rc = aliases_parse_targets(c->value, strlen(c->value), &src, &list, 100,
                                   why);
        describe(got, &list);
        if (c->expect) {
            CU_ASSERT(rc == 0 && strcmp(vstring_str(got), c->expect) == 0);
            if (rc != 0 || strcmp(vstring_str(got), c->expect))
                fprintf(stderr, "%s: got %s / %s\n", c->value, vstring_str(got),
                        vstring_str(why));
        } else {
            CU_ASSERT(rc == -1 && strstr(vstring_str(why), c->error));
        }
        CU_ASSERT(list.count == 0 ||
                  strcmp(list.items[0].source.path, "/etc/aliases") == 0);
        alias_list_free(&list);
    }
    alias_list_init(&list);
    CU_ASSERT_EQUAL(aliases_parse_targets("a,b,c", 5, &src, &list, 2, why), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(vstring_str(why), "more than 2 targets"));
    alias_list_free(&list);
    vstring_free(why);
    vstring_free(got);
}

/* ---- expansion -------------------------------------------------------- */

static char *tmpdir;

/* put - write a file under tmpdir with a mode; returns its path */
static char *put(const char *name, const char *text, mode_t mode)
{
    char *path = malloc(strlen(tmpdir) + strlen(name) + 2);
    FILE *fp;

    sprintf(path, "%s/%s", tmpdir, name);
    fp = fopen(path, "w");
    fputs(text, fp);
    fclose(fp);
    chmod(path, mode);
    return path;
}

/* root_aliases - a table that looks like a root-owned, 0644 aliases file */
static struct dict *root_aliases(const char *text)
{
    struct dict *d = dict_create(DICT_SYNTAX_COLON, DICT_FLAG_FOLD_KEYS, 0);
    struct vstring *why = vstring_alloc(32);

    CU_ASSERT_EQUAL(dict_load_buffer(d, "aliases", text, strlen(text), why), 0);
    d->path = strdup("/etc/aliases");
    d->owner = 0;
    d->mode = S_IFREG | 0644;
    vstring_free(why);
    return d;
}

struct expand_case {
    const char *name;
    const char *expect; /* describe() form, or NULL on error */
    const char *error;
    int rc;
};

static const char aliases_text[] =
    "postmaster: root\n"
    "root: admin@example.org\n"
    "alice: alice, |/usr/bin/vacation alice\n"
    "staff: alice, Bob, \\bob, bob\n"
    "bob: bob@remote.test\n"
    "loop1: loop2\n"
    "loop2: loop1\n"
    "diamond: left, right\n"
    "left: shared\n"
    "right: shared\n"
    "shared: s@example.org\n"
    "d1: d2\nd2: d3\nd3: d4\nd4: d5\nd5: end@example.org\n"
    "many: m1, m2\nm1: a1, a2, a3\nm2: a4, a5\n"
    "list: :include:INC/list.inc\n"
    "inc-loop: :include:INC/loop.inc\n"
    "inc-missing: :include:INC/missing.inc\n"
    "broken: \"unbalanced\n";

static const struct expand_case expand_cases[] = {
    {"postmaster", "A:admin@example.org", 0, 1},
    {"ALICE", "L:alice ; C:/usr/bin/vacation alice", 0, 1},
    {"staff", "L:alice ; C:/usr/bin/vacation alice ; A:bob@remote.test ; L:bob",
     0, 1},
    {"loop1", 0, "5.4.6 alias loop", -1},
    {"diamond", "A:s@example.org", 0, 1},
    {"d1", 0, "5.4.6 alias nesting deeper than 4", -1},
    {"d2", "A:end@example.org", 0, 1},
    {"many", 0, "5.3.0 alias expansion yields more than 4", -1},
    {"list", "A:inc1@example.org ; C:/bin/true ; A:admin@example.org", 0, 1},
    {"inc-loop", "A:x@example.org", 0, 1},
    {"inc-missing", 0, "4.3.0 :include: ", -1},
    {"broken", 0, "4.3.0 alias \"broken\": unbalanced quote", -1},
    {"nobody-here", "", 0, 0},
    {0, 0, 0, 0},
};

/* with_dir - the aliases text with INC replaced by tmpdir */
static char *with_dir(const char *text)
{
    struct vstring *v = vstring_alloc(1024);
    const char *p;
    char *s;

    while ((p = strstr(text, "INC")) != 0) {
        vstring_append(v, text, (size_t)(p - text));
        vstring_append_str(v, tmpdir);
        text = p + 3;
    }
    vstring_append_str(v, text);
    s = strdup(vstring_str(v));
    vstring_free(v);
    return s;
}

/* test_expand - expand_cases */
static void test_expand(void)
{
    const struct expand_case *c;
    struct aliases_limits lim = {4, 4, 4096, 1};
    struct vstring *why = vstring_alloc(64), *got = vstring_alloc(64);
    char *text, *inc, *loop;
    struct dict *d;
    struct alias_list out;
    int rc;

    tmpdir = testkit_tempdir();
    text = with_dir(aliases_text);
    inc = with_dir("# staff list\ninc1@example.org,\n  \"|/bin/true\"\n"
                   "root\n:include:INC/list.inc\n");
    free(put("list.inc", inc, 0644));
    loop = with_dir("x@example.org, :include:INC/loop.inc\n");
    free(put("loop.inc", loop, 0644));
    d = root_aliases(text);
    for (c = expand_cases; c->name; c++) {
        alias_list_init(&out);
        vstring_reset(why);
        rc = aliases_expand(d, c->name, &lim, &out, why);
        describe(got, &out);
        CU_ASSERT_EQUAL(rc, c->rc);
        if (c->expect) {
            CU_ASSERT_STRING_EQUAL(vstring_str(got), c->expect);
        } else {
            CU_ASSERT_PTR_NOT_NULL(strstr(vstring_str(why), c->error));
        }
        if (rc != c->rc || (c->error && !strstr(vstring_str(why), c->error)) ||
            (c->expect && strcmp(vstring_str(got), c->expect)))
            fprintf(stderr, "%s: rc %d got %s why %s\n", c->name, rc,
                    vstring_str(got), vstring_str(why));
        alias_list_free(&out);
    }
    lim.allow_include = 0;
    alias_list_init(&out);
    CU_ASSERT_EQUAL(aliases_expand(d, "list", &lim, &out, why), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(vstring_str(why), "5.7.1 :include: not"));
    alias_list_free(&out);
    dict_free(d);
    free(text);
    free(inc);
    free(loop);
    testkit_rmtree(tmpdir);
    free(tmpdir);
    vstring_free(why);
    vstring_free(got);
}

/* test_check_table - newaliases' check names the bad alias */
static void test_check_table(void)
{
    struct dict *good = root_aliases("a: b, |cmd\nc: /f\n");
    struct dict *bad = root_aliases("a: b\nc: :include:rel\n");
    struct vstring *why = vstring_alloc(64);

    CU_ASSERT_EQUAL(aliases_check(good, why), 0);
    CU_ASSERT_EQUAL(aliases_check(bad, why), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(vstring_str(why), "alias \"c\": :include:"));
    dict_free(good);
    dict_free(bad);
    vstring_free(why);
}

static const struct testkit_case cases[] = {
    {"target syntax", test_parse_targets},
    {"expansion: nesting, self, loops, limits, includes", test_expand},
    {"newaliases check", test_check_table},
    {0, 0},
};

TESTKIT_SUITE("aliases", 0, 0, cases);
