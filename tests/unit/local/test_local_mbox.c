/*
 * test_local_mbox.c - mbox delivery: From_ line, ">From " escaping at any
 * chunking, the blank line, append after existing mail, lock contention
 * (dot-lock and fcntl), stale dot-locks, refusal of a symlink, of a
 * second link and of a mailbox swapped between check and open.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#include "testkit.h"

#include "sys_ops.h"
#include "vstring.h"

#include "local_fixture.h"

static const char body[] =
    "Subject: s\n\nFrom me\n>From you\nFrom\nxFrom y\nFrom  z";
static const char want_rest[] =
    "Return-Path: <bob@x>\nDelivered-To: u@x\nSubject: s\n\n"
    ">From me\n>From you\nFrom\nxFrom y\n>From  z\n\n";

static void check_mbox(size_t chunk)
{
    struct fixture f;
    struct vstring *why = vstring_alloc(100), *mb = vstring_alloc(100);
    char *got, *nl;

    fixture_open(&f, "bob@x", body, chunk);
    vstring_sprintf(mb, "%s/mbox", f.dir);
    CU_ASSERT_EQUAL(local_mbox_deliver(&f.msg, vstring_str(mb), "u@x",
                                       (uid_t)-1, (gid_t)-1, why), 2);
    CU_ASSERT_EQUAL(local_mbox_deliver(&f.msg, vstring_str(mb), "u@x",
                                       (uid_t)-1, (gid_t)-1, why), 2);
    got = fixture_slurp(vstring_str(mb), 0);
    CU_ASSERT_FATAL(got && strncmp(got, "From bob@x ", 11) == 0);
    nl = strchr(got, '\n');
    CU_ASSERT_FATAL(nl != 0);
    CU_ASSERT(strncmp(nl + 1, want_rest, strlen(want_rest)) == 0);
    /* The second copy follows the first, with its own From_ line. */
    nl = nl + 1 + strlen(want_rest);
    CU_ASSERT(strncmp(nl, "From bob@x ", 11) == 0);
    CU_ASSERT(strcmp(strchr(nl, '\n') + 1, want_rest) == 0);
    free(got);
    vstring_sprintf_append(mb, ".lock");
    CU_ASSERT(access(vstring_str(mb), F_OK) != 0); /* lock removed */
    fixture_close(&f);
    vstring_free(why);
    vstring_free(mb);
}

static void test_mbox_chunks(void)
{
    static const size_t chunks[] = {0, 1, 3, 4, 5, 6};
    size_t i;

    for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++)
        check_mbox(chunks[i]);
}

static void test_null_sender(void)
{
    struct fixture f;
    struct vstring *why = vstring_alloc(100), *mb = vstring_alloc(100);
    char *got;

    fixture_open(&f, "", "S: x\n\nb\n", 0);
    vstring_sprintf(mb, "%s/mbox", f.dir);
    CU_ASSERT_EQUAL(local_mbox_deliver(&f.msg, vstring_str(mb), "u@x",
                                       (uid_t)-1, (gid_t)-1, why), 2);
    got = fixture_slurp(vstring_str(mb), 0);
    CU_ASSERT(strncmp(got, "From MAILER-DAEMON ", 19) == 0);
    free(got);
    fixture_close(&f);
    vstring_free(why);
    vstring_free(mb);
}

/* dotlock_with_pid - a fresh dot-lock file that names pid */
static void dotlock_with_pid(const char *lock, long pid)
{
    FILE *fp = fopen(lock, "w");

    CU_ASSERT_FATAL(fp != 0);
    fprintf(fp, "%ld\n", pid);
    fclose(fp);
}

/* dead_pid - the pid of a child that has exited and been reaped */
static long dead_pid(void)
{
    pid_t pid = fork();

    if (pid == 0)
        _exit(0);
    CU_ASSERT_FATAL(pid > 0);
    waitpid(pid, 0, 0);
    return (long)pid;
}

static void test_dotlock_contention(void)
{
    struct fixture f;
    struct vstring *why = vstring_alloc(100), *mb = vstring_alloc(100),
                   *lock = vstring_alloc(100);
    struct utimbuf old;
    int fd;

    fixture_open(&f, "bob@x", body, 0);
    vstring_sprintf(mb, "%s/mbox", f.dir);
    vstring_sprintf(lock, "%s/mbox.lock", f.dir);
    close(creat(vstring_str(mb), 0600));
    close(creat(vstring_str(lock), 0600));
    fd = open(vstring_str(mb), O_WRONLY);
    CU_ASSERT_EQUAL(local_mbox_lock(fd, vstring_str(mb), 2, why), -1);
    CU_ASSERT(strncmp(vstring_str(why), "4.2.0", 5) == 0);
    CU_ASSERT(access(vstring_str(lock), F_OK) == 0); /* not ours: kept */
    /* The same lock file made stale: removed and taken. */
    old.actime = old.modtime = time(0) - 3600;
    utime(vstring_str(lock), &old);
    CU_ASSERT_EQUAL(local_mbox_lock(fd, vstring_str(mb), 2, why), 0);
    local_mbox_unlock(fd, vstring_str(mb));
    CU_ASSERT(access(vstring_str(lock), F_OK) != 0);
    /* A fresh lock holding a live pid is kept; one holding our own pid (an
     * earlier unlink of it failed) or a dead pid (a local killed while it
     * held the lock) is removed at once. */
    dotlock_with_pid(vstring_str(lock), (long)getppid());
    CU_ASSERT_EQUAL(local_mbox_lock(fd, vstring_str(mb), 2, why), -1);
    CU_ASSERT(access(vstring_str(lock), F_OK) == 0);
    dotlock_with_pid(vstring_str(lock), (long)getpid()); /* unlink failed */
    CU_ASSERT_EQUAL(local_mbox_lock(fd, vstring_str(mb), 2, why), 0);
    local_mbox_unlock(fd, vstring_str(mb));
    CU_ASSERT(access(vstring_str(lock), F_OK) != 0);
    dotlock_with_pid(vstring_str(lock), dead_pid());
    CU_ASSERT_EQUAL(local_mbox_lock(fd, vstring_str(mb), 2, why), 0);
    local_mbox_unlock(fd, vstring_str(mb));
    CU_ASSERT(access(vstring_str(lock), F_OK) != 0);
    close(fd);
    fixture_close(&f);
    vstring_free(why);
    vstring_free(mb);
    vstring_free(lock);
}

static void test_fcntl_contention(void)
{
    struct fixture f;
    struct vstring *why = vstring_alloc(100), *mb = vstring_alloc(100);
    struct flock fl;
    int fd, sync[2], status;
    pid_t pid;
    char c;
    size_t len;
    char *got;

    fixture_open(&f, "bob@x", body, 0);
    vstring_sprintf(mb, "%s/mbox", f.dir);
    close(creat(vstring_str(mb), 0600));
    CU_ASSERT_FATAL(pipe(sync) == 0);
    if ((pid = fork()) == 0) {
        fd = open(vstring_str(mb), O_WRONLY);
        memset(&fl, 0, sizeof(fl));
        fl.l_type = F_WRLCK;
        fl.l_whence = SEEK_SET;
        fcntl(fd, F_SETLK, &fl);
        (void)write(sync[1], "x", 1);
        sleep(5);
        _exit(0);
    }
    CU_ASSERT(read(sync[0], &c, 1) == 1);
    CU_ASSERT_EQUAL(local_mbox_deliver(&f.msg, vstring_str(mb), "u@x",
                                       (uid_t)-1, (gid_t)-1, why), 4);
    CU_ASSERT_PTR_NOT_NULL(strstr(vstring_str(why), "locked"));
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    got = fixture_slurp(vstring_str(mb), &len);
    CU_ASSERT_EQUAL(len, 0); /* nothing written while locked */
    free(got);
    vstring_sprintf_append(mb, ".lock");
    CU_ASSERT(access(vstring_str(mb), F_OK) != 0); /* our dot-lock released */
    close(sync[0]);
    close(sync[1]);
    fixture_close(&f);
    vstring_free(why);
    vstring_free(mb);
}

static void test_symlink_refused(void)
{
    struct fixture f;
    struct vstring *why = vstring_alloc(100), *mb = vstring_alloc(100),
                   *target = vstring_alloc(100);
    size_t len;
    char *got;

    fixture_open(&f, "bob@x", body, 0);
    vstring_sprintf(mb, "%s/mbox", f.dir);
    vstring_sprintf(target, "%s/victim", f.dir);
    close(creat(vstring_str(target), 0600));
    CU_ASSERT_FATAL(symlink(vstring_str(target), vstring_str(mb)) == 0);
    CU_ASSERT_EQUAL(local_mbox_deliver(&f.msg, vstring_str(mb), "u@x",
                                       (uid_t)-1, (gid_t)-1, why), 4);
    got = fixture_slurp(vstring_str(target), &len);
    CU_ASSERT_EQUAL(len, 0);
    free(got);
    /* A mailbox owned by someone else than the expected owner. */
    unlink(vstring_str(mb));
    close(creat(vstring_str(mb), 0600));
    CU_ASSERT_EQUAL(local_mbox_deliver(&f.msg, vstring_str(mb), "u@x",
                                       geteuid() + 1, (gid_t)-1, why), 4);
    fixture_close(&f);
    vstring_free(why);
    vstring_free(mb);
    vstring_free(target);
}

static char swap_from[512];

/* swap_in - the race hook: another file renamed over the checked mailbox */
static void swap_in(const char *path)
{
    CU_ASSERT_EQUAL(rename(swap_from, path), 0);
}

static void test_link_and_swap_refused(void)
{
    struct fixture f;
    struct vstring *why = vstring_alloc(100), *mb = vstring_alloc(100),
                   *other = vstring_alloc(100);
    size_t len;
    char *got;

    fixture_open(&f, "bob@x", body, 0);
    vstring_sprintf(mb, "%s/mbox", f.dir);
    vstring_sprintf(other, "%s/victim", f.dir);
    /* a hard link to someone's file: deferred, nothing written */
    close(creat(vstring_str(other), 0600));
    CU_ASSERT_FATAL(link(vstring_str(other), vstring_str(mb)) == 0);
    CU_ASSERT_EQUAL(local_mbox_deliver(&f.msg, vstring_str(mb), "u@x",
                                       geteuid(), (gid_t)-1, why), 4);
    CU_ASSERT(strstr(vstring_str(why), "4.2.0") == vstring_str(why));
    got = fixture_slurp(vstring_str(other), &len);
    CU_ASSERT_EQUAL(len, 0);
    free(got);
    /* the mailbox swapped for another file between check and open */
    unlink(vstring_str(mb));
    close(creat(vstring_str(mb), 0600));
    snprintf(swap_from, sizeof(swap_from), "%s", vstring_str(other));
    sys_set_race_hook(swap_in);
    CU_ASSERT_EQUAL(local_mbox_deliver(&f.msg, vstring_str(mb), "u@x",
                                       (uid_t)-1, (gid_t)-1, why), 4);
    sys_set_race_hook(0);
    CU_ASSERT(strstr(vstring_str(why), "replaced") != 0);
    got = fixture_slurp(vstring_str(mb), &len);
    CU_ASSERT_EQUAL(len, 0);
    free(got);
    /* control: the same mailbox, left alone, takes the message */
    CU_ASSERT_EQUAL(local_mbox_deliver(&f.msg, vstring_str(mb), "u@x",
                                       geteuid(), (gid_t)-1, why), 2);
    fixture_close(&f);
    vstring_free(why);
    vstring_free(mb);
    vstring_free(other);
}

static const struct testkit_case cases[] = {
    {"second link and swap before open refused", test_link_and_swap_refused},
    {"From_ line, >From escaping, blank line", test_mbox_chunks},
    {"null sender From_ line", test_null_sender},
    {"dot-lock contention and stale lock", test_dotlock_contention},
    {"fcntl lock contention defers", test_fcntl_contention},
    {"symlink and wrong owner refused", test_symlink_refused},
    {NULL, NULL},
};
TESTKIT_SUITE("local_mbox", NULL, NULL, cases);
