/*
 * aliases_parse.c - a target list of the aliases file, an :include: file
 * or a .forward file, split and typed (pure: no I/O; see aliases.h).
 */
#include <string.h>
#include <strings.h>

#include "aliases.h"
#include "mymalloc.h"
#include "vstring.h"

#define INCLUDE_PREFIX ":include:"

/* alias_list_init - an empty list */
void alias_list_init(struct alias_list *list)
{
    list->items = 0;
    list->count = 0;
    list->cap = 0;
}

/* alias_list_free - free every target and the list */
void alias_list_free(struct alias_list *list)
{
    size_t i;

    for (i = 0; i < list->count; i++) {
        myfree(list->items[i].text);
        myfree(list->items[i].source.path);
    }
    myfree(list->items);
    alias_list_init(list);
}

/* alias_list_add - append a target; text and a copy of src are taken */
static void alias_list_add(struct alias_list *list, enum alias_kind kind,
                           const char *text, size_t len, int literal,
                           const struct alias_source *src)
{
    struct alias_target *t;

    if (list->count == list->cap) {
        list->cap = list->cap ? list->cap * 2 : 8;
        list->items = myrealloc(list->items, list->cap * sizeof(*t));
    }
    t = list->items + list->count++;
    t->kind = kind;
    t->text = mystrndup(text, len);
    t->literal = literal;
    t->source = *src;
    t->source.path = src->path ? mystrdup(src->path) : 0;
}

/* alias_list_append - append a copy of a target */
void alias_list_append(struct alias_list *list, const struct alias_target *t)
{
    alias_list_add(list, t->kind, t->text, strlen(t->text), t->literal,
                   &t->source);
}

/* aliases_address_ok - placeholder syntax check until address.h lands */
int aliases_address_ok(const char *addr)
{
    int quoted = 0;

    if (*addr == 0)
        return 0;
    for (; *addr; addr++) {
        if ((unsigned char)*addr < 32 || *addr == 127)
            return 0;
        if (*addr == '"')
            quoted = !quoted;
        else if (!quoted && (*addr == ' ' || *addr == '\t' || *addr == ','))
            return 0;
    }
    return !quoted;
}

/* unquote - the inside of a fully quoted token, escapes removed */
static void unquote(const char *s, size_t len, struct vstring *out)
{
    size_t i;

    vstring_reset(out);
    for (i = 1; i + 1 < len; i++) {
        if (s[i] == '\\' && i + 2 < len)
            i++;
        vstring_append_char(out, s[i]);
    }
}

/* fully_quoted - the token is one quoted string from start to end */
static int fully_quoted(const char *s, size_t len)
{
    size_t i;

    if (len < 2 || s[0] != '"' || s[len - 1] != '"')
        return 0;
    for (i = 1; i + 1 < len; i++) {
        if (s[i] == '\\')
            i++;
        else if (s[i] == '"')
            return 0;
    }
    return i == len - 1;
}

/* classify - type one token and append it; 0 or -1 with why */
static int classify(const char *tok, size_t len, const struct alias_source *src,
                    struct alias_list *out, struct vstring *why)
{
    struct vstring *inner = vstring_alloc(len + 1);
    const char *s = tok;
    size_t n = len, skip;
    int ret = 0;

    if (fully_quoted(tok, len)) {
        unquote(tok, len, inner);
        s = vstring_str(inner);
        n = vstring_len(inner);
        if (n == 0 || strchr("|/:\\", s[0]) == 0) {
            s = tok; /* "john smith": a quoted local part, keep the quotes */
            n = len;
        }
    }
    if (memchr(s, 0, n)) {
        vstring_sprintf(why, "NUL byte in target");
        ret = -1;
    } else if (s[0] == '|' || s[0] == '/') {
        skip = s[0] == '|';
        while (skip < n && (s[skip] == ' ' || s[skip] == '\t'))
            skip++;
        if (skip == n) {
            vstring_sprintf(why, "empty command");
            ret = -1;
        } else {
            alias_list_add(
                out, s[0] == '|' ? ALIAS_TARGET_COMMAND : ALIAS_TARGET_FILE,
                s + skip, n - skip, 0, src);
        }
    } else if (n >= sizeof(INCLUDE_PREFIX) - 1 &&
               strncasecmp(s, INCLUDE_PREFIX, sizeof(INCLUDE_PREFIX) - 1) ==
                   0) {
        for (skip = sizeof(INCLUDE_PREFIX) - 1; skip < n && s[skip] == ' ';
             skip++)
            ;
        if (skip == n || s[skip] != '/') {
            vstring_sprintf(why, ":include: needs an absolute path");
            ret = -1;
        } else {
            alias_list_add(out, ALIAS_TARGET_INCLUDE, s + skip, n - skip, 0,
                           src);
        }
    } else {
        struct vstring *addr = vstring_alloc(n + 1);

        skip = s[0] == '\\';
        vstring_set(addr, s + skip, n - skip);
        if (!aliases_address_ok(vstring_str(addr))) {
            vstring_sprintf(why, "bad address \"%s\"", vstring_str(addr));
            ret = -1;
        } else {
            alias_list_add(out, ALIAS_TARGET_ADDRESS, s + skip, n - skip,
                           (int)skip, src);
        }
        vstring_free(addr);
    }
    vstring_free(inner);
    return ret;
}

/* aliases_parse_targets - split at commas outside quotes, type each */
int aliases_parse_targets(const char *text, size_t len,
                          const struct alias_source *src,
                          struct alias_list *out, size_t max_total,
                          struct vstring *why)
{
    size_t i = 0, start, end, before = out->count;
    int quoted;

    while (i < len) {
        while (i < len && (text[i] == ' ' || text[i] == '\t'))
            i++;
        start = i;
        for (quoted = 0; i < len && (quoted || text[i] != ','); i++) {
            if (quoted && text[i] == '\\' && i + 1 < len)
                i++;
            else if (text[i] == '"')
                quoted = !quoted;
        }
        if (quoted) {
            vstring_sprintf(why, "unbalanced quote");
            return -1;
        }
        for (end = i;
             end > start && (text[end - 1] == ' ' || text[end - 1] == '\t');
             end--)
            ;
        i++; /* past the comma */
        if (end == start)
            continue; /* "a,,b" and a trailing comma are tolerated */
        if (out->count >= max_total) {
            vstring_sprintf(why, "more than %zu targets", max_total);
            return -1;
        }
        if (classify(text + start, end - start, src, out, why) < 0)
            return -1;
    }
    if (out->count == before) {
        vstring_sprintf(why, "no targets");
        return -1;
    }
    return 0;
}
