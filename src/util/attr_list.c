/*
 * attr_list.c - the in-memory form of one attribute record: an ordered,
 * growable array of (name, value, length) triples. The wire format is in
 * attr.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attr.h"
#include "msg.h"
#include "mymalloc.h"

struct attr_pair {
    char *name;
    char *value; /* len bytes + NUL */
    size_t len;
};

struct attr_list {
    struct attr_pair *pairs;
    size_t count;
    size_t cap;
};

/* attr_name_ok - [a-z0-9_]+ of at most max bytes */
int attr_name_ok(const char *name, size_t len, size_t max)
{
    size_t i;

    if (len == 0 || len > max)
        return 0;
    for (i = 0; i < len; i++)
        if (!((name[i] >= 'a' && name[i] <= 'z') ||
              (name[i] >= '0' && name[i] <= '9') || name[i] == '_'))
            return 0;
    return 1;
}

/* attr_list_alloc - an empty list */
struct attr_list *attr_list_alloc(void)
{
    struct attr_list *list = mymalloc(sizeof(*list));

    list->cap = 8;
    list->count = 0;
    list->pairs = mymalloc(list->cap * sizeof(list->pairs[0]));
    return list;
}

/* attr_list_reset - forget every pair */
void attr_list_reset(struct attr_list *list)
{
    while (list->count > 0) {
        list->count--;
        myfree(list->pairs[list->count].name);
        myfree(list->pairs[list->count].value);
    }
}

/* attr_list_free - release the list */
void attr_list_free(struct attr_list *list)
{
    if (list == 0)
        return;
    attr_list_reset(list);
    myfree(list->pairs);
    myfree(list);
}

/* attr_list_add_bytes - append a pair with a binary value */
void attr_list_add_bytes(struct attr_list *list, const char *name,
                         const void *value, size_t len)
{
    struct attr_pair *p;
    char *copy;

    if (!attr_name_ok(name, strlen(name), (size_t)-1))
        msg_panic("attr_list_add: invalid attribute name \"%s\"", name);
    if (list->count == list->cap) {
        list->cap *= 2;
        list->pairs = myrealloc(list->pairs, list->cap * sizeof(*p));
    }
    copy = mymalloc(len + 1);
    if (len > 0)
        memcpy(copy, value, len);
    copy[len] = 0;
    p = &list->pairs[list->count++];
    p->name = mystrdup(name);
    p->value = copy;
    p->len = len;
}

/* attr_list_add - append a pair with a text value */
void attr_list_add(struct attr_list *list, const char *name, const char *value)
{
    attr_list_add_bytes(list, name, value, strlen(value));
}

/* attr_list_add_long - append a pair with a decimal value */
void attr_list_add_long(struct attr_list *list, const char *name, long value)
{
    char buf[32];

    snprintf(buf, sizeof(buf), "%ld", value);
    attr_list_add(list, name, buf);
}

/* attr_list_count - number of pairs */
size_t attr_list_count(const struct attr_list *list)
{
    return list->count;
}

/* pair_at - the pair at i, or a panic */
static const struct attr_pair *pair_at(const struct attr_list *list, size_t i)
{
    if (i >= list->count)
        msg_panic("attr_list: index %zu out of range (%zu pairs)", i,
                  list->count);
    return &list->pairs[i];
}

/* attr_list_name_at - the name at i */
const char *attr_list_name_at(const struct attr_list *list, size_t i)
{
    return pair_at(list, i)->name;
}

/* attr_list_value_at - the value at i, and its length */
const char *attr_list_value_at(const struct attr_list *list, size_t i,
                               size_t *len)
{
    const struct attr_pair *p = pair_at(list, i);

    if (len)
        *len = p->len;
    return p->value;
}

/* attr_list_find - the next index with this name, or -1 */
ssize_t attr_list_find(const struct attr_list *list, const char *name,
                       size_t from)
{
    size_t i;

    for (i = from; i < list->count; i++)
        if (strcmp(list->pairs[i].name, name) == 0)
            return (ssize_t)i;
    return -1;
}

/* attr_list_get - the first value with this name, or NULL */
const char *attr_list_get(const struct attr_list *list, const char *name)
{
    ssize_t i = attr_list_find(list, name, 0);

    return i < 0 ? 0 : list->pairs[i].value;
}

/* attr_list_get_long - the first value with this name as a strict long */
int attr_list_get_long(const struct attr_list *list, const char *name,
                       long *out)
{
    ssize_t i = attr_list_find(list, name, 0);
    const char *v, *digits;
    char *end;
    long n;

    if (i < 0)
        return -1;
    v = list->pairs[i].value;
    digits = v[0] == '-' ? v + 1 : v;
    if (digits[0] < '0' || digits[0] > '9')
        return -1;
    errno = 0;
    n = strtol(v, &end, 10);
    if (errno != 0 || end != v + list->pairs[i].len)
        return -1;
    *out = n;
    return 0;
}
