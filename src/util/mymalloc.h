/*
 * mymalloc.h - memory allocation that never returns NULL.
 *
 * Every allocation in Sluice goes through these functions. When the system
 * cannot satisfy a request the process ends with msg_fatal(): a daemon that
 * runs out of memory gives up its current transaction (which its predecessor
 * retries), rather than carrying on with a half-built state. Callers therefore
 * never test for NULL. A zero-length request is valid and returns a unique
 * pointer.
 */
#ifndef MYMALLOC_H
#define MYMALLOC_H

#include <stddef.h>

/*@ assigns \nothing;
    ensures \valid((char *)\result + (0 .. len - 1));
 */
void *mymalloc(size_t len);

/* Resizes ptr (which may be NULL) to len bytes; the old contents are kept. */
void *myrealloc(void *ptr, size_t len);

/* Frees what mymalloc/myrealloc/mystrdup returned; NULL is accepted. */
void myfree(void *ptr);

char *mystrdup(const char *str);
char *mystrndup(const char *str, size_t len);
void *mymemdup(const void *ptr, size_t len);

#endif
