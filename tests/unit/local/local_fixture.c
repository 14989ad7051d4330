/*
 * local_fixture.c - see local_fixture.h.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testkit.h"

#include "mymalloc.h"
#include "queue.h"
#include "queue_file.h"
#include "record.h"
#include "vstring.h"

#include "local_fixture.h"

void fixture_open(struct fixture *f, const char *sender, const char *content,
                  size_t chunk)
{
    struct vstring *why = vstring_alloc(100), *r = vstring_alloc(100);
    struct queue_file *qf;
    size_t len = strlen(content), n;

    memset(f, 0, sizeof(*f));
    f->dir = testkit_tempdir();
    vstring_sprintf(why, "%s/queue", f->dir);
    f->root = mystrdup(vstring_str(why));
    CU_ASSERT_FATAL(queue_dirs_create(f->root, (uid_t)-1, (gid_t)-1, why) == 0);
    qf = queue_file_create(f->root, QUEUE_INCOMING, 0600, why);
    CU_ASSERT_PTR_NOT_NULL_FATAL(qf);
    queue_file_put_str(qf, REC_TIME, "1700000000.000000");
    queue_file_put_str(qf, REC_SENDER, sender);
    record_rcpt_encode(r, "user@example.org", "", "");
    queue_file_put(qf, REC_RCPT, vstring_str(r), vstring_len(r));
    queue_file_put(qf, REC_MESSAGE, "", 0);
    for (; len > 0; content += n, len -= n) {
        n = chunk && chunk < len ? chunk : len;
        queue_file_put(qf, REC_CONTENT, content, n);
    }
    queue_file_put(qf, REC_CONTENT_END, "", 0);
    vstring_set_str(r, queue_file_id(qf));
    CU_ASSERT_FATAL(queue_file_commit(qf, why) == 0);
    CU_ASSERT_FATAL(queue_file_read(f->root, QUEUE_INCOMING, vstring_str(r),
                                    QUEUE_FILE_RDONLY, &f->qm,
                                    why) == QUEUE_FILE_OK);
    f->msg.qm = f->qm;
    f->msg.queue_id = f->qm->id;
    f->msg.sender = f->qm->sender;
    f->msg.envid = "";
    vstring_free(why);
    vstring_free(r);
}

void fixture_close(struct fixture *f)
{
    queue_message_free(f->qm);
    testkit_rmtree(f->dir);
    free(f->dir);
    myfree(f->root);
}

char *fixture_slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "r");
    char *buf;
    long n;

    if (fp == 0)
        return 0;
    fseek(fp, 0, SEEK_END);
    n = ftell(fp);
    rewind(fp);
    buf = malloc((size_t)n + 1);
    if (fread(buf, 1, (size_t)n, fp) != (size_t)n)
        n = 0;
    buf[n] = 0;
    fclose(fp);
    if (len)
        *len = (size_t)n;
    return buf;
}

const char *fixture_only_file(const char *dir)
{
    static char name[512];
    struct dirent *e;
    DIR *d = opendir(dir);
    int count = 0;

    if (d == 0)
        return 0;
    while ((e = readdir(d)) != 0) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(name, sizeof(name), "%s/%s", dir, e->d_name);
        count++;
    }
    closedir(d);
    return count == 1 ? name : 0;
}
