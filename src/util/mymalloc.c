/*
 * mymalloc.c - allocation wrappers that end the process instead of failing.
 */
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "mymalloc.h"

/* mymalloc - allocate len bytes or die */
void *mymalloc(size_t len)
{
    void *ptr = malloc(len ? len : 1);

    if (ptr == 0)
        msg_fatal("out of memory allocating %zu bytes", len);
    return ptr;
}

/* myrealloc - resize or die */
void *myrealloc(void *ptr, size_t len)
{
    void *new_ptr = realloc(ptr, len ? len : 1);

    if (new_ptr == 0)
        msg_fatal("out of memory reallocating %zu bytes", len);
    return new_ptr;
}

/* myfree - release memory */
void myfree(void *ptr)
{
    free(ptr);
}

/* mystrdup - copy a string */
char *mystrdup(const char *str)
{
    return mymemdup(str, strlen(str) + 1);
}

/* mystrndup - copy at most len bytes of a string, always terminated */
char *mystrndup(const char *str, size_t len)
{
    size_t n = strnlen(str, len);
    char *copy = mymalloc(n + 1);

    memcpy(copy, str, n);
    copy[n] = 0;
    return copy;
}

/* mymemdup - copy a block */
void *mymemdup(const void *ptr, size_t len)
{
    void *copy = mymalloc(len);

    if (len > 0)
        memcpy(copy, ptr, len);
    return copy;
}
