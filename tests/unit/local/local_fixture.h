/*
 * local_fixture.h - a committed queue file in a temporary directory, opened
 * through the one reader, as local's tests need it.
 */
#ifndef LOCAL_FIXTURE_H
#define LOCAL_FIXTURE_H

#include <stddef.h>

#include "local.h"

struct fixture {
    char *dir;  /* temporary directory; the queue is <dir>/queue */
    char *root;
    struct queue_message *qm;
    struct local_msg msg;
};

/* Writes a queue file with this content (chunked in pieces of chunk bytes,
 * 0 = one piece) and opens it. */
void fixture_open(struct fixture *f, const char *sender, const char *content,
                  size_t chunk);
void fixture_close(struct fixture *f);

/* The whole file at path (NUL-terminated, malloc'ed) or NULL. */
char *fixture_slurp(const char *path, size_t *len);

/* The one file in dir (name into a static buffer) or NULL when not one. */
const char *fixture_only_file(const char *dir);

#endif
