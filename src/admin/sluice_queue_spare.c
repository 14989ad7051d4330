/*
 * sluice_queue_spare.c - the messages the queue tools find in spare/: a
 * message cleanup committed in place stays there while qmgr delivers it
 * (claimed in place, queue_spare.h), or for the moment until qmgr claims
 * or moves it. The tools list and show such a message as active, under
 * the id its seal names (queue_seal.h); they do not move or delete it:
 * it is being delivered, and is out of spare/ or retired soon.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mymalloc.h"
#include "vstring.h"

#include "queue.h"
#include "queue_file.h"
#include "queue_seal.h"

#include "sluice_queue.h"

/* sealed_id - the id spare/<name> is committed under; 1, or 0 (garbage) */
static int sealed_id(const char *name, char id[QUEUE_ID_LEN + 1])
{
    struct vstring *path = vstring_alloc(100);
    struct stat st;
    int fd, rc = 0;

    queue_path(path, sluice_queue_root(), QUEUE_SPARE, name);
    fd =
        open(vstring_str(path), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    vstring_free(path);
    if (fd < 0)
        return 0;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
        rc = queue_seal_committed(fd, st.st_size, name, id) == 1;
    close(fd);
    return rc;
}

/* sluice_spare_walk - fn(name, id, ctx) for every message in spare/; 0, or
 * -1 when spare/ cannot be listed (why) */
int sluice_spare_walk(sluice_spare_fn fn, void *ctx, struct vstring *why)
{
    struct vstring *name = vstring_alloc(QUEUE_ID_LEN + 1);
    char id[QUEUE_ID_LEN + 1];
    struct queue_scan scan;
    int is_part;

    if (queue_scan_open(&scan, sluice_queue_root(), QUEUE_SPARE, why) != 0) {
        vstring_free(name);
        return -1;
    }
    while (queue_scan_next(&scan, name, &is_part))
        if (!is_part && sealed_id(vstring_str(name), id))
            fn(vstring_str(name), id, ctx);
    queue_scan_close(&scan);
    vstring_free(name);
    return 0;
}

struct find_ctx {
    const char *id;
    struct vstring *name;
    int found;
};

/* find_one - sluice_spare_walk callback: is it the id sought? */
static void find_one(const char *name, const char *id, void *ctx)
{
    struct find_ctx *f = ctx;

    if (!f->found && strcmp(id, f->id) == 0) {
        vstring_set_str(f->name, name);
        f->found = 1;
    }
}

/* sluice_spare_find - the spare/ name of message id; 1 found, else 0 */
int sluice_spare_find(const char *id, struct vstring *name)
{
    struct vstring *why = vstring_alloc(100);
    struct find_ctx f = {id, name, 0};

    (void)sluice_spare_walk(find_one, &f, why);
    vstring_free(why);
    return f.found;
}

/* sluice_spare_read - spare/<name> through the one reader, as message id
 * in queue "active" */
int sluice_spare_read(const char *name, const char *id,
                      struct queue_message **mp, struct vstring *why)
{
    int rc = queue_file_read(sluice_queue_root(), QUEUE_SPARE, name,
                             QUEUE_FILE_RDONLY, mp, why);

    if (rc == QUEUE_FILE_OK) {
        myfree((*mp)->id);
        (*mp)->id = mystrdup(id);
        myfree((*mp)->queue);
        (*mp)->queue = mystrdup(QUEUE_ACTIVE);
    }
    return rc;
}
