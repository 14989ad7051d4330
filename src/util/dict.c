/*
 * dict.c - text tables in a hash table, with reload on change.
 *
 * The parsing is dict_reader.c's; this file owns the hash table, the file
 * I/O and the "keep the old table when the new one is broken" rule.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dict.h"
#include "msg.h"
#include "mymalloc.h"
#include "vstring.h"

struct dict_entry {
    char *key;
    char *value;
    struct dict_entry *next;
};

struct table {
    struct dict_entry **buckets;
    size_t nbuckets;
    size_t count;
    size_t duplicates;
};

/* hash - FNV-1a over a NUL-terminated key */
static size_t hash(const char *key)
{
    size_t h = 2166136261u;

    for (; *key; key++)
        h = (h ^ (unsigned char)*key) * 16777619u;
    return h;
}

/* table_free - free every entry and the bucket array */
static void table_free(struct dict_entry **buckets, size_t nbuckets)
{
    size_t i;
    struct dict_entry *e, *next;

    for (i = 0; i < nbuckets; i++) {
        for (e = buckets[i]; e; e = next) {
            next = e->next;
            myfree(e->key);
            myfree(e->value);
            myfree(e);
        }
    }
    myfree(buckets);
}

/* table_grow - double the bucket array, keeping the entries */
static void table_grow(struct table *t)
{
    size_t n = t->nbuckets * 2, i;
    struct dict_entry **b = mymalloc(n * sizeof(*b));
    struct dict_entry *e, *next;

    memset(b, 0, n * sizeof(*b));
    for (i = 0; i < t->nbuckets; i++) {
        for (e = t->buckets[i]; e; e = next) {
            next = e->next;
            e->next = b[hash(e->key) & (n - 1)];
            b[hash(e->key) & (n - 1)] = e;
        }
    }
    myfree(t->buckets);
    t->buckets = b;
    t->nbuckets = n;
}

/* table_find - the entry for key, or NULL */
static struct dict_entry *table_find(struct dict_entry **buckets,
                                     size_t nbuckets, const char *key)
{
    struct dict_entry *e;

    for (e = buckets[hash(key) & (nbuckets - 1)]; e; e = e->next)
        if (strcmp(e->key, key) == 0)
            return e;
    return 0;
}

/* table_add - add key/value; returns 0, or 1 when the key was there */
static int table_add(struct table *t, const char *key, const char *value)
{
    struct dict_entry *e;
    size_t i;

    if (table_find(t->buckets, t->nbuckets, key))
        return 1;
    if (t->count >= t->nbuckets)
        table_grow(t);
    e = mymalloc(sizeof(*e));
    e->key = mystrdup(key);
    e->value = mystrdup(value);
    i = hash(key) & (t->nbuckets - 1);
    e->next = t->buckets[i];
    t->buckets[i] = e;
    t->count++;
    return 0;
}

/* dict_create - an empty table */
struct dict *dict_create(enum dict_syntax syntax, int flags,
                         const struct dict_limits *limits)
{
    struct dict *d = mymalloc(sizeof(*d));

    memset(d, 0, sizeof(*d));
    d->syntax = syntax;
    d->flags = flags;
    d->limits = limits ? *limits : dict_default_limits;
    d->nbuckets = 16;
    d->buckets = mymalloc(d->nbuckets * sizeof(*d->buckets));
    memset(d->buckets, 0, d->nbuckets * sizeof(*d->buckets));
    return d;
}

/* parse_into - fill a fresh table from buf; 0 or -1 with why */
static int parse_into(const struct dict *d, struct table *t, const char *name,
                      const char *buf, size_t len, struct vstring *why)
{
    struct dict_reader r;
    struct vstring *line = vstring_alloc(256);
    struct vstring *key = vstring_alloc(64);
    struct vstring *value = vstring_alloc(128);
    struct vstring *reason = vstring_alloc(64);
    size_t start = 0;
    int rc, ret = 0;

    dict_reader_init(&r, buf, len, d->limits.line_max);
    while ((rc = dict_reader_next(&r, line, &start, reason)) > 0) {
        if (dict_reader_split(vstring_str(line), vstring_len(line), d->syntax,
                              d->flags, &d->limits, key, value, reason) < 0) {
            vstring_sprintf(why, "%s:%zu: %s", name, start,
                            vstring_str(reason));
            ret = -1;
            goto out;
        }
        if (t->count >= d->limits.entry_max) {
            vstring_sprintf(why, "%s:%zu: more than %zu entries", name, start,
                            d->limits.entry_max);
            ret = -1;
            goto out;
        }
        if (table_add(t, vstring_str(key), vstring_str(value))) {
            msg_warn("%s:%zu: duplicate key \"%s\" ignored", name, start,
                     vstring_str(key));
            t->duplicates++;
        }
    }
    if (rc < 0) {
        vstring_sprintf(why, "%s:%s", name, vstring_str(reason));
        ret = -1;
    }
out:
    vstring_free(line);
    vstring_free(key);
    vstring_free(value);
    vstring_free(reason);
    return ret;
}

/* dict_load_buffer - replace the content from a buffer */
int dict_load_buffer(struct dict *d, const char *name, const char *buf,
                     size_t len, struct vstring *why)
{
    struct table t;

    t.nbuckets = 16;
    t.count = 0;
    t.duplicates = 0;
    t.buckets = mymalloc(t.nbuckets * sizeof(*t.buckets));
    memset(t.buckets, 0, t.nbuckets * sizeof(*t.buckets));
    if (parse_into(d, &t, name, buf, len, why) < 0) {
        table_free(t.buckets, t.nbuckets);
        return -1;
    }
    table_free(d->buckets, d->nbuckets);
    d->buckets = t.buckets;
    d->nbuckets = t.nbuckets;
    d->count = t.count;
    d->duplicates = t.duplicates;
    return 0;
}

/* read_file - the whole file and its identity; 0 or -1 with why */
static int read_file(const char *path, size_t max, struct vstring *data,
                     struct stat *st, struct vstring *why)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    ssize_t n = 0;
    int ret = -1;

    if (fd < 0) {
        vstring_sprintf(why, "%s: open: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, st) < 0) {
        vstring_sprintf(why, "%s: fstat: %s", path, strerror(errno));
        goto out;
    }
    if (!S_ISREG(st->st_mode)) {
        vstring_sprintf(why, "%s: not a regular file", path);
        goto out;
    }
    if ((unsigned long long)st->st_size > max) {
        vstring_sprintf(why, "%s: larger than %zu bytes", path, max);
        goto out;
    }
    vstring_reset(data);
    vstring_reserve(data, (size_t)st->st_size + 1);
    while (data->len <= max && (n = read(fd, data->data + data->len,
                                         data->cap - data->len - 1)) > 0) {
        data->len += (size_t)n;
        data->data[data->len] = 0;
        if (data->cap - data->len - 1 == 0)
            vstring_reserve(data, 4096);
    }
    if (n < 0) {
        vstring_sprintf(why, "%s: read: %s", path, strerror(errno));
        goto out;
    }
    if (data->len > max) {
        vstring_sprintf(why, "%s: larger than %zu bytes", path, max);
        goto out;
    }
    ret = 0;
out:
    close(fd);
    return ret;
}

/* load_path - (re)load d from d->path */
static int load_path(struct dict *d, struct vstring *why)
{
    struct vstring *data = vstring_alloc(4096);
    struct stat st;
    int ret = -1;

    if (read_file(d->path, d->limits.file_max, data, &st, why) == 0 &&
        dict_load_buffer(d, d->path, vstring_str(data), vstring_len(data),
                         why) == 0) {
        d->dev = st.st_dev;
        d->ino = st.st_ino;
        d->size = st.st_size;
        d->mtime = st.st_mtim;
        d->owner = st.st_uid;
        d->mode = st.st_mode;
        ret = 0;
    }
    vstring_free(data);
    return ret;
}

/* dict_open - a table loaded from a file */
struct dict *dict_open(const char *path, enum dict_syntax syntax, int flags,
                       const struct dict_limits *limits, struct vstring *why)
{
    struct dict *d = dict_create(syntax, flags, limits);

    d->path = mystrdup(path);
    if (load_path(d, why) < 0) {
        dict_free(d);
        return 0;
    }
    return d;
}

/* dict_refresh - reload when the file changed */
int dict_refresh(struct dict *d, struct vstring *why)
{
    struct stat st;

    if (d->path == 0)
        return 0;
    if (stat(d->path, &st) < 0) {
        vstring_sprintf(why, "%s: stat: %s", d->path, strerror(errno));
        return -1;
    }
    if (st.st_dev == d->dev && st.st_ino == d->ino && st.st_size == d->size &&
        st.st_mtim.tv_sec == d->mtime.tv_sec &&
        st.st_mtim.tv_nsec == d->mtime.tv_nsec)
        return 0;
    return load_path(d, why) < 0 ? -1 : 1;
}

/* dict_lookup - exact (optionally case-folded) lookup */
const char *dict_lookup(const struct dict *d, const char *key)
{
    size_t len = strlen(key);
    const struct dict_entry *e;
    char *folded;

    if (len == 0 || len > d->limits.key_max)
        return 0;
    if ((d->flags & DICT_FLAG_FOLD_KEYS) == 0) {
        e = table_find(d->buckets, d->nbuckets, key);
    } else {
        folded = mystrdup(key);
        dict_fold(folded, len);
        e = table_find(d->buckets, d->nbuckets, folded);
        myfree(folded);
    }
    return e ? e->value : 0;
}

/* dict_iter_next - the next entry of a walk; 0 at the end */
int dict_iter_next(const struct dict *d, struct dict_iter *it, const char **key,
                   const char **value)
{
    const struct dict_entry *e = it->entry ? it->entry->next : 0;

    while (e == 0 && it->bucket < d->nbuckets)
        e = d->buckets[it->bucket++];
    it->entry = e;
    if (e == 0)
        return 0;
    *key = e->key;
    *value = e->value;
    return 1;
}

/* dict_free - release a table */
void dict_free(struct dict *d)
{
    if (d == 0)
        return;
    table_free(d->buckets, d->nbuckets);
    myfree(d->path);
    myfree(d);
}
