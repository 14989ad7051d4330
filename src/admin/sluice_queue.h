/*
 * sluice_queue.h - the queue tools of bin/sluice (sluice.h): list (mailq),
 * show, flush, delete, hold, release, requeue, check. They work on the queue
 * directories directly, read queue files only through queue_file_read(),
 * and move files only with queue_move(); qmgr learns of changes through a
 * trigger on private/qmgr.
 *
 * Exit status: 0 done, 1 something failed (said on stderr), 2 usage.
 */
#ifndef SLUICE_QUEUE_H
#define SLUICE_QUEUE_H

struct vstring;

/* The queues that hold messages, in the order list shows them. */
extern const char *const sluice_queue_names[];

int sluice_list(int argc, char **argv);
int sluice_show(int argc, char **argv);
int sluice_flush(int argc, char **argv);
int sluice_delete(int argc, char **argv);
int sluice_hold(int argc, char **argv);
int sluice_release(int argc, char **argv);
int sluice_requeue(int argc, char **argv);
int sluice_check(int argc, char **argv);

/* The queue root (queue_directory). */
const char *sluice_queue_root(void);
/* The queue that holds id, or NULL. */
const char *sluice_queue_find(const char *id);
/* Writes one trigger byte to private/qmgr; 0, or -1 (why). */
int sluice_queue_trigger(char byte, struct vstring *why);

/* Messages committed in place in spare/ (sluice_queue_spare.c). */
struct queue_message;
typedef void (*sluice_spare_fn)(const char *name, const char *id, void *ctx);
int sluice_spare_walk(sluice_spare_fn fn, void *ctx, struct vstring *why);
int sluice_spare_find(const char *id, struct vstring *name);
int sluice_spare_read(const char *name, const char *id,
                      struct queue_message **mp, struct vstring *why);

#endif
