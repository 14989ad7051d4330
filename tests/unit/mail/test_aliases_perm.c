/*
 * test_aliases_perm.c - who may run the commands and files that aliases,
 * :include: and .forward files name (the rules in aliases.h).
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

#define NOBODY 65534
#define USER_U 1000

struct perm_case {
    const char *what;
    enum alias_kind kind;
    enum alias_authority authority;
    uid_t auth_uid;
    int allow_commands, allow_files;
    uid_t default_uid;
    int rc;
    uid_t run_as;
    const char *error;
};

static const struct perm_case perm_cases[] = {
    {"aliases command", ALIAS_TARGET_COMMAND, ALIAS_AUTH_ADMIN, 0, 1, 1, NOBODY,
     0, NOBODY, 0},
    {"aliases file", ALIAS_TARGET_FILE, ALIAS_AUTH_ADMIN, 0, 1, 1, NOBODY, 0,
     NOBODY, 0},
    {"user command", ALIAS_TARGET_COMMAND, ALIAS_AUTH_USER, USER_U, 1, 1,
     NOBODY, 0, USER_U, 0},
    {"commands off", ALIAS_TARGET_COMMAND, ALIAS_AUTH_ADMIN, 0, 0, 1, NOBODY,
     -1, 0, "5.7.1 mail to commands is not allowed"},
    {"files off", ALIAS_TARGET_FILE, ALIAS_AUTH_USER, USER_U, 1, 0, NOBODY, -1,
     0, "5.7.1 mail to files is not allowed"},
    {"untrusted source", ALIAS_TARGET_COMMAND, ALIAS_AUTH_NONE, 0, 1, 1, NOBODY,
     -1, 0, "5.7.1 mail to commands refused: because"},
    {"default_privs root", ALIAS_TARGET_FILE, ALIAS_AUTH_ADMIN, 0, 1, 1, 0, -1,
     0, "would run as root"},
    {"address always", ALIAS_TARGET_ADDRESS, ALIAS_AUTH_NONE, 0, 0, 0, 0, 0, 0,
     0},
    {0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
};

/* test_permissions - perm_cases */
static void test_permissions(void)
{
    const struct perm_case *c;
    struct alias_target t;
    struct alias_policy p;
    struct vstring *why = vstring_alloc(64);
    uid_t run_as;
    int rc;

    for (c = perm_cases; c->what; c++) {
        memset(&t, 0, sizeof(t));
        t.kind = c->kind;
        t.text = "x";
        t.source.path = "/src";
        t.source.authority = c->authority;
        t.source.auth_uid = c->auth_uid;
        t.source.distrust = "because";
        p.allow_commands = c->allow_commands;
        p.allow_files = c->allow_files;
        p.default_uid = c->default_uid;
        run_as = 12345;
        vstring_reset(why);
        rc = aliases_check_delivery(&t, &p, &run_as, why);
        CU_ASSERT_EQUAL(rc, c->rc);
        if (c->rc == 0 && c->kind != ALIAS_TARGET_ADDRESS)
            CU_ASSERT_EQUAL(run_as, c->run_as);
        if (c->error)
            CU_ASSERT_PTR_NOT_NULL(strstr(vstring_str(why), c->error));
        if (rc != c->rc)
            fprintf(stderr, "%s: %s\n", c->what, vstring_str(why));
    }
    vstring_free(why);
}

/* put - a file with an owner and a mode */
static char *put(const char *dir, const char *name, const char *text,
                 uid_t owner, mode_t mode)
{
    char *path = malloc(strlen(dir) + strlen(name) + 2);
    FILE *fp;

    sprintf(path, "%s/%s", dir, name);
    fp = fopen(path, "w");
    fputs(text, fp);
    fclose(fp);
    if (getuid() == 0 && chown(path, owner, 0) != 0)
        perror("chown");
    chmod(path, mode);
    return path;
}

/* read_one - read a file and give the first target's source */
static int read_one(const char *path, enum alias_origin origin,
                    const struct alias_source *parent, uid_t expected,
                    struct alias_source *src, struct vstring *why)
{
    struct alias_list l;
    int rc;

    alias_list_init(&l);
    rc = aliases_read_file(path, origin, parent, expected,
                           &aliases_default_limits, &l, why);
    if (rc == 0) {
        *src = l.items[0].source;
        src->path = 0;
    }
    alias_list_free(&l);
    return rc;
}

/* test_file_authority - .forward and :include: files on disk */
static void test_file_authority(void)
{
    char *dir = testkit_tempdir();
    uid_t u = getuid() == 0 ? USER_U : getuid();
    struct vstring *why = vstring_alloc(64);
    struct alias_source src, admin, user_other, none;
    char *fwd, *fwd_w, *inc_u, *inc_root, *link;

    memset(&admin, 0, sizeof(admin));
    admin.authority = ALIAS_AUTH_ADMIN;
    user_other = admin;
    user_other.authority = ALIAS_AUTH_USER;
    user_other.auth_uid = u + 1;
    none = admin;
    none.authority = ALIAS_AUTH_NONE;
    fwd =
        put(dir, "forward", "\\alice, \"|/usr/bin/vacation alice\"\n", u, 0644);
    fwd_w = put(dir, "forward-w", "|cmd\n", u, 0666);
    inc_u = put(dir, "inc-u", "|cmd\n", u, 0600);
    inc_root = put(dir, "inc-root", "|cmd\n", getuid() == 0 ? 0 : u, 0644);

    CU_ASSERT_EQUAL(read_one(fwd, ALIAS_ORIGIN_FORWARD, 0, u, &src, why), 0);
    CU_ASSERT_EQUAL(src.authority, ALIAS_AUTH_USER);
    CU_ASSERT_EQUAL(src.auth_uid, u);
    CU_ASSERT_EQUAL(read_one(fwd, ALIAS_ORIGIN_FORWARD, 0, u + 1, &src, why),
                    0);
    CU_ASSERT_EQUAL(src.authority, ALIAS_AUTH_NONE);
    CU_ASSERT_STRING_EQUAL(src.distrust, ".forward file not owned by its user");
    CU_ASSERT_EQUAL(read_one(fwd_w, ALIAS_ORIGIN_FORWARD, 0, u, &src, why), 0);
    CU_ASSERT_EQUAL(src.authority, ALIAS_AUTH_NONE);
    CU_ASSERT_PTR_NOT_NULL(strstr(src.distrust, "world writable"));
    /* :include: from the aliases file: its owner's authority */
    CU_ASSERT_EQUAL(read_one(inc_u, ALIAS_ORIGIN_INCLUDE, &admin, 0, &src, why),
                    0);
    CU_ASSERT_EQUAL(src.authority, ALIAS_AUTH_USER);
    CU_ASSERT_EQUAL(src.auth_uid, u);
    if (getuid() == 0) {
        CU_ASSERT_EQUAL(
            read_one(inc_root, ALIAS_ORIGIN_INCLUDE, &admin, 0, &src, why), 0);
        CU_ASSERT_EQUAL(src.authority, ALIAS_AUTH_ADMIN);
    }
    /* :include: reached from another user's chain, or from an untrusted one */
    CU_ASSERT_EQUAL(
        read_one(inc_u, ALIAS_ORIGIN_INCLUDE, &user_other, 0, &src, why), 0);
    CU_ASSERT_EQUAL(src.authority, ALIAS_AUTH_NONE);
    CU_ASSERT_PTR_NOT_NULL(strstr(src.distrust, "not owned by the user"));
    CU_ASSERT_EQUAL(read_one(inc_u, ALIAS_ORIGIN_INCLUDE, &none, 0, &src, why),
                    0);
    CU_ASSERT_EQUAL(src.authority, ALIAS_AUTH_NONE);
    /* a symbolic link is not followed; a size limit holds */
    link = malloc(strlen(dir) + 8);
    sprintf(link, "%s/link", dir);
    CU_ASSERT_EQUAL(symlink(inc_u, link), 0);
    CU_ASSERT_EQUAL(read_one(link, ALIAS_ORIGIN_INCLUDE, &admin, 0, &src, why),
                    -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(vstring_str(why), "open:"));
    {
        struct aliases_limits small = aliases_default_limits;
        struct alias_list l;

        small.include_size_max = 5;
        alias_list_init(&l);
        CU_ASSERT_EQUAL(
            aliases_read_file(fwd, ALIAS_ORIGIN_FORWARD, 0, u, &small, &l, why),
            -1);
        CU_ASSERT_PTR_NOT_NULL(strstr(vstring_str(why), "larger than 5"));
        alias_list_free(&l);
    }
    free(fwd);
    free(fwd_w);
    free(inc_u);
    free(inc_root);
    free(link);
    testkit_rmtree(dir);
    free(dir);
    vstring_free(why);
}

/* test_forward_expansion - a .forward's list through the aliases */
static void test_forward_expansion(void)
{
    static const char text[] = "team: carol, dave@example.org\n";
    struct dict *d = dict_create(DICT_SYNTAX_COLON, DICT_FLAG_FOLD_KEYS, 0);
    struct alias_source fwd;
    struct alias_list in, out;
    struct vstring *why = vstring_alloc(64);
    static const char list[] = "\\alice, team, |/usr/bin/vacation alice";

    CU_ASSERT_EQUAL(dict_load_buffer(d, "aliases", text, sizeof(text) - 1, why),
                    0);
    memset(&fwd, 0, sizeof(fwd));
    fwd.origin = ALIAS_ORIGIN_FORWARD;
    fwd.path = "/home/alice/.forward";
    fwd.authority = ALIAS_AUTH_USER;
    fwd.auth_uid = USER_U;
    alias_list_init(&in);
    alias_list_init(&out);
    CU_ASSERT_EQUAL(
        aliases_parse_targets(list, sizeof(list) - 1, &fwd, &in, 10, why), 0);
    CU_ASSERT_EQUAL(aliases_expand_list(d, &in, 0, &out, why), 0);
    CU_ASSERT_EQUAL_FATAL(out.count, 4);
    CU_ASSERT_STRING_EQUAL(out.items[0].text, "alice");
    CU_ASSERT(out.items[0].literal);
    CU_ASSERT_STRING_EQUAL(out.items[1].text, "carol");
    CU_ASSERT_STRING_EQUAL(out.items[2].text, "dave@example.org");
    CU_ASSERT_EQUAL(out.items[3].kind, ALIAS_TARGET_COMMAND);
    /* the command keeps the .forward as its source: it runs as alice */
    CU_ASSERT_STRING_EQUAL(out.items[3].source.path, "/home/alice/.forward");
    CU_ASSERT_EQUAL(out.items[3].source.auth_uid, USER_U);
    alias_list_free(&in);
    alias_list_free(&out);
    dict_free(d);
    vstring_free(why);
}

static const struct testkit_case cases[] = {
    {"permission rules by source authority", test_permissions},
    {"authority of .forward and :include: files on disk", test_file_authority},
    {".forward list expanded through the aliases", test_forward_expansion},
    {0, 0},
};

TESTKIT_SUITE("aliases_perm", 0, 0, cases);
