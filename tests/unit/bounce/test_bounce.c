/*
 * test_bounce.c - bounce's log reader (cut-short records, replacement by
 * offset, missing file), the NOTIFY rules, the DSN built from a queue file
 * and a log (RET, ENVID, Diagnostic-Code, recipients left out), and the
 * service over a socketpair: null sender, nothing due, no cleanup
 * (status 4, never 0 without a commit), malformed request.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "testkit.h"

#include "attr.h"
#include "mail_proto.h"
#include "mymalloc.h"
#include "queue.h"
#include "queue_file.h"
#include "record.h"
#include "vstream.h"
#include "vstring.h"

#include "bounce.h"

struct fx {
    char *dir;
    struct vstring *root;
    struct vstring *id;
};

static void fx_open(struct fx *f, const char *sender, const char *ret,
                    const char *content)
{
    struct vstring *why = vstring_alloc(100), *r = vstring_alloc(100);
    struct queue_file *qf;

    f->dir = testkit_tempdir();
    f->root = vstring_alloc(100);
    f->id = vstring_alloc(32);
    vstring_sprintf(f->root, "%s/queue", f->dir);
    CU_ASSERT_FATAL(queue_dirs_create(vstring_str(f->root), (uid_t)-1,
                                      (gid_t)-1, why) == 0);
    qf = queue_file_create(vstring_str(f->root), QUEUE_ACTIVE, 0600, why);
    CU_ASSERT_PTR_NOT_NULL_FATAL(qf);
    queue_file_put_str(qf, REC_TIME, "1700000000.000000");
    queue_file_put_str(qf, REC_SENDER, sender);
    if (*ret) {
        vstring_sprintf(r, "ret=%s", ret);
        queue_file_put_str(qf, REC_ATTR, vstring_str(r));
    }
    queue_file_put_str(qf, REC_ATTR, "envid=ENV-42");
    record_rcpt_encode(r, "a@remote.example", "", "");
    queue_file_put(qf, REC_RCPT, vstring_str(r), vstring_len(r));
    queue_file_put(qf, REC_MESSAGE, "", 0);
    queue_file_put_str(qf, REC_CONTENT, content);
    queue_file_put(qf, REC_CONTENT_END, "", 0);
    vstring_set_str(f->id, queue_file_id(qf));
    CU_ASSERT_FATAL(queue_file_commit(qf, why) == 0);
    vstring_free(why);
    vstring_free(r);
}

static void fx_close(struct fx *f)
{
    testkit_rmtree(f->dir);
    free(f->dir);
    vstring_free(f->root);
    vstring_free(f->id);
}

/* One log record in the wire format, optionally cut short. */
static void log_append(struct fx *f, const char *log, const char *rcpt,
                       const char *notify, long offset, const char *reason,
                       size_t cut)
{
    struct vstring *path = vstring_alloc(100);
    struct attr_list *a = attr_list_alloc();
    struct vstream *s;
    char buf[8192];
    int fd, p[2];
    ssize_t n;

    attr_list_add(a, MAIL_ATTR_RCPT, rcpt);
    attr_list_add(a, MAIL_ATTR_ORCPT, "rfc822;orig@x");
    attr_list_add(a, MAIL_ATTR_NOTIFY, notify);
    attr_list_add_long(a, MAIL_ATTR_RCPT_OFFSET, offset);
    attr_list_add(a, MAIL_ATTR_DSN_STATUS, "5.1.1");
    attr_list_add(a, MAIL_ATTR_DSN_ACTION, "failed");
    attr_list_add(a, MAIL_ATTR_REASON, reason);
    attr_list_add(a, "time", "1700000100");
    CU_ASSERT_FATAL(pipe(p) == 0);
    s = vstream_fdopen(p[1], VSTREAM_WRITE);
    attr_write(s, a);
    vstream_close(s);
    n = read(p[0], buf, sizeof(buf));
    close(p[0]);
    queue_path(path, vstring_str(f->root), log, vstring_str(f->id));
    fd = open(vstring_str(path), O_WRONLY | O_CREAT | O_APPEND, 0600);
    CU_ASSERT(write(fd, buf, cut ? cut : (size_t)n) > 0);
    close(fd);
    attr_list_free(a);
    vstring_free(path);
}

static void test_log_reader(void)
{
    struct vstring *why = vstring_alloc(100);
    struct bounce_log log;
    struct fx f;

    fx_open(&f, "s@x", "", "Subject: a\n\nb\n");
    CU_ASSERT_EQUAL(bounce_log_read(vstring_str(f.root), QUEUE_BOUNCE_LOG,
                                    vstring_str(f.id), &log, why), 0);
    CU_ASSERT_EQUAL(log.count, 0); /* no file: empty */
    log_append(&f, QUEUE_BOUNCE_LOG, "b@x", "", 100, "550 no", 0);
    log_append(&f, QUEUE_BOUNCE_LOG, "c@x", "", 200, "550 gone", 0);
    log_append(&f, QUEUE_BOUNCE_LOG, "b@x", "", 100, "550 again", 0);
    log_append(&f, QUEUE_BOUNCE_LOG, "d@x", "", 300, "cut", 20);
    CU_ASSERT_EQUAL(bounce_log_read(vstring_str(f.root), QUEUE_BOUNCE_LOG,
                                    vstring_str(f.id), &log, why), 0);
    CU_ASSERT_EQUAL_FATAL(log.count, 2);
    CU_ASSERT_STRING_EQUAL(log.items[0].rcpt, "b@x");
    CU_ASSERT_STRING_EQUAL(log.items[0].reason, "550 again");
    CU_ASSERT_STRING_EQUAL(log.items[1].orcpt, "rfc822;orig@x");
    CU_ASSERT_EQUAL(log.items[1].offset, 200);
    bounce_log_free(&log);
    fx_close(&f);
    vstring_free(why);
}

static void test_notify_rules(void)
{
    static const struct {
        const char *notify;
        int failed, delayed;
    } rows[] = {
        {"", 1, 1},          {"NEVER", 0, 0},          {"FAILURE", 1, 0},
        {"DELAY", 0, 1},     {"SUCCESS", 0, 0},        {"SUCCESS,DELAY", 0, 1},
        {"failure,delay", 1, 1}, {"FAILURES", 0, 0},   {0, 0, 0},
    };
    int i;

    for (i = 0; rows[i].notify; i++) {
        CU_ASSERT_EQUAL(bounce_notify_wants(rows[i].notify, DSN_FAILED),
                        rows[i].failed);
        CU_ASSERT_EQUAL(bounce_notify_wants(rows[i].notify, DSN_DELAYED),
                        rows[i].delayed);
    }
}

static struct bounce_conf conf_for(struct fx *f)
{
    struct bounce_conf c = {vstring_str(f->root), "mx.example", 50000, 5};

    return c;
}

static void test_dsn_build(void)
{
    struct vstring *why = vstring_alloc(100), *out = vstring_alloc(100);
    struct queue_message *m;
    struct bounce_log log;
    struct bounce_conf c;
    struct fx f;

    fx_open(&f, "sender@x", "HDRS", "Subject: orig\n\nsecret body\n");
    c = conf_for(&f);
    log_append(&f, QUEUE_BOUNCE_LOG, "b@x", "FAILURE", 100,
               "550 5.1.1 <b@x>: no such user", 0);
    log_append(&f, QUEUE_BOUNCE_LOG, "c@x", "NEVER", 200, "550 no", 0);
    log_append(&f, QUEUE_BOUNCE_LOG, "d@x", "DELAY", 300, "550 no", 0);
    CU_ASSERT_FATAL(bounce_log_read(vstring_str(f.root), QUEUE_BOUNCE_LOG,
                                    vstring_str(f.id), &log, why) == 0);
    CU_ASSERT_FATAL(queue_file_read(vstring_str(f.root), QUEUE_ACTIVE,
                                    vstring_str(f.id), QUEUE_FILE_RDONLY, &m,
                                    why) == QUEUE_FILE_OK);
    CU_ASSERT_EQUAL(bounce_dsn_build(&c, m, &log, DSN_FAILED, out, why), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(vstring_str(out), "Final-Recipient: "
                                                    "rfc822; b@x"));
    CU_ASSERT_PTR_NULL(strstr(vstring_str(out), "c@x"));
    CU_ASSERT_PTR_NULL(strstr(vstring_str(out), "d@x"));
    CU_ASSERT_PTR_NOT_NULL(strstr(vstring_str(out), "ENV-42"));
    CU_ASSERT_PTR_NOT_NULL(strstr(vstring_str(out), "no such user"));
    CU_ASSERT_PTR_NOT_NULL(strstr(vstring_str(out), "Subject: orig"));
    CU_ASSERT_PTR_NULL(strstr(vstring_str(out), "secret body")); /* HDRS */
    /* Only NOTIFY=DELAY wants a delay notice. */
    CU_ASSERT_EQUAL(bounce_dsn_build(&c, m, &log, DSN_DELAYED, out, why), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(vstring_str(out), "d@x"));
    /* Nobody wants one: 0 and no text. */
    bounce_log_free(&log);
    log_append(&f, QUEUE_DEFER_LOG, "c@x", "NEVER", 200, "450 later", 0);
    CU_ASSERT_FATAL(bounce_log_read(vstring_str(f.root), QUEUE_DEFER_LOG,
                                    vstring_str(f.id), &log, why) == 0);
    CU_ASSERT_EQUAL(bounce_dsn_build(&c, m, &log, DSN_DELAYED, out, why), 0);
    bounce_log_free(&log);
    queue_message_free(m);
    fx_close(&f);
    vstring_free(why);
    vstring_free(out);
}

/* Sends one request to bounce_service_conn and returns the reply. */
static struct attr_list *ask(struct bounce_conf *c, const char *id,
                             const char *kind)
{
    struct attr_list *a = attr_list_alloc();
    struct vstring *why = vstring_alloc(10);
    struct vstream *s;
    int sv[2];

    CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    s = vstream_fdopen(sv[0], VSTREAM_RW);
    vstream_set_timeout(s, 5);
    attr_list_add(a, MAIL_ATTR_QUEUE_ID, id);
    attr_list_add(a, MAIL_ATTR_QUEUE_NAME, QUEUE_ACTIVE);
    attr_list_add(a, MAIL_ATTR_KIND, kind);
    attr_write(s, a);
    bounce_service_conn(c, sv[1]);
    CU_ASSERT(attr_read(s, a, 0, why) == 1);
    vstream_close(s);
    vstring_free(why);
    return a;
}

static void test_service(void)
{
    struct attr_list *a;
    struct bounce_conf c;
    struct fx f;

    /* The null sender: OK, no DSN. */
    fx_open(&f, "", "", "Subject: x\n\nb\n");
    c = conf_for(&f);
    log_append(&f, QUEUE_BOUNCE_LOG, "b@x", "", 100, "550 no", 0);
    a = ask(&c, vstring_str(f.id), "failed");
    CU_ASSERT_STRING_EQUAL(attr_list_get(a, MAIL_ATTR_STATUS), "0");
    CU_ASSERT_STRING_EQUAL(attr_list_get(a, MAIL_ATTR_QUEUE_ID), "");
    attr_list_free(a);
    fx_close(&f);

    /* A DSN is due but cleanup is not there: 4, never 0. */
    fx_open(&f, "s@x", "", "Subject: x\n\nb\n");
    c = conf_for(&f);
    log_append(&f, QUEUE_BOUNCE_LOG, "b@x", "", 100, "550 no", 0);
    a = ask(&c, vstring_str(f.id), "failed");
    CU_ASSERT_STRING_EQUAL(attr_list_get(a, MAIL_ATTR_STATUS), "4");
    CU_ASSERT_PTR_NOT_NULL(strstr(attr_list_get(a, MAIL_ATTR_REASON),
                                  "cleanup"));
    attr_list_free(a);
    /* Nothing in the defer log: OK without a DSN. */
    a = ask(&c, vstring_str(f.id), "delayed");
    CU_ASSERT_STRING_EQUAL(attr_list_get(a, MAIL_ATTR_STATUS), "0");
    attr_list_free(a);
    /* Malformed: bad kind, bad id. */
    a = ask(&c, vstring_str(f.id), "maybe");
    CU_ASSERT_STRING_EQUAL(attr_list_get(a, MAIL_ATTR_STATUS), "4");
    attr_list_free(a);
    a = ask(&c, "../../etc/passwd", "failed");
    CU_ASSERT_STRING_EQUAL(attr_list_get(a, MAIL_ATTR_STATUS), "4");
    attr_list_free(a);
    fx_close(&f);
}

static const struct testkit_case cases[] = {
    {"log reader: cut-short record, replacement", test_log_reader},
    {"NOTIFY rules", test_notify_rules},
    {"DSN from log and queue file", test_dsn_build},
    {"service: null sender, no cleanup, malformed", test_service},
    {NULL, NULL},
};
TESTKIT_SUITE("bounce", NULL, NULL, cases);
