/*
 * queue_spare_int.h - what the two halves of the spare pool share:
 * queue_spare.c (retiring and taking one file) and queue_spare_start.c
 * (recovery, the start check, the reserve, the sync stamp). Not for use
 * outside them; the interface is queue_spare.h.
 */
#ifndef QUEUE_SPARE_INT_H
#define QUEUE_SPARE_INT_H

#include <sys/stat.h>
#include <time.h>

struct vstring;

/* In spare/: its mtime says which spare names are durable
 * (queue_spare_synced). Not a queue id, so no walk ever lists it. */
#define SPARE_STAMP ".synced"

/* <root>/spare/.synced into path. */
void spare_stamp_path(struct vstring *path, const char *root);

/* fn over every spare name; the sum of what fn returned, or -1 when
 * spare/ cannot be listed. path is fn's scratch space. */
long spare_walk(const char *root, struct vstring *path,
                int (*fn)(const char *, const char *, struct vstring *));

/* Does path still name the inode st describes? */
int spare_same_file(const char *path, const struct stat *st);

/* Does the file open on fd (st its status, path its spare/ name) hold a
 * message committed in place (queue_seal.h)? */
int spare_sealed_here(int fd, const struct stat *st, const char *path);

/* Is a later than b? */
int spare_ts_after(const struct timespec *a, const struct timespec *b);

/* A monotonic clock in milliseconds. */
long long spare_now_ms(void);

/* The retirer's count of spare/ is stale: count again before trusting it. */
void spare_forget_count(void);

#endif
