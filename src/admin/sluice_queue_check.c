/*
 * sluice_queue_check.c - "sluice check [--repair]": what a crash or a hand
 * may have left in the queue, and with --repair, what can be put right:
 *
 *   - "<id>.part" leftovers whose writer is gone (repair: queue_file_sweep);
 *   - files the one reader refuses (it moves them to corrupt/ itself: that
 *     is its contract, so check reports them as moved even without
 *     --repair);
 *   - names in a queue directory that are not queue ids (reported only);
 *   - the same id in two queues (reported only: a person must choose);
 *   - files in active/ while master is not running (repair: back to
 *     incoming/, as qmgr would do at start);
 *   - defer/ and bounce/ logs without a queue file (repair: removed).
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vstring.h"

#include "queue.h"
#include "queue_file.h"

#include "sluice.h"
#include "sluice_queue.h"

/* check_names - entries that are neither ids nor id.part */
static int check_names(const char *queue)
{
    struct vstring *path = vstring_alloc(100);
    struct dirent *e;
    DIR *dir;
    int found = 0;
    size_t n;

    queue_dir_path(path, sluice_queue_root(), queue);
    if ((dir = opendir(vstring_str(path))) == 0) {
        printf("problem: cannot open %s\n", vstring_str(path));
        vstring_free(path);
        return 1;
    }
    while ((e = readdir(dir)) != 0) {
        n = strlen(e->d_name);
        if (e->d_name[0] == '.' && (n == 1 || (n == 2 && e->d_name[1] == '.')))
            continue;
        if (n == QUEUE_ID_LEN && queue_id_valid(e->d_name))
            continue;
        if (n == QUEUE_ID_LEN + 5 && strcmp(e->d_name + QUEUE_ID_LEN, ".part") == 0)
            continue;
        printf("problem: %s/%s: not a queue file name (left alone)\n", queue,
               e->d_name);
        found++;
    }
    closedir(dir);
    vstring_free(path);
    return found;
}

/* in_queue - 1 when queue holds a file named id */
static int in_queue(const char *id, const char *queue)
{
    struct vstring *path = vstring_alloc(100);
    int r;

    queue_path(path, sluice_queue_root(), queue, id);
    r = access(vstring_str(path), F_OK) == 0;
    vstring_free(path);
    return r;
}

/* check_queue - parts, readability, duplicates, active leftovers */
static int check_queue(const char *queue, int repair, int master_up)
{
    struct vstring *why = vstring_alloc(100);
    struct vstring *id = vstring_alloc(QUEUE_ID_LEN + 1);
    const char *const *other;
    struct queue_message *m;
    struct queue_scan scan;
    int is_part, found = check_names(queue), parts = 0, r;

    if (queue_scan_open(&scan, sluice_queue_root(), queue, why) != 0) {
        printf("problem: %s\n", vstring_str(why));
        found++;
        goto out;
    }
    while (queue_scan_next(&scan, id, &is_part)) {
        if (is_part) {
            parts++;
            continue;
        }
        for (other = sluice_queue_names; *other; other++)
            if (strcmp(*other, queue) < 0 && in_queue(vstring_str(id), *other)) {
                printf("problem: %s is in %s and in %s (left alone)\n",
                       vstring_str(id), queue, *other);
                found++;
            }
        r = queue_file_read(sluice_queue_root(), queue, vstring_str(id),
                            QUEUE_FILE_RDONLY, &m, why);
        if (r == QUEUE_FILE_OK) {
            queue_message_free(m);
        } else if (r == QUEUE_FILE_CORRUPT) {
            printf("problem: %s/%s unreadable, moved to corrupt/: %s\n", queue,
                   vstring_str(id), vstring_str(why));
            found++;
            continue;
        } else if (r == QUEUE_FILE_ERROR) {
            printf("problem: %s/%s: %s\n", queue, vstring_str(id),
                   vstring_str(why));
            found++;
            continue;
        }
        if (strcmp(queue, QUEUE_ACTIVE) == 0 && !master_up) {
            found++;
            if (!repair)
                printf("problem: %s in active/ while sluice is not running\n",
                       vstring_str(id));
            else if (queue_move(sluice_queue_root(), QUEUE_ACTIVE,
                                QUEUE_INCOMING, vstring_str(id), why) == 0)
                printf("repaired: %s moved from active/ to incoming/\n",
                       vstring_str(id));
            else
                printf("problem: %s: %s\n", vstring_str(id), vstring_str(why));
        }
    }
    queue_scan_close(&scan);
    if (parts && repair) {
        r = queue_file_sweep(sluice_queue_root(), queue, why);
        printf("repaired: %d incomplete file(s) removed from %s/ "
               "(%d left: writer still alive)\n", r < 0 ? 0 : r, queue,
               parts - (r < 0 ? 0 : r));
    } else if (parts) {
        printf("problem: %d incomplete .part file(s) in %s/\n", parts, queue);
    }
    found += parts;
out:
    vstring_free(id);
    vstring_free(why);
    return found;
}

/* check_logs - per-message logs whose message is gone */
static int check_logs(const char *log, int repair)
{
    struct vstring *why = vstring_alloc(100);
    struct vstring *id = vstring_alloc(QUEUE_ID_LEN + 1);
    struct vstring *path = vstring_alloc(100);
    struct queue_scan scan;
    int is_part, found = 0;

    if (queue_scan_open(&scan, sluice_queue_root(), log, why) != 0) {
        printf("problem: %s\n", vstring_str(why));
        found++;
    } else {
        while (queue_scan_next(&scan, id, &is_part)) {
            if (is_part || sluice_queue_find(vstring_str(id)))
                continue;
            found++;
            queue_path(path, sluice_queue_root(), log, vstring_str(id));
            if (repair && unlink(vstring_str(path)) == 0)
                printf("repaired: removed %s/%s (no such message)\n", log,
                       vstring_str(id));
            else
                printf("problem: %s/%s has no queue file\n", log,
                       vstring_str(id));
        }
        queue_scan_close(&scan);
    }
    vstring_free(path);
    vstring_free(id);
    vstring_free(why);
    return found;
}

/* sluice_check - report, and with --repair fix, queue problems */
int sluice_check(int argc, char **argv)
{
    const char *const *q;
    int repair = argc == 2 && strcmp(argv[1], "--repair") == 0;
    int master_up = sluice_master_pid() != 0, found = 0;

    if (argc > 2 || (argc == 2 && !repair)) {
        fprintf(stderr, "usage: sluice check [--repair]\n");
        return 2;
    }
    for (q = sluice_queue_names; *q; q++)
        found += check_queue(*q, repair, master_up);
    found += check_logs(QUEUE_DEFER_LOG, repair);
    found += check_logs(QUEUE_BOUNCE_LOG, repair);
    printf("check: %d problem%s found%s\n", found, found == 1 ? "" : "s",
           repair ? " (see the repaired lines)" : "");
    return found && !repair ? 1 : 0;
}
