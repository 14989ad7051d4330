/*
 * test_local_maildir.c - Maildir delivery (the local commit point, one
 * file and a batch of them committed together) and the message copy: Return-Path and Delivered-To prepended, content exact at
 * every chunking, a missing final newline added, the loop check, and the
 * failure paths (unwritable directory, a Maildir path that is a file).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testkit.h"

#include "vstring.h"

#include "local_fixture.h"

static const char body[] = "Subject: hi\nFrom: a@b\n\nline 1\nFrom here\n";

static void check_maildir(size_t chunk)
{
    struct fixture f;
    struct vstring *why = vstring_alloc(100), *md = vstring_alloc(100);
    const char *file;
    char *got;

    fixture_open(&f, "alice@example.org", body, chunk);
    vstring_sprintf(md, "%s/home/u/Maildir", f.dir);
    CU_ASSERT_EQUAL(local_maildir_deliver(&f.msg, vstring_str(md),
                                          "u@example.org", why), LOCAL_PENDING);
    CU_ASSERT(strncmp(vstring_str(why), "2.0.0 delivered to maildir ", 27) == 0);
    vstring_sprintf_append(md, "/new");
    CU_ASSERT_PTR_NULL(fixture_only_file(vstring_str(md))); /* not yet */
    local_maildir_commit();
    file = fixture_only_file(vstring_str(md));
    CU_ASSERT_PTR_NOT_NULL_FATAL(file);
    CU_ASSERT_PTR_NOT_NULL(strstr(vstring_str(why), file));
    got = fixture_slurp(file, 0);
    CU_ASSERT_STRING_EQUAL(got, "Return-Path: <alice@example.org>\n"
                                "Delivered-To: u@example.org\n"
                                "Subject: hi\nFrom: a@b\n\nline 1\nFrom here\n");
    free(got);
    vstring_truncate(md, vstring_len(md) - 4);
    vstring_sprintf_append(md, "/tmp");
    CU_ASSERT_PTR_NULL(fixture_only_file(vstring_str(md))); /* tmp/ empty */
    fixture_close(&f);
    vstring_free(why);
    vstring_free(md);
}

static void test_maildir_chunks(void)
{
    static const size_t chunks[] = {0, 1, 2, 5, 7};
    size_t i;

    for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++)
        check_maildir(chunks[i]);
}

static void test_no_final_newline(void)
{
    struct fixture f;
    struct vstring *why = vstring_alloc(100), *md = vstring_alloc(100);
    char *got;

    fixture_open(&f, "", "Subject: x\n\nno newline", 0);
    vstring_sprintf(md, "%s/m", f.dir);
    CU_ASSERT_EQUAL(local_maildir_deliver(&f.msg, vstring_str(md), "v@x", why),
                    LOCAL_PENDING);
    local_maildir_commit();
    vstring_sprintf_append(md, "/new");
    got = fixture_slurp(fixture_only_file(vstring_str(md)), 0);
    CU_ASSERT_STRING_EQUAL(got, "Return-Path: <>\nDelivered-To: v@x\n"
                                "Subject: x\n\nno newline\n");
    free(got);
    fixture_close(&f);
    vstring_free(why);
    vstring_free(md);
}

static void test_unwritable(void)
{
    struct fixture f;
    struct vstring *why = vstring_alloc(100), *md = vstring_alloc(100);

    fixture_open(&f, "s@x", body, 0);
    /* A Maildir path that is a regular file: deferred, nothing delivered. */
    vstring_sprintf(md, "%s/file", f.dir);
    close(creat(vstring_str(md), 0600));
    CU_ASSERT_EQUAL(local_maildir_deliver(&f.msg, vstring_str(md), "v@x", why),
                    4);
    CU_ASSERT(vstring_str(why)[0] == '4');
    /* new/ that cannot be written (root ignores modes: skip that part). */
    if (geteuid() != 0) {
        vstring_sprintf(md, "%s/ro", f.dir);
        CU_ASSERT_FATAL(local_maildir_make(vstring_str(md), why) == 0);
        vstring_sprintf_append(md, "/tmp");
        chmod(vstring_str(md), 0500);
        vstring_truncate(md, vstring_len(md) - 4);
        CU_ASSERT_EQUAL(
            local_maildir_deliver(&f.msg, vstring_str(md), "v@x", why), 4);
        CU_ASSERT(strncmp(vstring_str(why), "4.2.0", 5) == 0);
    }
    fixture_close(&f);
    vstring_free(why);
    vstring_free(md);
}

struct undone {
    size_t count;
    size_t tags[8];
    char why[8][200];
};

static void note_undone(void *ctx, size_t tag, const struct vstring *why)
{
    struct undone *u = ctx;

    if (u->count < 8) {
        u->tags[u->count] = tag;
        snprintf(u->why[u->count], sizeof(u->why[0]), "%s", vstring_str(why));
    }
    u->count++;
}

/* count_files - regular files in dir */
static size_t count_files(const char *dir)
{
    char cmd[600];
    FILE *p;
    size_t n = 0;
    int ch;

    snprintf(cmd, sizeof(cmd), "find '%s' -type f | wc -l", dir);
    if ((p = popen(cmd, "r")) == 0)
        return (size_t)-1;
    while ((ch = fgetc(p)) >= '0' && ch <= '9')
        n = n * 10 + (size_t)(ch - '0');
    pclose(p);
    return n;
}

/* A batch into two Maildirs: nothing in new/ until the commit, then every
 * file; a Maildir whose new/ vanished before the commit is undone with its
 * tag (the recipient is deferred) and leaves nothing behind. */
static void test_batch_commit(void)
{
    struct fixture f;
    struct vstring *why = vstring_alloc(100), *a = vstring_alloc(100),
                   *b = vstring_alloc(100), *c = vstring_alloc(100),
                   *p = vstring_alloc(100);
    struct undone u;
    size_t i;

    memset(&u, 0, sizeof(u));
    fixture_open(&f, "s@x", body, 0);
    vstring_sprintf(a, "%s/a", f.dir);
    vstring_sprintf(b, "%s/b", f.dir);
    vstring_sprintf(c, "%s/c", f.dir);
    local_maildir_batch(note_undone, &u);
    for (i = 0; i < 5; i++) {
        local_maildir_tag(i);
        CU_ASSERT_EQUAL(local_maildir_deliver(&f.msg, vstring_str(i % 2 ? b : a),
                                              "v@x", why), LOCAL_PENDING);
    }
    local_maildir_tag(7);
    CU_ASSERT_EQUAL(local_maildir_deliver(&f.msg, vstring_str(c), "v@x", why),
                    LOCAL_PENDING);
    vstring_sprintf(p, "%s/new", vstring_str(a));
    CU_ASSERT_EQUAL(count_files(vstring_str(p)), 0);
    vstring_sprintf(p, "%s/new", vstring_str(c));
    CU_ASSERT_FATAL(rmdir(vstring_str(p)) == 0);
    local_maildir_commit();
    local_maildir_batch(0, 0);
    vstring_sprintf(p, "%s/new", vstring_str(a));
    CU_ASSERT_EQUAL(count_files(vstring_str(p)), 3);
    vstring_sprintf(p, "%s/new", vstring_str(b));
    CU_ASSERT_EQUAL(count_files(vstring_str(p)), 2);
    CU_ASSERT_EQUAL(count_files(vstring_str(c)), 0); /* tmp/ cleaned too */
    CU_ASSERT_EQUAL(u.count, 1);
    CU_ASSERT_EQUAL(u.tags[0], 7);
    CU_ASSERT(strncmp(u.why[0], "4.", 2) == 0);
    vstring_sprintf(p, "%s/tmp", vstring_str(a));
    CU_ASSERT_EQUAL(count_files(vstring_str(p)), 0);
    fixture_close(&f);
    vstring_free(why);
    vstring_free(a);
    vstring_free(b);
    vstring_free(c);
    vstring_free(p);
}

/* More files than a batch holds: the full batch commits before the next. */
static void test_batch_full(void)
{
    struct fixture f;
    struct vstring *why = vstring_alloc(100), *md = vstring_alloc(100);
    size_t i;

    fixture_open(&f, "s@x", body, 0);
    vstring_sprintf(md, "%s/m", f.dir);
    for (i = 0; i < LOCAL_MAILDIR_BATCH_MAX + 3; i++)
        CU_ASSERT_EQUAL(local_maildir_deliver(&f.msg, vstring_str(md), "v@x",
                                              why), LOCAL_PENDING);
    vstring_sprintf_append(md, "/new");
    CU_ASSERT_EQUAL(count_files(vstring_str(md)), LOCAL_MAILDIR_BATCH_MAX);
    local_maildir_commit();
    CU_ASSERT_EQUAL(count_files(vstring_str(md)), LOCAL_MAILDIR_BATCH_MAX + 3);
    fixture_close(&f);
    vstring_free(why);
    vstring_free(md);
}

/* A batch looks at its Maildir once: one moved away in the middle of the
 * batch defers the next delivery (its tmp/ is gone) rather than making a
 * new one; the next batch makes it again. */
static void test_maildir_looked_at_once_per_batch(void)
{
    struct fixture f;
    struct vstring *why = vstring_alloc(100), *md = vstring_alloc(100),
                   *old = vstring_alloc(100), *p = vstring_alloc(100);

    fixture_open(&f, "s@x", body, 0);
    vstring_sprintf(md, "%s/m", f.dir);
    vstring_sprintf(old, "%s/m.old", f.dir);
    CU_ASSERT_EQUAL(local_maildir_deliver(&f.msg, vstring_str(md), "v@x", why),
                    LOCAL_PENDING);
    local_maildir_commit();
    CU_ASSERT_EQUAL(local_maildir_deliver(&f.msg, vstring_str(md), "v@x", why),
                    LOCAL_PENDING);
    CU_ASSERT_FATAL(rename(vstring_str(md), vstring_str(old)) == 0);
    CU_ASSERT_EQUAL(local_maildir_deliver(&f.msg, vstring_str(md), "v@x", why),
                    4);
    CU_ASSERT_EQUAL(access(vstring_str(md), F_OK), -1); /* not made again */
    local_maildir_commit(); /* the pending one's link fails: undone */
    vstring_sprintf(p, "%s/new", vstring_str(old));
    CU_ASSERT_EQUAL(count_files(vstring_str(p)), 1);
    CU_ASSERT_EQUAL(local_maildir_deliver(&f.msg, vstring_str(md), "v@x", why),
                    LOCAL_PENDING); /* a new batch: made again */
    local_maildir_commit();
    vstring_sprintf(p, "%s/new", vstring_str(md));
    CU_ASSERT_EQUAL(count_files(vstring_str(p)), 1);
    fixture_close(&f);
    vstring_free(why);
    vstring_free(md);
    vstring_free(old);
    vstring_free(p);
}

/* A batch that fills while local runs as a mailbox owner: the commit gives
 * the ids back, links each file as its own owner, and takes them again
 * (root only: it switches to nobody). */
static void test_batch_full_while_switched(void)
{
    struct fixture f;
    struct vstring *why = vstring_alloc(100), *r = vstring_alloc(100),
                   *n = vstring_alloc(100);
    struct stat st;
    size_t i;

    if (geteuid() != 0 || !local_privs_can_switch())
        return;
    fixture_open(&f, "s@x", body, 0);
    CU_ASSERT_FATAL(chmod(f.dir, 0777) == 0);
    vstring_sprintf(r, "%s/root", f.dir);
    vstring_sprintf(n, "%s/nobody", f.dir);
    CU_ASSERT_EQUAL(local_maildir_deliver(&f.msg, vstring_str(r), "v@x", why),
                    LOCAL_PENDING);
    CU_ASSERT_FATAL(local_privs_enter(65534, 65534, why) == 0);
    for (i = 0; i < LOCAL_MAILDIR_BATCH_MAX; i++)
        CU_ASSERT_EQUAL(local_maildir_deliver(&f.msg, vstring_str(n), "v@x",
                                              why), LOCAL_PENDING);
    CU_ASSERT_EQUAL(geteuid(), 65534); /* taken again after the commit */
    local_privs_leave();
    local_maildir_commit();
    vstring_sprintf_append(r, "/new");
    vstring_sprintf_append(n, "/new");
    CU_ASSERT_EQUAL(count_files(vstring_str(r)), 1);
    CU_ASSERT_EQUAL(count_files(vstring_str(n)), LOCAL_MAILDIR_BATCH_MAX);
    CU_ASSERT(stat(vstring_str(n), &st) == 0 && st.st_uid == 65534);
    local_privs_root();
    CU_ASSERT_EQUAL(geteuid(), 0);
    fixture_close(&f);
    vstring_free(why);
    vstring_free(r);
    vstring_free(n);
}

/* Leaving keeps the owner's ids in effect until root is needed; entering
 * for the same owner then costs nothing, for another one passes through
 * root (root only: it switches to nobody and to daemon). */
static void test_lazy_leave(void)
{
    struct vstring *why = vstring_alloc(100);

    if (geteuid() != 0 || !local_privs_can_switch())
        return;
    CU_ASSERT_FATAL(local_privs_enter(65534, 65534, why) == 0);
    CU_ASSERT(local_privs_switched());
    local_privs_leave();
    CU_ASSERT(!local_privs_switched());
    CU_ASSERT_EQUAL(geteuid(), 65534); /* still nobody: lazy */
    CU_ASSERT_EQUAL(getegid(), 65534);
    CU_ASSERT(local_privs_can_switch()); /* the real uid says so */
    CU_ASSERT_FATAL(local_privs_enter(65534, 65534, why) == 0);
    local_privs_leave();
    CU_ASSERT_FATAL(local_privs_enter(1, 1, why) == 0);
    CU_ASSERT_EQUAL(geteuid(), 1);
    CU_ASSERT_EQUAL(getegid(), 1);
    local_privs_leave();
    local_privs_root();
    CU_ASSERT_EQUAL(geteuid(), 0);
    CU_ASSERT_EQUAL(getegid(), 0);
    local_privs_root(); /* twice: no-op */
    CU_ASSERT_EQUAL(geteuid(), 0);
    vstring_free(why);
}

static void test_delivered_to_loop(void)
{
    static const struct {
        const char *content;
        const char *rcpt;
        int want;
    } rows[] = {
        {"Delivered-To: u@x\nSubject: a\n\nb\n", "u@x", 1},
        {"delivered-to:   U@X  \n\nb\n", "u@x", 1},
        {"Delivered-To: u@xy\n\nb\n", "u@x", 0},
        {"Subject: a\n\nDelivered-To: u@x\n", "u@x", 0}, /* body only */
        {"X-Delivered-To: u@x\n\n", "u@x", 0},
        {"Subject: a\nDelivered-To: v@x\nDelivered-To: u@x\n\n", "u@x", 1},
        {0, 0, 0},
    };
    struct vstring *why = vstring_alloc(100);
    struct fixture f;
    int i;

    for (i = 0; rows[i].content; i++) {
        fixture_open(&f, "s@x", rows[i].content, 3);
        CU_ASSERT_EQUAL(local_has_delivered_to(&f.msg, rows[i].rcpt, why),
                        rows[i].want);
        fixture_close(&f);
    }
    vstring_free(why);
}

static const struct testkit_case cases[] = {
    {"maildir delivery at every chunking", test_maildir_chunks},
    {"final newline added", test_no_final_newline},
    {"unwritable maildir defers", test_unwritable},
    {"Delivered-To loop check", test_delivered_to_loop},
    {"a batch commits together, a failure is undone", test_batch_commit},
    {"a full batch commits before the next file", test_batch_full},
    {"a batch looks at its Maildir once", test_maildir_looked_at_once_per_batch},
    {"leaving is lazy, entering another owner passes through root",
     test_lazy_leave},
    {"a batch full while switched commits as each owner",
     test_batch_full_while_switched},
    {NULL, NULL},
};
TESTKIT_SUITE("local_maildir", NULL, NULL, cases);
