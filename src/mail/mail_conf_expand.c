/*
 * mail_conf_expand.c - expansion of $name and ${name} in configuration
 * values, recursively, with loop detection (see mail_conf.h).
 *
 * Each entry is expanded once and the result kept; an entry marked busy
 * while its own expansion is under way is a loop. The chain of names being
 * expanded is kept so that the error can show the whole loop.
 */
#include <string.h>

#include "mymalloc.h"
#include "vstring.h"

#include "mail_conf.h"
#include "mail_conf_private.h"

#define EXPAND_CHAIN_MAX 64 /* deeper chains are reported as loops */

struct expand_state {
    struct conf_store *store;
    const char *chain[EXPAND_CHAIN_MAX];
    int depth;
    size_t total; /* bytes of values expanded so far: at most
                   * MAIL_CONF_MAX_SIZE ("$a$a" chains grow exponentially) */
};

static int expand_entry(struct expand_state *st, struct conf_entry *e,
                        struct vstring *why);

/* conf_name_char - the bytes a parameter name is made of */
int conf_name_char(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9') || c == '_';
}

/* loop_report - describe the loop that ends at name */
static void loop_report(struct expand_state *st, const char *name,
                        struct vstring *why)
{
    int i = 0;

    while (i < st->depth && strcmp(st->chain[i], name) != 0)
        i++;
    vstring_set_str(why, "$reference loop: ");
    for (; i < st->depth; i++)
        vstring_sprintf_append(why, "%s -> ", st->chain[i]);
    vstring_append_str(why, name);
}

/* parse_ref - read the name after '$'; returns bytes used, 0 if malformed */
static size_t parse_ref(const char *p, char *name, size_t size)
{
    size_t n = 0;
    int braced = (*p == '{');
    const char *q = p + braced;

    while (conf_name_char((unsigned char)q[n]))
        n++;
    if (n == 0 || n >= size || (braced && q[n] != '}'))
        return 0;
    memcpy(name, q, n);
    name[n] = 0;
    return n + (braced ? 2 : 0);
}

/* expand_text - append text with its references expanded */
static int expand_text(struct expand_state *st, const char *text,
                       struct vstring *out, struct vstring *why)
{
    char name[256];
    const char *p = text;
    struct conf_entry *ref;
    size_t used;

    while (*p) {
        if (*p != '$') {
            vstring_append_char(out, *p++);
            continue;
        }
        if (p[1] == '$') {
            vstring_append_char(out, '$');
            p += 2;
            continue;
        }
        if ((used = parse_ref(p + 1, name, sizeof(name))) == 0) {
            vstring_sprintf(why, "malformed $reference in \"%s\" "
                                 "(write $$ for a dollar sign)", text);
            return -1;
        }
        if ((ref = conf_store_find(st->store, name)) == 0) {
            vstring_sprintf(why, "unknown parameter $%s", name);
            return -1;
        }
        if (expand_entry(st, ref, why) != 0)
            return -1;
        if (st->total + vstring_len(out) + strlen(ref->value) >
            MAIL_CONF_MAX_SIZE) {
            vstring_sprintf(why, "values longer than %d bytes after "
                                 "$reference expansion", MAIL_CONF_MAX_SIZE);
            return -1;
        }
        vstring_append_str(out, ref->value);
        p += 1 + used;
    }
    return 0;
}

/* expand_entry - expand one entry once, refusing loops */
static int expand_entry(struct expand_state *st, struct conf_entry *e,
                        struct vstring *why)
{
    struct vstring *out;
    int status;

    if (e->value)
        return 0;
    if (e->busy || st->depth == EXPAND_CHAIN_MAX) {
        loop_report(st, e->name, why);
        return -1;
    }
    e->busy = 1;
    st->chain[st->depth++] = e->name;
    out = vstring_alloc(strlen(e->raw) + 1);
    status = expand_text(st, e->raw, out, why);
    if (status == 0) {
        e->value = mystrdup(vstring_str(out));
        st->total += vstring_len(out);
    }
    vstring_free(out);
    st->depth--;
    e->busy = 0;
    return status;
}

/* conf_store_expand_all - expand every entry of a store */
int conf_store_expand_all(struct conf_store *store, const char *filename,
                          struct vstring *why)
{
    struct expand_state st = {store, {0}, 0, 0};
    struct vstring *inner = vstring_alloc(64);
    size_t i;
    int status = 0;

    for (i = 0; i < store->count && status == 0; i++) {
        struct conf_entry *e = store->entries + i;

        if ((status = expand_entry(&st, e, inner)) == 0)
            continue;
        vstring_reset(why);
        if (e->source == MAIL_CONF_FROM_FILE)
            vstring_sprintf(why, "%s:%d: ", filename, e->line);
        vstring_sprintf_append(why, "parameter %s: %s", e->name,
                               vstring_str(inner));
    }
    vstring_free(inner);
    return status;
}

/* conf_store_expand_text - expand free text against a store */
int conf_store_expand_text(struct conf_store *store, const char *text,
                           struct vstring *out, struct vstring *why)
{
    struct expand_state st = {store, {0}, 0, 0};

    return expand_text(&st, text, out, why);
}
