/*
 * mail_conf_get.c - typed lookups, provenance and the walk over the current
 * configuration (mail_conf.h). Values are already expanded by the load.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "msg.h"
#include "vstring.h"

#include "mail_conf.h"
#include "mail_conf_private.h"
#include "mail_params.h"

/* current - the store, holding at least the defaults */
static struct conf_store *current(void)
{
    if (!mail_conf_loaded) {
        struct vstring *why = vstring_alloc(100);

        if (mail_conf_load_text("", "(defaults)", why) < 0)
            msg_panic("the default configuration does not load: %s",
                      vstring_str(why));
        vstring_free(why);
    }
    return &mail_conf_current;
}

/* entry_of - the entry for a name a program reads; a bug when unknown */
static struct conf_entry *entry_of(const char *name)
{
    struct conf_entry *e = conf_store_find(current(), name);

    if (e == 0)
        msg_panic("parameter %s is not in mail_param_table", name);
    return e;
}

/* where - the origin of a bad value, for a fatal message */
static const char *where(const char *name)
{
    static struct vstring *buf;

    if (buf == 0)
        buf = vstring_alloc(32);
    mail_conf_origin(name, buf);
    return vstring_str(buf);
}

/* mail_conf_lookup - a value, or NULL for an unknown name */
const char *mail_conf_lookup(const char *name)
{
    struct conf_entry *e = conf_store_find(current(), name);

    return e ? e->value : 0;
}

/* mail_conf_str - a value as text */
const char *mail_conf_str(const char *name)
{
    return entry_of(name)->value;
}

/* mail_conf_int - a value as a decimal number */
long mail_conf_int(const char *name)
{
    const char *value = entry_of(name)->value;
    char *end;
    long n;

    errno = 0;
    n = strtol(value, &end, 10);
    if (*value == 0 || *end != 0 || errno == ERANGE)
        msg_fatal("%s: parameter %s: bad number \"%s\"", where(name), name,
                  value);
    return n;
}

/* mail_conf_bool - a value as yes or no */
int mail_conf_bool(const char *name)
{
    static const char *const yes[] = {"yes", "true", "on", "1", 0};
    static const char *const no[] = {"no", "false", "off", "0", 0};
    const char *value = entry_of(name)->value;
    int i;

    for (i = 0; yes[i]; i++)
        if (strcasecmp(value, yes[i]) == 0)
            return 1;
    for (i = 0; no[i]; i++)
        if (strcasecmp(value, no[i]) == 0)
            return 0;
    msg_fatal("%s: parameter %s: bad boolean \"%s\" (use yes or no)",
              where(name), name, value);
}

/* mail_conf_time - a value as seconds; a unit letter may follow */
long mail_conf_time(const char *name)
{
    const char *value = entry_of(name)->value;
    char *end;
    long n, unit = 1;

    errno = 0;
    n = strtol(value, &end, 10);
    if (*end && end[1] == 0 && end > value) {
        const char *units = "smhdw";
        static const long seconds[] = {1, 60, 3600, 86400, 604800};
        const char *u = strchr(units, *end);

        if (u && *u) {
            unit = seconds[u - units];
            end++;
        }
    }
    if (*value == 0 || *end != 0 || errno == ERANGE || n < 0
        || n > LONG_MAX / unit)
        msg_fatal("%s: parameter %s: bad time \"%s\" (a number of seconds, "
                  "or with a unit s, m, h, d or w)", where(name), name, value);
    return n * unit;
}

/* mail_conf_expand - expand free text against the configuration */
int mail_conf_expand(const char *text, struct vstring *out, struct vstring *why)
{
    vstring_reset(out);
    return conf_store_expand_text(current(), text, out, why);
}

/* mail_conf_origin - where a value came from */
int mail_conf_origin(const char *name, struct vstring *out)
{
    struct conf_entry *e = conf_store_find(current(), name);

    if (e == 0)
        return -1;
    switch (e->source) {
    case MAIL_CONF_FROM_FILE:
        vstring_sprintf(out, "%s:%d", MAIL_CONF_FILE, e->line);
        break;
    case MAIL_CONF_FROM_OVERRIDE:
        vstring_set_str(out, "-o");
        break;
    case MAIL_CONF_FROM_COMMAND:
        vstring_set_str(out, "-c");
        break;
    default:
        vstring_set_str(out, "default");
        break;
    }
    return e->source;
}

/* mail_conf_walk - every parameter, table rows first */
void mail_conf_walk(mail_conf_walk_fn fn, void *ctx)
{
    struct conf_store *store = current();
    size_t i;

    for (i = 0; i < store->count; i++)
        fn(store->entries[i].name, store->entries[i].value, ctx);
}
