/*
 * cleanup_rewrite.c - qualification, canonical_maps and virtual_alias_maps
 * for cleanup (rules in cleanup_rewrite.h).
 */
#include <string.h>
#include <strings.h>

#include "address.h"
#include "argv.h"
#include "dict.h"
#include "mail_table.h"
#include "mymalloc.h"
#include "vstring.h"

#include "cleanup_addrlist.h"
#include "cleanup_headers.h"
#include "cleanup_rewrite.h"

/* cleanup_rewrite_init - remember myorigin and the local domains */
void cleanup_rewrite_init(struct cleanup_rewrite *rw, const char *myorigin,
                          const char *mydestination)
{
    size_t i;

    memset(rw, 0, sizeof(*rw));
    rw->myorigin = myorigin;
    rw->mydestination = argv_split(mydestination, ", \t\r\n");
    for (i = 0; i < rw->mydestination->argc; i++)
        dict_fold(rw->mydestination->argv[i],
                  strlen(rw->mydestination->argv[i]));
}

/* cleanup_rewrite_free - release the domain list */
void cleanup_rewrite_free(struct cleanup_rewrite *rw)
{
    argv_free(rw->mydestination);
    rw->mydestination = 0;
}

/* cleanup_rewrite_local - one of mydestination? */
int cleanup_rewrite_local(const struct cleanup_rewrite *rw, const char *domain)
{
    size_t i;

    for (i = 0; i < rw->mydestination->argc; i++)
        if (strcasecmp(rw->mydestination->argv[i], domain) == 0)
            return 1;
    return 0;
}

/* cleanup_rewrite_qualify - canonical mailbox with a domain */
int cleanup_rewrite_qualify(const struct cleanup_rewrite *rw, const char *addr,
                            struct vstring *out, const char **reason)
{
    struct address a;
    char box[ADDRESS_MAILBOX_MAX + 1];
    const char *second;
    struct vstring *tmp;
    int rc;

    if (address_parse_mailbox(addr, strlen(addr), &a, reason) < 0) {
        /* "alice": try again with the origin domain */
        tmp = vstring_alloc(100);
        vstring_sprintf(tmp, "%s@%s", addr, rw->myorigin);
        rc = address_parse_mailbox(vstring_str(tmp), vstring_len(tmp), &a,
                                   &second);
        vstring_free(tmp);
        if (rc < 0)
            return -1; /* with the first reason */
    }
    if (a.is_null) {
        *reason = "empty address";
        return -1;
    }
    if (a.domain[0] == 0) { /* "postmaster" is parsed without a domain */
        if (address_quote(a.local, rw->myorigin, box, sizeof(box)) < 0) {
            *reason = "address too long";
            return -1;
        }
        vstring_set_str(out, box);
        return 0;
    }
    vstring_set_str(out, a.mailbox);
    return 0;
}

/* domain_of - what follows the last '@', or "" */
static const char *domain_of(const char *mailbox)
{
    const char *at = strrchr(mailbox, '@');

    return at ? at + 1 : "";
}

/* cleanup_rewrite_canonical - qualify, then canonical_maps */
int cleanup_rewrite_canonical(const struct cleanup_rewrite *rw,
                              const char *addr, struct vstring *out,
                              const char **reason)
{
    struct argv *words;
    const char *value;
    int rc;

    if (*addr == 0) {
        vstring_reset(out);
        return 0;
    }
    if (cleanup_rewrite_qualify(rw, addr, out, reason) < 0)
        return -1;
    if (rw->canonical == 0)
        return 0;
    value = mail_table_lookup_addr(
        rw->canonical, vstring_str(out),
        cleanup_rewrite_local(rw, domain_of(vstring_str(out))), 0, 0);
    if (value == 0)
        return 0;
    words = argv_split(value, ", \t");
    rc = words->argc == 0 ? 0
                          : cleanup_rewrite_qualify(rw, words->argv[0], out,
                                                    reason);
    argv_free(words);
    return rc;
}

/* expand - one level of virtual_alias_maps for a qualified address */
static int expand(const struct cleanup_rewrite *rw, const char *addr,
                  struct cleanup_addrs *out, size_t max, int depth,
                  struct vstring *why)
{
    struct vstring *q;
    struct argv *targets;
    const char *value = 0, *reason;
    size_t i;
    int rc = 0;

    if (rw->virtual_alias)
        value = mail_table_lookup_addr(rw->virtual_alias, addr,
                                       cleanup_rewrite_local(rw,
                                                             domain_of(addr)),
                                       0, 0);
    if (value == 0 || depth < 0) {
        if (value && depth < 0) {
            vstring_sprintf(why, "5.4.6 virtual alias nesting too deep for %s",
                            addr);
            return -1;
        }
        if (cleanup_addrs_add(out, addr, max) < 0) {
            vstring_sprintf(why, "5.5.3 too many recipients (more than %zu)",
                            max);
            return -1;
        }
        return 0;
    }
    q = vstring_alloc(100);
    targets = argv_split(value, ", \t");
    for (i = 0; rc == 0 && i < targets->argc; i++) {
        if (cleanup_rewrite_qualify(rw, targets->argv[i], q, &reason) < 0) {
            vstring_sprintf(why, "4.3.0 virtual alias %s: bad target \"%.100s\":"
                            " %s", addr, targets->argv[i], reason);
            rc = -1;
        } else if (strcasecmp(vstring_str(q), addr) == 0) {
            if (cleanup_addrs_add(out, addr, max) < 0) {
                vstring_sprintf(why, "5.5.3 too many recipients (more than "
                                "%zu)", max);
                rc = -1;
            }
        } else {
            rc = expand(rw, vstring_str(q), out, max, depth - 1, why);
        }
    }
    argv_free(targets);
    vstring_free(q);
    return rc;
}

/* cleanup_rewrite_virtual - qualify and expand one recipient */
int cleanup_rewrite_virtual(const struct cleanup_rewrite *rw, const char *addr,
                            struct cleanup_addrs *out, size_t max,
                            struct vstring *why)
{
    struct vstring *q = vstring_alloc(100);
    const char *reason;
    int rc = -1;

    if (cleanup_rewrite_qualify(rw, addr, q, &reason) < 0)
        vstring_sprintf(why, "5.1.3 bad recipient address \"%.100s\": %s", addr,
                        reason);
    else
        rc = expand(rw, vstring_str(q), out, max, CLEANUP_VIRTUAL_DEPTH, why);
    vstring_free(q);
    return rc;
}

static const char *const address_fields[] = {
    "From",        "Sender",        "Reply-To",  "To",        "Cc",
    "Resent-From", "Resent-Sender", "Resent-To", "Resent-Cc", 0,
};

/* is_address_field - one of the fields rewritten */
static int is_address_field(const struct cleanup_field *f)
{
    const char *const *n;

    for (n = address_fields; *n; n++)
        if (cleanup_field_is(f, *n))
            return 1;
    return 0;
}

/* rewrite_field - new value into out when any address changed; 1 if so */
static int rewrite_field(const struct cleanup_rewrite *rw, const char *value,
                         struct vstring *out)
{
    struct address_list l;
    struct address a;
    struct vstring *box = vstring_alloc(100);
    const char *reason, *lt, *gt;
    size_t n = 0;
    int changed = 0, r;

    vstring_reset(out);
    address_list_init(&l, value, strlen(value));
    while ((r = address_list_next(&l, &a, &reason)) == 1) {
        if (cleanup_rewrite_canonical(rw, a.mailbox, box, &reason) < 0)
            vstring_set_str(box, a.mailbox);
        if (strcmp(vstring_str(box), a.mailbox) != 0)
            changed = 1;
        vstring_sprintf_append(out, "%s%s", n++ ? ", " : "", vstring_str(box));
    }
    if (r < 0)
        changed = 0; /* leave what we cannot read as it was */
    lt = strchr(value, '<');
    gt = lt ? strchr(lt, '>') : 0;
    if (changed && n == 1 && gt && strchr(gt, '<') == 0 &&
        strchr(value, '"') == 0 && strchr(value, '(') == 0) {
        /* "Name <addr>": keep the name */
        vstring_set_str(box, vstring_str(out));
        vstring_set(out, value, (size_t)(lt - value) + 1);
        vstring_append_str(out, vstring_str(box));
        vstring_append_str(out, gt);
    }
    vstring_free(box);
    return changed;
}

/* cleanup_rewrite_headers - rewrite the address fields in place */
void cleanup_rewrite_headers(const struct cleanup_rewrite *rw,
                             struct cleanup_msg *m)
{
    struct vstring *value = vstring_alloc(200), *out = vstring_alloc(200);
    size_t i;

    for (i = 0; i < m->count; i++) {
        if (!is_address_field(m->fields + i))
            continue;
        cleanup_field_value(m->fields + i, value);
        if (rewrite_field(rw, vstring_str(value), out))
            cleanup_field_set_value(m, i, vstring_str(out));
    }
    vstring_free(value);
    vstring_free(out);
}
