/*
 * cleanup_addrlist.c - the addresses of an address-list header value,
 * through address.h's RFC 5322 list parser (see cleanup_addrlist.h).
 */
#include <string.h>

#include "address.h"
#include "cleanup_addrlist.h"
#include "msg.h"
#include "mymalloc.h"

/* cleanup_addrs_init - an empty list */
void cleanup_addrs_init(struct cleanup_addrs *a)
{
    a->addr = 0;
    a->count = 0;
}

/* cleanup_addrs_free - release the list */
void cleanup_addrs_free(struct cleanup_addrs *a)
{
    size_t i;

    for (i = 0; i < a->count; i++)
        myfree(a->addr[i]);
    myfree(a->addr);
    cleanup_addrs_init(a);
}

/* cleanup_addrs_add - append a copy, within max */
int cleanup_addrs_add(struct cleanup_addrs *a, const char *addr, size_t max)
{
    if (a->count >= max)
        return -1;
    /* grow in powers of two: count 0, 1, 2, 4, ... */
    if ((a->count & (a->count - 1)) == 0)
        a->addr = myrealloc(a->addr, (a->count ? 2 * a->count : 1) *
                                         sizeof(char *));
    a->addr[a->count++] = mystrdup(addr);
    return 0;
}

/* cleanup_addrlist_extract - the addresses of one header value */
int cleanup_addrlist_extract(const char *value, struct cleanup_addrs *a,
                             size_t max)
{
    struct address_list l;
    struct address addr;
    const char *reason;
    int r;

    address_list_init(&l, value, strlen(value));
    while ((r = address_list_next(&l, &addr, &reason)) == 1)
        if (cleanup_addrs_add(a, addr.mailbox, max) < 0)
            return -1;
    if (r < 0 && msg_verbose)
        msg_info("address list \"%.100s\": %s", value, reason);
    return 0;
}
