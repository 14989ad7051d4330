/*
 * dict.h - lookup tables read from text files into an in-memory hash table.
 *
 * The daemons answer "what does this key map to" from small text tables
 * (canonical, virtual, transport, access, the aliases file). A table is a
 * text file in one of the syntaxes of dict_reader.h ("key value" or
 * "key: value", # comments, continuation lines), loaded whole into memory.
 * Lookups are exact string matches; with DICT_FLAG_FOLD_KEYS both the keys
 * of the file and the looked-up key are folded to lower case first. The
 * order in which a mail address is tried (user@domain, user, @domain) is
 * not here but in src/mail/mail_table.h.
 *
 * Reloading: dict_refresh() stats the file and, when its device, inode,
 * size or modification time changed, loads it again. A load that fails
 * (a syntax error half-way through an edit) keeps the old content, so a
 * daemon goes on with the last good table and logs the reason.
 *
 * Errors are "path:line: reason" in the caller's why. Duplicate keys: the
 * first one wins, later ones are counted in dict_duplicates() and logged
 * with msg_warn (an administrator's mistake, not a reason to refuse the
 * table). Bounds are struct dict_limits (dict_reader.h); a file larger
 * than file_max or with more than entry_max entries is refused.
 */
#ifndef DICT_H
#define DICT_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "dict_reader.h"

struct vstring;
struct dict_entry;

struct dict {
    char *path; /* NULL for a table built from a buffer */
    enum dict_syntax syntax;
    int flags; /* DICT_FLAG_* */
    struct dict_limits limits;
    struct dict_entry **buckets;
    size_t nbuckets; /* a power of two */
    size_t count;
    size_t duplicates; /* keys ignored because seen before */
    /* what the loaded file was, to notice a change and to check owners */
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime;
    uid_t owner;
    mode_t mode;
};

/* An empty table; limits NULL means dict_default_limits. */
struct dict *dict_create(enum dict_syntax syntax, int flags,
                         const struct dict_limits *limits);

/*
 * Replaces the content with the entries of buf[0 .. len-1]. name is used in
 * error messages only. Returns 0, or -1 with "name:line: reason" in why and
 * the old content untouched.
 */
int dict_load_buffer(struct dict *d, const char *name, const char *buf,
                     size_t len, struct vstring *why);

/*
 * Opens and loads the file at path (a regular file, at most file_max
 * bytes). Returns the table, or NULL with the reason in why.
 */
struct dict *dict_open(const char *path, enum dict_syntax syntax, int flags,
                       const struct dict_limits *limits, struct vstring *why);

/*
 * Reloads the file when it changed since the last load. Returns 0 when it
 * did not change, 1 when it was reloaded, -1 on an error (the old content
 * stays; reason in why). A table without a path never changes.
 */
int dict_refresh(struct dict *d, struct vstring *why);

/* The value for key, or NULL. The pointer is valid until the next load. */
const char *dict_lookup(const struct dict *d, const char *key);

static inline size_t dict_count(const struct dict *d)
{
    return d->count;
}

static inline size_t dict_duplicates(const struct dict *d)
{
    return d->duplicates;
}

/* Walking every entry (in no particular order) without a callback:
 *     struct dict_iter it = {0, 0};
 *     while (dict_iter_next(d, &it, &key, &value)) ...
 * The table must not be loaded again during the walk. */
struct dict_iter {
    size_t bucket;
    const struct dict_entry *entry;
};
int dict_iter_next(const struct dict *d, struct dict_iter *it, const char **key,
                   const char **value);

void dict_free(struct dict *d);

#endif
