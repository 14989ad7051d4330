/*
 * mail_table.h - the order in which address-keyed tables are searched.
 *
 * canonical, virtual-alias, relocated and transport tables are dicts
 * (src/util/dict.h) keyed by addresses, local parts and domains. This module
 * says which keys are tried, in which order, and which one matched, so that
 * every daemon searches the same way. For "user+ext@domain" with the
 * recipient delimiter "+":
 *
 *   1. user+ext@domain   MAIL_TABLE_KEY_ADDRESS
 *   2. user@domain       MAIL_TABLE_KEY_ADDRESS_NOEXT  (only with an extension)
 *   3. user+ext          MAIL_TABLE_KEY_LOCAL          (only for a local
 * domain)
 *   4. user              MAIL_TABLE_KEY_LOCAL_NOEXT    (local, with extension)
 *   5. @domain           MAIL_TABLE_KEY_DOMAIN
 *
 * An address without '@' is a bare local part and gets keys 3 and 4 only.
 * The domain is what follows the last '@' (a quoted local part may hold
 * '@'). The extension starts at the first delimiter character that is not
 * the first byte of the local part; delimiters "" or NULL mean none. The
 * null address "" has no keys. The keys are built by plain string work; no
 * address syntax is checked here (that is address.h's job, done before).
 * Case: dict folds keys when the table asks for it; the keys are built
 * with the case of the address.
 *
 * Domain-keyed lookups (transport, relay domains) use
 * mail_table_lookup_domain(): "sub.example.com", then ".example.com",
 * then ".com" (a key with a leading dot matches every subdomain).
 */
#ifndef MAIL_TABLE_H
#define MAIL_TABLE_H

#include <stddef.h>

struct dict;

#define MAIL_TABLE_KEYS_MAX 5

enum mail_table_key {
    MAIL_TABLE_KEY_ADDRESS,
    MAIL_TABLE_KEY_ADDRESS_NOEXT,
    MAIL_TABLE_KEY_LOCAL,
    MAIL_TABLE_KEY_LOCAL_NOEXT,
    MAIL_TABLE_KEY_DOMAIN,
    MAIL_TABLE_KEY_PARENT_DOMAIN,
    MAIL_TABLE_KEY_NONE
};

struct mail_table_keys {
    size_t count;
    char *key[MAIL_TABLE_KEYS_MAX];
    enum mail_table_key kind[MAIL_TABLE_KEYS_MAX];
    char *extension; /* "ext" without the delimiter, or NULL */
};

/* Builds the ordered keys for addr; free with mail_table_keys_free(). */
void mail_table_keys_build(struct mail_table_keys *keys, const char *addr,
                           int domain_is_local, const char *delimiters);
void mail_table_keys_free(struct mail_table_keys *keys);

/*
 * Searches d with the keys above; returns the first value found or NULL.
 * *matched (when not NULL) gets the kind of key that matched, or
 * MAIL_TABLE_KEY_NONE.
 */
const char *mail_table_lookup_addr(const struct dict *d, const char *addr,
                                   int domain_is_local, const char *delimiters,
                                   enum mail_table_key *matched);

/* Searches d for domain, then its parents as ".parent"; NULL when none. */
const char *mail_table_lookup_domain(const struct dict *d, const char *domain,
                                     enum mail_table_key *matched);

#endif
