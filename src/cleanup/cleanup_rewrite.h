/*
 * cleanup_rewrite.h - what cleanup does to addresses before they are
 * queued: qualification, canonical_maps, virtual_alias_maps.
 *
 *   qualify    an address without a domain ("alice", "alice@" is an
 *              error) gets "@$myorigin"; the result is the canonical
 *              mailbox of address.h, or -1 for bad syntax;
 *   canonical  the envelope sender and the addresses of From:, Sender:,
 *              Reply-To:, To:, Cc: (and their Resent- forms) are looked up
 *              in canonical_maps (mail_table.h key order); the first word
 *              of the value replaces the address (then qualified);
 *   virtual    every envelope recipient is looked up in virtual_alias_maps;
 *              a value is a list of addresses (commas or blanks) that
 *              replaces the recipient, expanded again up to
 *              CLEANUP_VIRTUAL_DEPTH levels; an address that maps to a list
 *              holding itself keeps itself (the usual "copy to" idiom).
 *              More than `max` results is "5.5.3 too many recipients";
 *              deeper nesting is "5.4.6 virtual alias nesting too deep".
 *
 * Local domains (for the bare-local-part keys of mail_table.h) are the
 * entries of $mydestination. Tables are dicts loaded by the caller;
 * NULL means "no table". The null sender "" stays "".
 *
 * Header fields: cleanup_rewrite_headers() rewrites the address fields
 * named above. A field whose addresses do not change is left byte for
 * byte. A changed field with a single "<...>" address keeps its display
 * name and only the bracketed address changes; any other changed field is
 * written back as the plain list of its (rewritten) addresses: display
 * names and comments of such a field are lost (documented limitation).
 */
#ifndef CLEANUP_REWRITE_H
#define CLEANUP_REWRITE_H

#include <stddef.h>

struct dict;
struct vstring;
struct argv;
struct cleanup_msg;
struct cleanup_addrs;

#define CLEANUP_VIRTUAL_DEPTH 10

struct cleanup_rewrite {
    const char *myorigin;
    struct argv *mydestination; /* lower-case domains */
    const struct dict *canonical; /* or NULL */
    const struct dict *virtual_alias; /* or NULL */
};

/* mydestination: the parameter's value, split on commas and blanks. */
void cleanup_rewrite_init(struct cleanup_rewrite *rw, const char *myorigin,
                          const char *mydestination);
void cleanup_rewrite_free(struct cleanup_rewrite *rw);

/* 1 when domain is one of mydestination (case-insensitive), else 0. */
int cleanup_rewrite_local(const struct cleanup_rewrite *rw,
                          const char *domain);

/* Qualifies addr into out (canonical mailbox); 0, or -1 with a reason. */
int cleanup_rewrite_qualify(const struct cleanup_rewrite *rw, const char *addr,
                            struct vstring *out, const char **reason);

/* Qualify, then canonical_maps; 0, or -1 with a reason. "" stays "". */
int cleanup_rewrite_canonical(const struct cleanup_rewrite *rw,
                              const char *addr, struct vstring *out,
                              const char **reason);

/*
 * Qualifies addr and expands it through virtual_alias_maps, appending the
 * final addresses to out (at most max in out). 0, or -1 with an RFC 3463
 * reason in why.
 */
int cleanup_rewrite_virtual(const struct cleanup_rewrite *rw, const char *addr,
                            struct cleanup_addrs *out, size_t max,
                            struct vstring *why);

/* Rewrites the address fields of m in place (see above). */
void cleanup_rewrite_headers(const struct cleanup_rewrite *rw,
                             struct cleanup_msg *m);

#endif
