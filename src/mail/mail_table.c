/*
 * mail_table.c - the key order of address- and domain-keyed tables.
 *
 * Used by cleanup (canonical, virtual), resolve (transport) and local; see
 * mail_table.h for the order.
 */
#include <string.h>

#include "dict.h"
#include "mail_table.h"
#include "mymalloc.h"

/* add_key - append one key made of up to three pieces */
static void add_key(struct mail_table_keys *k, enum mail_table_key kind,
                    const char *a, size_t alen, const char *b, size_t blen)
{
    char *s = mymalloc(alen + blen + 1);

    memcpy(s, a, alen);
    memcpy(s + alen, b, blen);
    s[alen + blen] = 0;
    k->key[k->count] = s;
    k->kind[k->count] = kind;
    k->count++;
}

/* mail_table_keys_build - the ordered keys for one address */
void mail_table_keys_build(struct mail_table_keys *k, const char *addr,
                           int domain_is_local, const char *delimiters)
{
    const char *at = strrchr(addr, '@');
    size_t local_len = at ? (size_t)(at - addr) : strlen(addr);
    size_t base_len = local_len;
    size_t i;

    memset(k, 0, sizeof(*k));
    if (*addr == 0)
        return;
    if (delimiters && *delimiters) {
        for (i = 1; i < local_len; i++) {
            if (strchr(delimiters, addr[i])) {
                base_len = i;
                k->extension = mystrndup(addr + i + 1, local_len - i - 1);
                break;
            }
        }
    }
    if (at) {
        add_key(k, MAIL_TABLE_KEY_ADDRESS, addr, strlen(addr), "", 0);
        if (base_len < local_len)
            add_key(k, MAIL_TABLE_KEY_ADDRESS_NOEXT, addr, base_len, at,
                    strlen(at));
    }
    if (at == 0 || domain_is_local) {
        if (local_len > 0)
            add_key(k, MAIL_TABLE_KEY_LOCAL, addr, local_len, "", 0);
        if (base_len < local_len && base_len > 0)
            add_key(k, MAIL_TABLE_KEY_LOCAL_NOEXT, addr, base_len, "", 0);
    }
    if (at && at[1])
        add_key(k, MAIL_TABLE_KEY_DOMAIN, at, strlen(at), "", 0);
}

/* mail_table_keys_free - release the keys */
void mail_table_keys_free(struct mail_table_keys *k)
{
    size_t i;

    for (i = 0; i < k->count; i++)
        myfree(k->key[i]);
    myfree(k->extension);
    memset(k, 0, sizeof(*k));
}

/* mail_table_lookup_addr - first match in key order */
const char *mail_table_lookup_addr(const struct dict *d, const char *addr,
                                   int domain_is_local, const char *delimiters,
                                   enum mail_table_key *matched)
{
    struct mail_table_keys k;
    const char *value = 0;
    enum mail_table_key kind = MAIL_TABLE_KEY_NONE;
    size_t i;

    mail_table_keys_build(&k, addr, domain_is_local, delimiters);
    for (i = 0; i < k.count && value == 0; i++) {
        value = dict_lookup(d, k.key[i]);
        if (value)
            kind = k.kind[i];
    }
    mail_table_keys_free(&k);
    if (matched)
        *matched = kind;
    return value;
}

/* mail_table_lookup_domain - the domain, then ".parent" keys */
const char *mail_table_lookup_domain(const struct dict *d, const char *domain,
                                     enum mail_table_key *matched)
{
    const char *value = dict_lookup(d, domain);
    const char *dot;
    enum mail_table_key kind =
        value ? MAIL_TABLE_KEY_DOMAIN : MAIL_TABLE_KEY_NONE;

    for (dot = strchr(domain, '.'); value == 0 && dot && dot[1];
         dot = strchr(dot + 1, '.')) {
        value = dict_lookup(d, dot);
        if (value)
            kind = MAIL_TABLE_KEY_PARENT_DOMAIN;
    }
    if (matched)
        *matched = kind;
    return value;
}
