/*
 * test_queue_file_corrupt.c - the reader as a gate: every file that is cut
 * short, lacks its end record, or breaks the format or the grammar is
 * refused and moved to corrupt/, so it can never be delivered.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "queue.h"
#include "queue_fixture.h"
#include "queue_file.h"
#include "record.h"
#include "sys_ops.h"
#include "testkit.h"
#include "vstring.h"


/* add - one record with the given payload */
static void add(struct vstring *v, int type, const char *p, size_t len)
{
    unsigned char hdr[RECORD_HEADER_SIZE];

    record_header_encode(hdr, type, len);
    vstring_append(v, (const char *)hdr, sizeof(hdr));
    vstring_append(v, p, len);
}

/*
 * build - a file from a string of record types with default payloads;
 * lower-case letters and '?' '!' are the broken variants.
 */
static void build(struct vstring *v, const char *types)
{
    for (vstring_reset(v); *types; types++) {
        switch (*types) {
        case 'V':
            add(v, 'V', RECORD_VERSION, strlen(RECORD_VERSION));
            break;
        case 'v':
            add(v, 'V', "sluice-queue-9", 14);
            break;
        case 'T':
            add(v, 'T', "1700000000.000001", 17);
            break;
        case 't':
            add(v, 'T', "17000x", 6);
            break;
        case 'S':
            add(v, 'S', "a@b", 3);
            break;
        case 's':
            add(v, 'S', "a\0b", 3);
            break;
        case 'A':
            add(v, 'A', "x=y", 3);
            break;
        case 'a':
            add(v, 'A', "=y", 2);
            break;
        case 'R':
            add(v, 'R', "r@b\0\0", 5);
            break;
        case 'r':
            add(v, 'R', "r@b", 3);
            break;
        case 'D':
            add(v, 'D', "d@b\0\0", 5);
            break;
        case 'M':
            add(v, 'M', "", 0);
            break;
        case 'm':
            add(v, 'M', "x", 1);
            break;
        case 'C':
            add(v, 'C', "line\n", 5);
            break;
        case 'X':
            add(v, 'X', "", 0);
            break;
        case 'E':
            add(v, 'E', "", 0);
            break;
        case '?':
            vstring_append(v, "Q\0\0\0\0", 5);
            break;
        case '!':
            vstring_append(v, "C\0\1\0\1", 5);
            break;
        case '+':
            vstring_append_char(v, '\n');
            break;
        }
    }
}

/* plant - write bytes as a committed-looking file; returns its id */
static void plant(const char *queue, const struct vstring *bytes, size_t cut,
                  struct vstring *id)
{
    struct vstring *path = vstring_alloc(100);
    int fd;

    queue_id_new(id);
    queue_path(path, root, queue, vstring_str(id));
    fd = open(vstring_str(path), O_CREAT | O_EXCL | O_WRONLY, 0600);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT(write(fd, vstring_str(bytes), vstring_len(bytes) - cut) ==
              (ssize_t)(vstring_len(bytes) - cut));
    close(fd);
    vstring_free(path);
}

static int present(const char *queue, const char *id)
{
    char path[512];

    snprintf(path, sizeof(path), "%s/%s/%s", root, queue, id);
    return access(path, F_OK) == 0;
}

static void test_corrupt_table(void)
{
    static const struct {
        const char *name;
        const char *types;
        size_t cut;
        int result;
    } table[] = {
        {"complete (control)", "VTSARDMCCXE", 0, QUEUE_FILE_OK},
        {"all done (control)", "VTSDMXE", 0, QUEUE_FILE_OK},
        {"empty file", "", 0, QUEUE_FILE_CORRUPT},
        {"truncated in end header", "VTSRMCXE", 3, QUEUE_FILE_CORRUPT},
        {"truncated in content", "VTSRMCXE", 13, QUEUE_FILE_CORRUPT},
        {"truncated in first header", "V", 16, QUEUE_FILE_CORRUPT},
        {"no end record", "VTSRMCX", 0, QUEUE_FILE_CORRUPT},
        {"no end of content", "VTSRMC", 0, QUEUE_FILE_CORRUPT},
        {"envelope only", "VTSR", 0, QUEUE_FILE_CORRUPT},
        {"oversized length", "VTSRM!", 0, QUEUE_FILE_CORRUPT},
        {"bad type", "VTS?RMXE", 0, QUEUE_FILE_CORRUPT},
        {"data after end", "VTSRMXE+", 0, QUEUE_FILE_CORRUPT},
        {"record after end", "VTSRMXEC", 0, QUEUE_FILE_CORRUPT},
        {"bad version", "vTSRMXE", 0, QUEUE_FILE_CORRUPT},
        {"version not first", "TVSRMXE", 0, QUEUE_FILE_CORRUPT},
        {"no recipient", "VTSMXE", 0, QUEUE_FILE_CORRUPT},
        {"two senders", "VTSSRMXE", 0, QUEUE_FILE_CORRUPT},
        {"NUL in sender", "VTsRMXE", 0, QUEUE_FILE_CORRUPT},
        {"malformed time", "VtSRMXE", 0, QUEUE_FILE_CORRUPT},
        {"malformed attribute", "VTSaRMXE", 0, QUEUE_FILE_CORRUPT},
        {"malformed recipient", "VTSrMXE", 0, QUEUE_FILE_CORRUPT},
        {"payload in M", "VTSRmXE", 0, QUEUE_FILE_CORRUPT},
        {"recipient in content", "VTSRMCRXE", 0, QUEUE_FILE_CORRUPT},
    };
    struct vstring *bytes = vstring_alloc(256);
    struct vstring *id = vstring_alloc(32);
    struct queue_message *m;
    size_t i;
    int r;

    for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        build(bytes, table[i].types);
        plant(QUEUE_ACTIVE, bytes, table[i].cut, id);
        r = queue_file_read(root, QUEUE_ACTIVE, vstring_str(id),
                            QUEUE_FILE_RDONLY, &m, why);
        CU_ASSERT_EQUAL(r, table[i].result);
        if (r != table[i].result)
            fprintf(stderr, "case %s: %d %s\n", table[i].name, r,
                    vstring_str(why));
        if (r == QUEUE_FILE_OK) {
            CU_ASSERT_PTR_NOT_NULL(m);
            queue_message_free(m);
            CU_ASSERT(present(QUEUE_ACTIVE, vstring_str(id)));
        } else {
            CU_ASSERT_PTR_NULL(m);
            CU_ASSERT(!present(QUEUE_ACTIVE, vstring_str(id)));
            CU_ASSERT(present(QUEUE_CORRUPT, vstring_str(id)));
        }
    }
    vstring_free(bytes);
    vstring_free(id);
}

static void test_symlink_and_gone(void)
{
    struct vstring *id = vstring_alloc(32);
    struct vstring *path = vstring_alloc(100);
    struct queue_message *m;

    queue_id_new(id);
    CU_ASSERT_EQUAL(queue_file_read(root, QUEUE_DEFERRED, vstring_str(id),
                                    QUEUE_FILE_RDONLY, &m, why),
                    QUEUE_FILE_GONE);
    queue_path(path, root, QUEUE_DEFERRED, vstring_str(id));
    CU_ASSERT_EQUAL(symlink("/etc/passwd", vstring_str(path)), 0);
    CU_ASSERT_EQUAL(queue_file_read(root, QUEUE_DEFERRED, vstring_str(id),
                                    QUEUE_FILE_RDONLY, &m, why),
                    QUEUE_FILE_CORRUPT);
    CU_ASSERT(present(QUEUE_CORRUPT, vstring_str(id)));
    /* reading in corrupt/ refuses again but leaves the file where it is */
    CU_ASSERT_EQUAL(queue_file_read(root, QUEUE_CORRUPT, vstring_str(id),
                                    QUEUE_FILE_RDONLY, &m, why),
                    QUEUE_FILE_CORRUPT);
    CU_ASSERT(present(QUEUE_CORRUPT, vstring_str(id)));
    vstring_free(id);
    vstring_free(path);
}

static char swap_from[512];

/* swap_in - the race hook: another valid file renamed over the checked one */
static void swap_in(const char *path)
{
    CU_ASSERT_EQUAL(rename(swap_from, path), 0);
}

/*
 * A file with a second link, and a file replaced between check and open,
 * are refused through safe_open and moved to corrupt/; the valid file
 * itself reads fine (control).
 */
static void test_link_and_swap(void)
{
    struct vstring *bytes = vstring_alloc(256), *id = vstring_alloc(32),
                   *path = vstring_alloc(100), *other = vstring_alloc(100);
    struct queue_message *m;

    build(bytes, "VTSARDMCCXE");
    plant(QUEUE_DEFERRED, bytes, 0, id);
    CU_ASSERT_EQUAL(queue_file_read(root, QUEUE_DEFERRED, vstring_str(id),
                                    QUEUE_FILE_RDONLY, &m, why),
                    QUEUE_FILE_OK);
    queue_message_free(m);
    /* a second link */
    queue_path(path, root, QUEUE_DEFERRED, vstring_str(id));
    vstring_sprintf(other, "%s/extra-link", root);
    CU_ASSERT_EQUAL(link(vstring_str(path), vstring_str(other)), 0);
    CU_ASSERT_EQUAL(queue_file_read(root, QUEUE_DEFERRED, vstring_str(id),
                                    QUEUE_FILE_RDONLY, &m, why),
                    QUEUE_FILE_CORRUPT);
    CU_ASSERT(strstr(vstring_str(why), "more than one link") != 0);
    CU_ASSERT(present(QUEUE_CORRUPT, vstring_str(id)));
    /* swapped between the check and the open */
    plant(QUEUE_DEFERRED, bytes, 0, id);
    plant(QUEUE_INCOMING, bytes, 0, other);
    queue_path(path, root, QUEUE_INCOMING, vstring_str(other));
    snprintf(swap_from, sizeof(swap_from), "%s", vstring_str(path));
    sys_set_race_hook(swap_in);
    CU_ASSERT_EQUAL(queue_file_read(root, QUEUE_DEFERRED, vstring_str(id),
                                    QUEUE_FILE_RDONLY, &m, why),
                    QUEUE_FILE_CORRUPT);
    sys_set_race_hook(0);
    CU_ASSERT(strstr(vstring_str(why), "replaced") != 0);
    CU_ASSERT(present(QUEUE_CORRUPT, vstring_str(id)));
    CU_ASSERT(m == 0);
    vstring_free(bytes);
    vstring_free(id);
    vstring_free(path);
    vstring_free(other);
}

/*
 * Owner: in deferred/ a file must belong to the queue directory's owner;
 * hold/ takes any owner (pickup moves users' maildrop files there).
 * Needs root to give a file away; otherwise only the control runs.
 */
static void test_owner(void)
{
    struct vstring *bytes = vstring_alloc(256), *id = vstring_alloc(32),
                   *path = vstring_alloc(100);
    struct queue_message *m;
    uid_t other = geteuid() + 1;

    build(bytes, "VTSARDMCCXE");
    plant(QUEUE_HOLD, bytes, 0, id);
    queue_path(path, root, QUEUE_HOLD, vstring_str(id));
    if (geteuid() == 0)
        CU_ASSERT_EQUAL(chown(vstring_str(path), other, (gid_t)-1), 0);
    CU_ASSERT_EQUAL(queue_file_read(root, QUEUE_HOLD, vstring_str(id),
                                    QUEUE_FILE_RDONLY, &m, why),
                    QUEUE_FILE_OK);
    queue_message_free(m);
    if (geteuid() == 0) {
        plant(QUEUE_DEFERRED, bytes, 0, id);
        queue_path(path, root, QUEUE_DEFERRED, vstring_str(id));
        CU_ASSERT_EQUAL(chown(vstring_str(path), other, (gid_t)-1), 0);
        CU_ASSERT_EQUAL(queue_file_read(root, QUEUE_DEFERRED, vstring_str(id),
                                        QUEUE_FILE_RDONLY, &m, why),
                        QUEUE_FILE_CORRUPT);
        CU_ASSERT(strstr(vstring_str(why), "unexpected owner") != 0);
        CU_ASSERT(present(QUEUE_CORRUPT, vstring_str(id)));
    }
    vstring_free(bytes);
    vstring_free(id);
    vstring_free(path);
}

static const struct testkit_case cases[] = {
    {"owner pinned in deferred/, any owner in hold/", test_owner},
    {"second link or swap before open refused", test_link_and_swap},
    {"corrupt files refused, moved to corrupt/", test_corrupt_table},
    {"symlink refused, missing file is gone", test_symlink_and_gone},
    {NULL, NULL}};
TESTKIT_SUITE("queue_file_corrupt", queue_fixture_setup,
              queue_fixture_teardown, cases);
