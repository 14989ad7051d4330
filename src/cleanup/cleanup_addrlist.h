/*
 * cleanup_addrlist.h - the addresses named in one address-list header
 * value (To:, Cc:, Bcc: and their Resent- forms), for "sendmail -t".
 *
 * STOP-GAP: this is a splitter, not an RFC 5322 parser. It exists until
 * src/mail/address.h (RFC 5322 address-list parsing) lands; then
 * cleanup_addrlist_extract() becomes a thin wrapper around it and this
 * file's splitting goes away. What it does now: split at commas outside
 * quotes, angle brackets and comments; drop comments; a member with <...>
 * gives what is inside the brackets (a route "@a,@b:" prefix removed);
 * otherwise the member itself, blanks trimmed. Group syntax
 * "name: a, b;" gives a and b; an empty group gives nothing.
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

/*
 * Appends the addresses of value (an unfolded header value) to a, up to
 * max addresses in a. Returns 0, or -1 when max was reached.
 */
int cleanup_addrlist_extract(const char *value, struct cleanup_addrs *a,
                             size_t max);

#endif
