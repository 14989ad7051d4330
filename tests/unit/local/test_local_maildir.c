/*
 * test_local_maildir.c - Maildir delivery (the local commit point) and the
 * message copy: Return-Path and Delivered-To prepended, content exact at
 * every chunking, a missing final newline added, the loop check, and the
 * failure paths (unwritable directory, a Maildir path that is a file).
 */
#include <fcntl.h>
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
                                          "u@example.org", why), 2);
    CU_ASSERT(strncmp(vstring_str(why), "2.0.0 delivered to maildir ", 27) == 0);
    vstring_sprintf_append(md, "/new");
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
                    2);
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
    {NULL, NULL},
};
TESTKIT_SUITE("local_maildir", NULL, NULL, cases);
