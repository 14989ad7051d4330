/*
 * cleanup_addrlist.h - the addresses named in one address-list header
 * value (To:, Cc:, Bcc: and their Resent- forms), for "sendmail -t" and
 * for rewriting header addresses.
 *
 * A thin layer over address.h's RFC 5322 list parser (address_list_next):
 * display names, comments and group names are dropped, a group
 * "name: a, b;" gives a and b, a source route is removed, and every
 * address comes out in its canonical mailbox form ("local@domain", the
 * local part quoted only when it must be). An address without a domain
 * gives the bare local part: the caller qualifies it (@$myorigin).
 *
 * A value that stops parsing half-way keeps the addresses found before
 * the error: a header that mail(1) or a script wrote sloppily still
 * reaches its good recipients; what could not be read is left to the
 * sender's own copy of the header.
 */
#ifndef CLEANUP_ADDRLIST_H
#define CLEANUP_ADDRLIST_H

#include <stddef.h>

struct cleanup_addrs {
    char **addr;
    size_t count;
};

void cleanup_addrs_init(struct cleanup_addrs *a);
void cleanup_addrs_free(struct cleanup_addrs *a);

/* Appends a copy of addr; 0, or -1 when a already holds max addresses. */
int cleanup_addrs_add(struct cleanup_addrs *a, const char *addr, size_t max);

/*
 * Appends the addresses of value (an unfolded header value) to a, up to
 * max addresses in a. Returns 0, or -1 when max was reached.
 */
int cleanup_addrlist_extract(const char *value, struct cleanup_addrs *a,
                             size_t max);

#endif
