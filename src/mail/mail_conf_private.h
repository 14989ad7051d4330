/*
 * mail_conf_private.h - the in-memory store behind mail_conf.h, shared by
 * mail_conf.c (loading, lookups) and mail_conf_expand.c ($references).
 * Not for use outside src/mail/mail_conf*.c.
 */
#ifndef MAIL_CONF_PRIVATE_H
#define MAIL_CONF_PRIVATE_H

#include <stddef.h>

struct vstring;

struct conf_entry {
    char *name;
    char *raw;    /* as written, $references not expanded */
    char *value;  /* expanded; NULL until expanded */
    int source;   /* enum mail_conf_source */
    int line;     /* main.cf line, when source is MAIL_CONF_FROM_FILE */
    int busy;     /* being expanded: seeing it again is a loop */
};

struct conf_store {
    struct conf_entry *entries;
    size_t count;
    size_t cap;
};

/* The current configuration (mail_conf.c) and whether it was loaded. */
extern struct conf_store mail_conf_current;
extern int mail_conf_loaded;

struct conf_entry *conf_store_find(struct conf_store *store, const char *name);

/* Expands every entry of store; -1 with why ("file:line: ...") on the
 * first failure. */
int conf_store_expand_all(struct conf_store *store, const char *filename,
                          struct vstring *why);

/* Expands text against store into out (appending); -1 with why. */
int conf_store_expand_text(struct conf_store *store, const char *text,
                           struct vstring *out, struct vstring *why);

/* Whether c may appear in a parameter name. */
int conf_name_char(int c);

#endif
