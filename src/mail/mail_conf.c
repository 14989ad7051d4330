/*
 * mail_conf.c - loading main.cf: the store of entries, the line parser,
 * overrides, and the swap that makes a new configuration current only when
 * it loaded without error (mail_conf.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "mymalloc.h"
#include "vstring.h"

#include "mail_conf.h"
#include "mail_conf_private.h"
#include "mail_params.h"

struct conf_store mail_conf_current; /* used by mail_conf_get.c */
int mail_conf_loaded;                /* current holds at least the defaults */

static char **overrides;             /* "name=value", in the order given */
static size_t override_count;

/* conf_store_find - an entry by name */
struct conf_entry *conf_store_find(struct conf_store *store, const char *name)
{
    size_t i;

    for (i = 0; i < store->count; i++)
        if (strcmp(store->entries[i].name, name) == 0)
            return store->entries + i;
    return 0;
}

/* store_set - create or replace an entry's raw value */
static struct conf_entry *store_set(struct conf_store *store, const char *name,
                                    size_t name_len, const char *raw,
                                    int source, int line)
{
    char *key = mystrndup(name, name_len);
    struct conf_entry *e = conf_store_find(store, key);

    if (e == 0) {
        if (store->count == store->cap) {
            store->cap = store->cap ? 2 * store->cap : 64;
            store->entries = myrealloc(store->entries,
                                       store->cap * sizeof(*store->entries));
        }
        e = store->entries + store->count++;
        memset(e, 0, sizeof(*e));
        e->name = key;
    } else {
        myfree(key);
        myfree(e->raw);
    }
    e->raw = mystrdup(raw);
    e->source = source;
    e->line = line;
    return e;
}

/* store_free - release every entry */
static void store_free(struct conf_store *store)
{
    size_t i;

    for (i = 0; i < store->count; i++) {
        myfree(store->entries[i].name);
        myfree(store->entries[i].raw);
        myfree(store->entries[i].value);
    }
    myfree(store->entries);
    memset(store, 0, sizeof(*store));
}

/* store_defaults - one entry per table row */
static void store_defaults(struct conf_store *store)
{
    const struct mail_param *p;

    for (p = mail_param_table; p->name; p++)
        store_set(store, p->name, strlen(p->name), mail_param_default(p),
                  MAIL_CONF_FROM_DEFAULT, 0);
}

/* trim - the bounds of s[0..len) without surrounding white space */
static void trim(const char **s, size_t *len)
{
    while (*len > 0 && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*len)--;
    }
    while (*len > 0 && strchr(" \t\r", (*s)[*len - 1]))
        (*len)--;
}

/* parse_entry - one logical line "name = value" into the store */
static int parse_entry(struct conf_store *store, const char *text,
                       const char *filename, int line, struct vstring *why)
{
    const char *eq = strchr(text, '=');
    const char *name = text, *value;
    size_t name_len, value_len, i;
    struct conf_entry *old;
    char *key, *copy;
    int warnings = 0;

    if (eq == 0) {
        vstring_sprintf(why, "%s:%d: missing '=' in \"%.40s\"", filename,
                        line, text);
        return -1;
    }
    name_len = (size_t)(eq - text);
    trim(&name, &name_len);
    for (i = 0; i < name_len && conf_name_char((unsigned char)name[i]); i++)
        ;
    if (name_len == 0 || i < name_len) {
        vstring_sprintf(why, "%s:%d: bad parameter name \"%.*s\"", filename,
                        line, (int)name_len, name);
        return -1;
    }
    value = eq + 1;
    value_len = strlen(value);
    trim(&value, &value_len);
    key = mystrndup(name, name_len);
    copy = mystrndup(value, value_len);
    old = conf_store_find(store, key);
    if (old && old->source == MAIL_CONF_FROM_FILE) {
        msg_warn("%s:%d: %s replaces the entry at line %d", filename, line,
                 key, old->line);
        warnings++;
    } else if (mail_param_find(key) == 0) {
        msg_warn("%s:%d: unknown parameter %s", filename, line, key);
        warnings++;
    }
    store_set(store, key, name_len, copy, MAIL_CONF_FROM_FILE, line);
    myfree(key);
    myfree(copy);
    return warnings;
}

/* flush_entry - parse the logical line collected so far, if any */
static int flush_entry(struct conf_store *store, struct vstring *logical,
                       const char *filename, int line, struct vstring *why)
{
    int status = 0;

    if (vstring_len(logical) > 0)
        status = parse_entry(store, vstring_str(logical), filename, line, why);
    vstring_reset(logical);
    return status;
}

/* parse_text - split text into logical lines and parse each */
static int parse_text(struct conf_store *store, const char *text,
                      const char *filename, struct vstring *why)
{
    struct vstring *logical = vstring_alloc(256);
    const char *p = text, *end, *q;
    int line = 0, start_line = 0, warnings = 0, status = 0;

    for (; *p && status >= 0; p = *end ? end + 1 : end) {
        end = strchrnul(p, '\n');
        line++;
        for (q = p; q < end && (*q == ' ' || *q == '\t' || *q == '\r'); q++)
            ;
        if (q == end || *q == '#')                 /* blank or comment */
            continue;
        if (q > p) {                               /* continuation */
            if (vstring_len(logical) == 0) {
                vstring_sprintf(why, "%s:%d: continuation line without an "
                                     "entry before it", filename, line);
                status = -1;
                break;
            }
            vstring_append_char(logical, ' ');
            vstring_append(logical, q, (size_t)(end - q));
            continue;
        }
        status = flush_entry(store, logical, filename, start_line, why);
        warnings += status > 0 ? status : 0;
        vstring_set(logical, p, (size_t)(end - p));
        start_line = line;
    }
    if (status >= 0) {
        status = flush_entry(store, logical, filename, start_line, why);
        warnings += status > 0 ? status : 0;
    }
    vstring_free(logical);
    return status < 0 ? -1 : warnings;
}

/* apply_overrides - the -o assignments, over main.cf */
static int apply_overrides(struct conf_store *store)
{
    size_t i;
    int warnings = 0;

    for (i = 0; i < override_count; i++) {
        const char *eq = strchr(overrides[i], '=');
        size_t len = (size_t)(eq - overrides[i]);
        struct conf_entry *e = store_set(store, overrides[i], len, eq + 1,
                                         MAIL_CONF_FROM_OVERRIDE, 0);

        if (mail_param_find(e->name) == 0) {
            msg_warn("-o %s: unknown parameter", overrides[i]);
            warnings++;
        }
    }
    return warnings;
}

/* load - build a complete store and make it current on success */
static int load(const char *text, const char *filename, const char *dir,
                struct vstring *why)
{
    struct conf_store fresh = {0, 0, 0};
    int warnings;

    store_defaults(&fresh);
    if (dir)
        store_set(&fresh, "config_directory", strlen("config_directory"), dir,
                  MAIL_CONF_FROM_COMMAND, 0);
    if ((warnings = parse_text(&fresh, text, filename, why)) >= 0)
        warnings += apply_overrides(&fresh);
    if (warnings < 0 || conf_store_expand_all(&fresh, filename, why) != 0) {
        store_free(&fresh);
        return -1;
    }
    store_free(&mail_conf_current);
    mail_conf_current = fresh;
    mail_conf_loaded = 1;
    return warnings;
}

/* mail_conf_load_text - a configuration from text in memory */
int mail_conf_load_text(const char *text, const char *filename,
                        struct vstring *why)
{
    return load(text, filename, 0, why);
}

/* mail_conf_read - DIR/main.cf becomes the configuration */
int mail_conf_read(const char *config_dir, struct vstring *why)
{
    struct vstring *path = vstring_alloc(256);
    struct vstring *text = vstring_alloc(4096);
    char buf[4096];
    size_t n;
    FILE *fp;
    int status = -1;

    vstring_sprintf(path, "%s/%s", config_dir, MAIL_CONF_FILE);
    if ((fp = fopen(vstring_str(path), "re")) == 0) {
        vstring_sprintf(why, "cannot open %s: %s", vstring_str(path),
                        strerror(errno));
        goto out;
    }
    while ((n = fread(buf, 1, sizeof(buf), fp)) > 0
           && vstring_len(text) + n <= MAIL_CONF_MAX_SIZE)
        vstring_append(text, buf, n);
    if (ferror(fp) || n > 0 || memchr(vstring_str(text), 0, vstring_len(text)))
        vstring_sprintf(why, "%s: %s", vstring_str(path),
                        ferror(fp) ? strerror(errno)
                        : n > 0    ? "file too large"
                                   : "NUL byte in file");
    else
        status = load(vstring_str(text), vstring_str(path), config_dir, why);
    fclose(fp);
out:
    vstring_free(path);
    vstring_free(text);
    return status;
}

/* mail_conf_override - remember "name=value" for later loads */
int mail_conf_override(const char *assignment, struct vstring *why)
{
    const char *eq = strchr(assignment, '=');
    const char *p;

    for (p = assignment; eq && p < eq && conf_name_char((unsigned char)*p); p++)
        ;
    if (eq == 0 || eq == assignment || p < eq) {
        vstring_sprintf(why, "-o %s: expected name=value", assignment);
        return -1;
    }
    overrides = myrealloc(overrides, (override_count + 1) * sizeof(char *));
    overrides[override_count++] = mystrdup(assignment);
    return 0;
}

/* mail_conf_clear_overrides - forget every -o */
void mail_conf_clear_overrides(void)
{
    while (override_count > 0)
        myfree(overrides[--override_count]);
    myfree(overrides);
    overrides = 0;
}

/* mail_conf_reset - back to the defaults, without overrides */
void mail_conf_reset(void)
{
    store_free(&mail_conf_current);
    mail_conf_loaded = 0;
    mail_conf_clear_overrides();
}

/* mail_conf_find_dir - -c, else the environment, else /etc/sluice */
const char *mail_conf_find_dir(const char *opt_dir)
{
    const char *env = getenv(MAIL_CONF_ENV_DIR);

    if (opt_dir && *opt_dir)
        return opt_dir;
    return env && *env ? env : MAIL_CONF_DEFAULT_DIR;
}
