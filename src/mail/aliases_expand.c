/*
 * aliases_expand.c - expanding a local name through aliases and :include:
 * files, with a visited set and a depth limit (rules in aliases.h).
 */
#include <string.h>
#include <strings.h>

#include "aliases.h"
#include "dict.h"
#include "mymalloc.h"
#include "vstring.h"

struct expand {
    const struct dict *aliases;
    const struct aliases_limits *lim;
    struct alias_source top; /* the aliases file */
    struct alias_list *out;
    char **visited; /* "n:name" and "i:/path" keys */
    size_t nvisited;
    struct vstring *why;
};

static int expand_targets(struct expand *x, const struct alias_list *list,
                          const char *parent, size_t depth);

/* visit_key - "n:name" (folded) or "i:/path" */
static char *visit_key(const char *kind, const char *name)
{
    size_t len = strlen(name) + 3;
    char *key = mymalloc(len);

    memcpy(key, kind, 2);
    memcpy(key + 2, name, len - 2);
    if (kind[0] == 'n')
        dict_fold(key, len - 1);
    return key;
}

/* visited - was this name or file expanded already */
static int visited(const struct expand *x, const char *kind, const char *name)
{
    char *key = visit_key(kind, name);
    size_t i;
    int found = 0;

    for (i = 0; i < x->nvisited && !found; i++)
        found = strcmp(x->visited[i], key) == 0;
    myfree(key);
    return found;
}

/* mark - remember a name or file as expanded */
static void mark(struct expand *x, const char *kind, const char *name)
{
    x->visited = myrealloc(x->visited, (x->nvisited + 1) * sizeof(char *));
    x->visited[x->nvisited++] = visit_key(kind, name);
}

/* emit - add a final target unless it is already there */
static int emit(struct expand *x, const struct alias_target *t, int literal)
{
    size_t i;
    struct alias_target copy = *t;

    for (i = 0; i < x->out->count; i++)
        if (x->out->items[i].kind == t->kind &&
            strcmp(x->out->items[i].text, t->text) == 0)
            return 0;
    if (x->out->count >= x->lim->targets_max) {
        vstring_sprintf(x->why,
                        "5.3.0 alias expansion yields more than %zu "
                        "targets",
                        x->lim->targets_max);
        return -1;
    }
    copy.literal = literal;
    alias_list_append(x->out, &copy);
    return 0;
}

/* expand_name - look a name up and expand its targets */
static int expand_name(struct expand *x, const char *name, size_t depth)
{
    const char *value = dict_lookup(x->aliases, name);
    struct alias_list list;
    struct vstring *reason;
    int ret;

    if (depth > x->lim->depth_max) {
        vstring_sprintf(x->why, "5.4.6 alias nesting deeper than %zu",
                        x->lim->depth_max);
        return -1;
    }
    mark(x, "n:", name);
    alias_list_init(&list);
    reason = vstring_alloc(64);
    ret = aliases_parse_targets(value, strlen(value), &x->top, &list,
                                x->lim->targets_max, reason);
    if (ret < 0)
        vstring_sprintf(x->why, "4.3.0 alias \"%s\": %s", name,
                        vstring_str(reason));
    else
        ret = expand_targets(x, &list, name, depth);
    vstring_free(reason);
    alias_list_free(&list);
    return ret;
}

/* expand_include - read an :include: file and expand what it names */
static int expand_include(struct expand *x, const struct alias_target *t,
                          size_t depth)
{
    struct alias_list list;
    struct vstring *reason;
    int ret = 0;

    if (!x->lim->allow_include) {
        vstring_sprintf(x->why, "5.7.1 :include: not allowed");
        return -1;
    }
    if (depth + 1 > x->lim->depth_max) {
        vstring_sprintf(x->why, "5.4.6 alias nesting deeper than %zu",
                        x->lim->depth_max);
        return -1;
    }
    if (visited(x, "i:", t->text))
        return 0;
    mark(x, "i:", t->text);
    alias_list_init(&list);
    reason = vstring_alloc(64);
    if (aliases_read_file(t->text, ALIAS_ORIGIN_INCLUDE, &t->source, 0, x->lim,
                          &list, reason) < 0) {
        vstring_sprintf(x->why, "4.3.0 :include: %s", vstring_str(reason));
        ret = -1;
    } else {
        ret = expand_targets(x, &list, 0, depth + 1);
    }
    vstring_free(reason);
    alias_list_free(&list);
    return ret;
}

/* expand_one - one target: recurse, read, or keep */
static int expand_one(struct expand *x, const struct alias_target *t,
                      const char *parent, size_t depth)
{
    if (t->kind == ALIAS_TARGET_INCLUDE)
        return expand_include(x, t, depth);
    if (t->kind != ALIAS_TARGET_ADDRESS || t->literal || strchr(t->text, '@') ||
        dict_lookup(x->aliases, t->text) == 0)
        return emit(x, t, t->literal);
    if (parent && strcasecmp(t->text, parent) == 0)
        return emit(x, t, 1); /* "alice: alice, ...": the mailbox */
    if (visited(x, "n:", t->text))
        return 0; /* a loop or a diamond: its targets are already out */
    return expand_name(x, t->text, depth + 1);
}

/* expand_targets - every target of a list */
static int expand_targets(struct expand *x, const struct alias_list *list,
                          const char *parent, size_t depth)
{
    size_t i;

    for (i = 0; i < list->count; i++)
        if (expand_one(x, list->items + i, parent, depth) < 0)
            return -1;
    return 0;
}

/* expand_init - a context over the aliases file */
static void expand_init(struct expand *x, const struct dict *aliases,
                        const struct aliases_limits *lim,
                        struct alias_list *out, struct vstring *why)
{
    memset(x, 0, sizeof(*x));
    x->aliases = aliases;
    x->lim = lim ? lim : &aliases_default_limits;
    aliases_source(aliases, &x->top);
    x->out = out;
    x->why = why;
}

/* expand_done - free the visited set */
static void expand_done(struct expand *x)
{
    size_t i;

    for (i = 0; i < x->nvisited; i++)
        myfree(x->visited[i]);
    myfree(x->visited);
}

/* aliases_expand - a local name through the aliases */
int aliases_expand(const struct dict *aliases, const char *name,
                   const struct aliases_limits *lim, struct alias_list *out,
                   struct vstring *why)
{
    struct expand x;
    size_t before = out->count;
    int ret;

    if (dict_lookup(aliases, name) == 0)
        return 0;
    expand_init(&x, aliases, lim, out, why);
    ret = expand_name(&x, name, 1) < 0 ? -1 : 1;
    if (ret == 1 && out->count == before) {
        vstring_sprintf(why, "5.4.6 alias loop for \"%s\"", name);
        ret = -1;
    }
    expand_done(&x);
    return ret;
}

/* aliases_expand_list - a .forward's targets through the aliases */
int aliases_expand_list(const struct dict *aliases, const struct alias_list *in,
                        const struct aliases_limits *lim,
                        struct alias_list *out, struct vstring *why)
{
    struct expand x;
    int ret;

    expand_init(&x, aliases, lim, out, why);
    ret = expand_targets(&x, in, 0, 1);
    expand_done(&x);
    return ret;
}
